package org.vconv.plan;

import static org.vconv.plan.Candidate.Verdict.accept;
import static org.vconv.plan.Candidate.Verdict.decline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vconv.Algorithm;
import org.vconv.Layout;
import org.vconv.PlanningMode;
import org.vconv.algo.ConvAlgorithm;
import org.vconv.algo.CoveringGemm;
import org.vconv.algo.DepthwiseChannelsLast;
import org.vconv.algo.DirectReference;
import org.vconv.algo.GroupedDirect;
import org.vconv.algo.Im2colGemm;
import org.vconv.algo.ImageBlockedGemm;
import org.vconv.algo.ImplicitGemm;
import org.vconv.algo.KernelOffsetLoop;
import org.vconv.algo.PlaneDots;
import org.vconv.algo.PointwiseBatchGemm;
import org.vconv.algo.PointwiseDots;
import org.vconv.algo.PointwiseGemm;
import org.vconv.algo.WindowDots;
import org.vconv.algo.Winograd;
import org.vconv.im2col.PaddedWindows;

/**
 * Decides which path runs each pass, and why: per {@link Algorithm} choice and pass, an ordered
 * list of {@link Candidate}s (oneDNN's implementation list); the first that accepts the
 * geometry runs, nothing hands work on behind it. An explicit choice whose candidate declines
 * runs the fallback list (pointwise GEMM, im2col + GEMM), and the plan's reason says so. Every
 * tuned number comes from the provider's {@link Tuning} table.
 *
 * <p>{@link PlanningMode#ESTIMATE}: the plan is a function of the geometry, the choice, the
 * provider, the thread count and the budget, so it is the same on every run.
 * {@link PlanningMode#MEASURE} times AUTO's accepting candidates on the shape and keeps the
 * fastest in the {@link WisdomStore}, which both modes consult first.
 */
public final class Planner {
  /** Path names, as plans and the docs print them. */
  public static final String GROUPED_DIRECT = "grouped-direct";

  /** See {@link #GROUPED_DIRECT}. */
  public static final String DEPTHWISE_CHANNELS_LAST = "depthwise-channels-last";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String POINTWISE_BATCH_GEMM = "pointwise-batch-gemm";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String POINTWISE_GEMM = "pointwise-gemm";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String POINTWISE_DOTS = "pointwise-dots";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String COVERING_GEMM = "covering-gemm";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String IMAGE_BLOCKED_GEMM = "image-blocked-gemm";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String WINDOW_DOTS = "window-dots";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String PLANE_DOTS = "plane-dots";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String IMPLICIT_GEMM = "implicit-gemm";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String IM2COL_GEMM = "im2col-gemm";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String KERNEL_OFFSET = "kernel-offset";
  /** See {@link #GROUPED_DIRECT}. */
  public static final String WINOGRAD = "winograd";

  /**
   * The system property that sets Winograd's output tile: 2 (the default, F(2x2, 3x3)) or 4
   * (F(4x4, 3x3): fewer products, larger errors, see performance.md).
   */
  public static final String WINOGRAD_TILE_PROPERTY = "vconv.winogradTile";

  /**
   * How a MEASURE plan's reason starts; every path's time follows, then the chosen path's own
   * reason ({@code vconv tune} prints the times from it).
   */
  public static final String MEASURED = "measured fastest of ";

  /** See {@link #GROUPED_DIRECT}. */
  public static final String DIRECT = "direct";

  private static final ConvAlgorithm GROUPED = new GroupedDirect();
  private static final ConvAlgorithm DEPTHWISE_CL = new DepthwiseChannelsLast();
  private static final ConvAlgorithm POINTWISE_BATCH = new PointwiseBatchGemm();
  private static final ConvAlgorithm POINTWISE = new PointwiseGemm();
  private static final ConvAlgorithm COVERING = new CoveringGemm();
  private static final ConvAlgorithm IMAGE_BLOCKED = new ImageBlockedGemm();
  private static final ConvAlgorithm KERNEL_OFFSET_LOOP = new KernelOffsetLoop();
  private static final ConvAlgorithm REFERENCE = new DirectReference();
  private static final ConvAlgorithm DOTS = new WeightOnly(WINDOW_DOTS,
      WindowDots::backwardWeight);
  private static final ConvAlgorithm PW_DOTS = new WeightOnly(POINTWISE_DOTS,
      PointwiseDots::backwardWeight);
  private static final ConvAlgorithm PLANE = new WeightOnly(PLANE_DOTS,
      PlaneDots::backwardWeight);

  private static final Map<Tuning, Planner> PLANNERS = new ConcurrentHashMap<>();

  private final Tuning tuning;
  private final Candidate im2col;
  private final Candidate pointwise;
  private final int winogradTile;
  private final ConvAlgorithm winograd;
  private final ConvAlgorithm implicit;

  private Planner(Tuning tuning) {
    this.implicit = new ImplicitGemm(tuning.implicitMaxRowWastePercent());
    this.winogradTile = winogradTile();
    this.winograd = new Winograd(winogradTile, tuning.winogradBlockTiles());
    this.tuning = tuning;
    this.im2col = Candidate.of(IM2COL_GEMM, new Im2colGemm(tuning.im2colSpanImagePixels()),
        (g, ctx) -> accept("im2col + GEMM takes every shape"));
    this.pointwise = Candidate.of(POINTWISE_GEMM, POINTWISE, (g, ctx) -> pointwise(g));
  }

  /**
   * The planner of a tuning table.
   *
   * @param tuning the provider's table
   * @return its planner, one per table
   */
  public static Planner of(Tuning tuning) {
    return PLANNERS.computeIfAbsent(tuning, Planner::new);
  }

  /**
   * The planner of {@code ctx}'s kernels.
   *
   * @param ctx the execution context
   * @return the planner of its provider's table
   */
  public static Planner of(ExecContext ctx) {
    return of(Tuning.of(ctx.kernels().name()));
  }

  /** This planner's table. */
  public Tuning tuning() {
    return tuning;
  }

  /** The plans of all three passes of {@code g}, by the rules ({@link PlanningMode#ESTIMATE}). */
  public ShapePlan plan(Algorithm choice, ConvGeometry g, ExecContext ctx) {
    return plan(choice, g, ctx, PlanningMode.ESTIMATE);
  }

  /**
   * The plans of all three passes of {@code g}. For {@link Algorithm#AUTO}, wisdom decides
   * first (a path it names that accepts the shape runs); otherwise ESTIMATE takes the rules'
   * choice, and MEASURE times every accepting path and keeps the fastest, as wisdom.
   */
  public ShapePlan plan(Algorithm choice, ConvGeometry g, ExecContext ctx, PlanningMode mode) {
    return new ShapePlan(plan(choice, Pass.FORWARD, g, ctx, mode),
        plan(choice, Pass.BACKWARD_DATA, g, ctx, mode),
        plan(choice, Pass.BACKWARD_WEIGHT, g, ctx, mode));
  }

  private PassPlan plan(Algorithm choice, Pass pass, ConvGeometry g, ExecContext ctx,
      PlanningMode mode) {
    if (choice != Algorithm.AUTO) {
      return plan(choice, pass, g, ctx);
    }
    String key = WisdomStore.key(pass, g, ctx);
    String known = WisdomStore.get(key);
    if (known == null && mode == PlanningMode.ESTIMATE) {
      return plan(choice, pass, g, ctx); // the rules alone: no need to judge every candidate
    }
    List<PassPlan> accepting = accepting(pass, g, ctx);
    if (known != null) {
      for (PassPlan p : accepting) {
        if (p.path().equals(known)) {
          return withReason(p, "wisdom: " + p.reason());
        }
      }
      // wisdom naming a path that declines this shape (another version's, edited) is ignored
    }
    if (mode == PlanningMode.ESTIMATE) {
      return plan(choice, pass, g, ctx);
    }
    if (accepting.size() == 1) { // nothing to choose from: nothing to time
      WisdomStore.put(key, accepting.get(0).path());
      return withReason(accepting.get(0), "the only path that accepts: "
          + accepting.get(0).reason());
    }
    Measure.Timed fastest = Measure.fastest(accepting, g, ctx);
    WisdomStore.put(key, fastest.plan().path());
    return withReason(fastest.plan(), MEASURED + fastest.times() + "; "
        + fastest.plan().reason());
  }

  /** Every candidate of AUTO's list for {@code pass} that accepts {@code g}, planned. */
  private List<PassPlan> accepting(Pass pass, ConvGeometry g, ExecContext ctx) {
    List<PassPlan> plans = new ArrayList<>();
    for (Candidate c : auto(pass)) {
      Candidate.Verdict v = c.rule().judge(g, ctx);
      if (v.accepts()) {
        plans.add(planOf(c, pass, g, ctx, v.reason()));
      }
    }
    return plans;
  }

  private static PassPlan withReason(PassPlan p, String reason) {
    return new PassPlan(p.pass(), p.path(), reason, p.algorithm(), p.exact());
  }

  /**
   * The plan of one pass: the first candidate of {@code choice}'s list that accepts {@code g};
   * for an explicit choice that declines, the fallback list's, with the decline in the reason.
   */
  public PassPlan plan(Algorithm choice, Pass pass, ConvGeometry g, ExecContext ctx) {
    String declined = null;
    String by = null;
    for (Candidate c : candidates(choice, pass)) {
      Candidate.Verdict v = c.rule().judge(g, ctx);
      if (v.accepts()) {
        String reason = v.reason();
        if (choice == Algorithm.AUTO && declined != null && c == im2col) {
          reason = "no candidate above accepts; " + by + ": " + declined;
        }
        return planOf(c, pass, g, ctx, reason);
      }
      declined = v.reason();
      by = c.path();
    }
    assert choice != Algorithm.AUTO && declined != null : "AUTO's list ends in im2col";
    for (Candidate c : fallback()) {
      Candidate.Verdict v = c.rule().judge(g, ctx);
      if (v.accepts()) {
        return planOf(c, pass, g, ctx, by + " declines: " + declined + "; runs " + c.path());
      }
    }
    throw new AssertionError("im2col-gemm accepts every shape");
  }

  private PassPlan planOf(Candidate c, Pass pass, ConvGeometry g, ExecContext ctx,
      String reason) {
    if (!c.needsExact().test(g)) {
      return new PassPlan(pass, c.path(), reason, c.algorithm(), null);
    }
    boolean any = c.path().equals(WINOGRAD); // declines non-finite values in any operand
    PassPlan exact = null;
    for (Candidate f : fallback()) {
      if (f.rule().judge(g, ctx).accepts()) {
        String values = any ? "values" : pass == Pass.BACKWARD_DATA ? "weights" : "input";
        exact = new PassPlan(pass, f.path(), "non-finite " + values + ": " + c.path()
            + (any ? " would subtract infinities" : " would multiply them by padding"),
            f.algorithm(), null);
        break;
      }
    }
    assert exact != null;
    String values = any ? "values are" : pass == Pass.BACKWARD_DATA ? "weights are"
        : "input is";
    return new PassPlan(pass, c.path(), reason + "; if the " + values + " not finite: "
        + exact.path(), c.algorithm(), exact);
  }

  /** What runs when an explicit choice declines: the im2col + GEMM family. */
  List<Candidate> fallback() {
    return List.of(pointwise, im2col);
  }

  /**
   * The ordered candidates of {@code choice} for {@code pass}: AUTO's ends in im2col + GEMM,
   * which takes every shape; an explicit choice's are its own algorithm's.
   */
  public List<Candidate> candidates(Algorithm choice, Pass pass) {
    return switch (choice) {
      case AUTO -> auto(pass);
      case DIRECT -> List.of(Candidate.of(DIRECT, REFERENCE,
          (g, ctx) -> accept("the reference: plain loops, double sums, as chosen")));
      case KERNEL_OFFSET -> List.of(Candidate.of(KERNEL_OFFSET, KERNEL_OFFSET_LOOP,
          (g, ctx) -> accept("one GEMM per kernel offset, as chosen")));
      case IM2COL_GEMM -> fallback();
      case IMPLICIT_GEMM -> switch (pass) {
        case FORWARD -> List.of(Candidate.of(IMPLICIT_GEMM, implicit,
            (g, ctx) -> withNumbering(implicitShape(g, "as chosen"), g)));
        case BACKWARD_DATA -> List.of(new Candidate(IMPLICIT_GEMM, implicit,
            (g, ctx) -> implicitInputGradientNumbered(g, null), g -> true));
        case BACKWARD_WEIGHT -> List.of(Candidate.of(WINDOW_DOTS, DOTS, this::windowDotsShape),
            new Candidate(IMPLICIT_GEMM, implicit, (g, ctx) -> implicitShape(g, "as chosen"),
                g -> true));
      };
      case WINOGRAD -> List.of(new Candidate(WINOGRAD, winograd,
          (g, ctx) -> winogradRule(g, pass, ctx, null), g -> true));
      case IMAGE_BLOCKED_GEMM -> List.of(Candidate.of(IMAGE_BLOCKED_GEMM, IMAGE_BLOCKED,
          (g, ctx) -> imageBlockedShape(g, pass, ctx, "as chosen")));
    };
  }

  private List<Candidate> auto(Pass pass) {
    List<Candidate> list = new ArrayList<>();
    list.add(Candidate.of(DEPTHWISE_CHANNELS_LAST, DEPTHWISE_CL,
        (g, ctx) -> depthwiseChannelsLast(g, pass, ctx)));
    list.add(new Candidate(GROUPED_DIRECT, GROUPED, (g, ctx) -> grouped(g, pass, ctx),
        g -> pass == Pass.BACKWARD_DATA && !GroupedDirect.exactForAnyWeights(g)));
    if (pass != Pass.BACKWARD_WEIGHT) { // that one sums over the batch per image as fast
      list.add(Candidate.of(POINTWISE_BATCH_GEMM, POINTWISE_BATCH,
          (g, ctx) -> pointwiseBatch(g, ctx)));
    }
    if (pass == Pass.BACKWARD_WEIGHT) {
      list.add(Candidate.of(POINTWISE_DOTS, PW_DOTS, (g, ctx) -> pointwiseDots(g)));
    }
    list.add(pointwise);
    list.add(Candidate.of(COVERING_GEMM, COVERING, (g, ctx) -> covering(g)));
    list.add(new Candidate(WINOGRAD, winograd, (g, ctx) -> winogradRule(g, pass, ctx, tuning),
        g -> true));
    switch (pass) {
      case FORWARD -> {
        list.add(Candidate.of(IMAGE_BLOCKED_GEMM, IMAGE_BLOCKED,
            (g, ctx) -> imageBlocked(g, pass, ctx)));
        list.add(Candidate.of(IMPLICIT_GEMM, implicit, (g, ctx) -> implicitForward(g)));
      }
      case BACKWARD_DATA -> {
        list.add(Candidate.of(IMAGE_BLOCKED_GEMM, IMAGE_BLOCKED,
            (g, ctx) -> imageBlocked(g, pass, ctx)));
        list.add(new Candidate(IMPLICIT_GEMM, implicit,
            (g, ctx) -> implicitInputGradientNumbered(g, tuning), g -> true));
      }
      case BACKWARD_WEIGHT -> {
        list.add(Candidate.of(WINDOW_DOTS, DOTS, (g, ctx) -> windowDots(g)));
        list.add(Candidate.of(PLANE_DOTS, PLANE, (g, ctx) -> planeDots(g)));
        list.add(new Candidate(IMPLICIT_GEMM, implicit, (g, ctx) -> implicitWeightLanes(g),
            g -> true));
      }
    }
    list.add(im2col);
    return List.copyOf(list);
  }

  // ---- the rules; each names the facts it decided on

  /**
   * The Winograd output tile that {@link #WINOGRAD_TILE_PROPERTY} sets, else 2. Read when a
   * planner is made, so that a bad value reaches the caller as itself.
   *
   * @return 2 or 4
   * @throws IllegalArgumentException when the property holds any other value
   */
  public static int winogradTile() {
    String v = System.getProperty(WINOGRAD_TILE_PROPERTY, "2").trim();
    if (v.equals("2") || v.equals("4")) {
      return Integer.parseInt(v);
    }
    // as vconv.simd and vconv.planning: a bad setting is an error, not a silent default
    throw new IllegalArgumentException(WINOGRAD_TILE_PROPERTY + " must be 2 or 4, got '" + v
        + "'");
  }

  /** {@code tuned} null: structural only (an explicit choice). */
  private Candidate.Verdict winogradRule(ConvGeometry g, Pass pass, ExecContext ctx,
      Tuning tuned) {
    if (g.r() != 3 || g.s() != 3) {
      return decline("kernel " + g.r() + "x" + g.s() + ", not 3x3");
    }
    if (!unitStride(g)) {
      return decline("stride " + stride(g));
    }
    if (g.dilH() != 1 || g.dilW() != 1) {
      return decline("dilation " + g.dilH() + "x" + g.dilW());
    }
    int m = winogradTile;
    String what = "3x3 stride 1: F(" + m + "x" + m + ", 3x3), " + (m == 2 ? "2.25" : "4")
        + "x fewer products";
    if (tuned == null) {
      return accept(what + ", as chosen");
    }
    int channels = Math.min(g.cg(), g.kg());
    if (channels < tuned.winogradMinChannels()) {
      return decline(channels + " channels per group < " + tuned.winogradMinChannels()
          + ": transforms outweigh the GEMMs");
    }
    long tiles = (long) g.n() * Math.ceilDiv(g.p(), m) * Math.ceilDiv(g.q(), m);
    if (tiles < tuned.winogradMinTiles()) {
      return decline(tiles + " tiles in the batch < " + tuned.winogradMinTiles()
          + ": its 16 GEMMs are too short for their packing and stores");
    }
    if (g.pq() < tuned.winogradMinOutputPixels()) {
      return decline(g.p() + "x" + g.q() + " outputs < " + tuned.winogradMinOutputPixels()
          + " pixels: edge tiles waste too much");
    }
    if (g.layout() == Layout.NCHW && g.pq() > tuned.winogradNchwMaxOutputPixels()) {
      return decline("NCHW, " + g.p() + "x" + g.q() + " outputs > "
          + tuned.winogradNchwMaxOutputPixels() + " pixels: the implicit GEMM measured faster");
    }
    if (g.layout() == Layout.NCHW && channels < tuned.winogradNchwMinChannels()) {
      return decline("NCHW, " + channels + " channels per group < "
          + tuned.winogradNchwMinChannels() + ": the implicit GEMMs measured faster");
    }
    if (pass == Pass.BACKWARD_WEIGHT) {
      if (channels < tuned.winogradMinWeightChannels()) {
        return decline(channels + " channels per group < " + tuned.winogradMinWeightChannels()
            + " (weight gradient): the implicit GEMM's measured faster");
      }
      long sums = (long) (m + 2) * (m + 2) * g.kg() * g.cg() * Float.BYTES;
      if (sums > ctx.workspaceBytes() / 2) {
        return decline("its transformed weight gradient, " + sums + " bytes, > half the budget");
      }
    }
    return accept(what + ", " + channels + " channels per group >= "
        + tuned.winogradMinChannels() + ", " + g.p() + "x" + g.q() + " outputs");
  }

  private Candidate.Verdict grouped(ConvGeometry g, Pass pass, ExecContext ctx) {
    if (g.groups() == 1) {
      return decline("not grouped");
    }
    if (g.isPointwise()) {
      return decline("1x1, stride 1, unpadded: a plain GEMM");
    }
    int bound = g.layout() == Layout.NCHW && pass != Pass.BACKWARD_WEIGHT
        ? tuning.groupedMaxChannelsPerGroupNchw() : tuning.groupedMaxChannelsPerGroup();
    if (g.cg() > bound) {
      return decline(g.cg() + " channels per group > " + bound);
    }
    if (g.cg() > 1 && g.layout() == Layout.NCHW) { // the NCHW plane kernels, not depthwise
      if (pass == Pass.BACKWARD_DATA && !unitStride(g)) {
        return decline("stride " + stride(g) + " input gradient of " + g.cg()
            + " channels per group: the phase-split planes cost more than im2col's GEMM");
      }
      long batch = (long) g.n() * g.pq();
      if (pass == Pass.BACKWARD_WEIGHT && batch < tuning.groupedWeightMinBatchPixels()) {
        return decline(batch + " output pixels in the batch < "
            + tuning.groupedWeightMinBatchPixels() + " (weight gradient): short dot products");
      }
    }
    String groups = g.cg() == 1 ? "depthwise, 1 channel per group" : g.cg()
        + " channels per group";
    return accept(groups + " <= " + bound + ": GEMMs too small to pack; "
        + GroupedDirect.kernelOf(g, ctx.kernels().arrays()));
  }

  private Candidate.Verdict depthwiseChannelsLast(ConvGeometry g, Pass pass, ExecContext ctx) {
    if (!DepthwiseChannelsLast.applies(g)) {
      return decline(g.layout() == Layout.NHWC ? "NHWC: the depthwise kernels run in place"
          : "not depthwise");
    }
    if (g.isPointwise()) {
      return decline("1x1, stride 1, unpadded: a plain GEMM");
    }
    int minChannels = tuning.depthwiseChannelsLastMinChannels();
    if (g.c() < minChannels) {
      return decline(g.c() + " channels < " + minChannels + ": short vectors over channels");
    }
    boolean strided = g.strideH() > 1 || g.strideW() > 1;
    int taps = g.r() * g.s();
    if (pass != Pass.BACKWARD_WEIGHT && taps >= tuning.depthwisePaddedMinTaps()
        && GroupedDirect.depthwisePlanesPadded(g, ctx.kernels().arrays())) {
      return decline(taps + " taps >= " + tuning.depthwisePaddedMinTaps()
          + " and the plane kernels copy the planes padded: every tap a plain load");
    }
    int max = !strided ? tuning.depthwiseChannelsLastMaxPixels()
        : pass == Pass.BACKWARD_DATA ? tuning.depthwiseChannelsLastMaxPixelsStridedInput()
        : tuning.depthwiseChannelsLastMaxPixelsStrided();
    String at = !strided ? " (stride 1)" : pass == Pass.BACKWARD_DATA
        ? " (strided input gradient: the copies of its larger input weigh more)" : " (strided)";
    if (g.pq() > max) {
      return decline("output planes of " + g.pq() + " pixels > " + max + at
          + ": the plane kernels' rows are long enough");
    }
    long floats = DepthwiseChannelsLast.scratchFloats(g, ctx.threads());
    if (floats > ctx.workspaceFloats()) {
      return decline("channels-last copies of " + floats + " floats > the budget's "
          + ctx.workspaceFloats());
    }
    return accept("depthwise NCHW, " + g.c() + " channels >= " + minChannels
        + ", output planes of " + g.pq() + " <= " + max + " pixels" + at
        + ": channels-last copies, vectors over channels");
  }

  private Candidate.Verdict pointwiseBatch(ConvGeometry g, ExecContext ctx) {
    if (!g.isPointwise()) {
      return decline("not 1x1 stride 1 unpadded");
    }
    if (g.layout() == Layout.NHWC || g.hw() == 1) {
      return decline("the batch is one matrix already ("
          + (g.hw() == 1 ? "1x1 planes" : "NHWC") + ")");
    }
    if (g.n() == 1) {
      return decline("one image");
    }
    int max = tuning.pointwiseBatchMaxPixels();
    if (g.hw() > max) {
      return decline("planes of " + g.hw() + " pixels > " + max + ": per-image GEMMs are wide");
    }
    long floats = PointwiseBatchGemm.scratchFloats(g);
    if (floats > ctx.workspaceFloats()) {
      return decline("a staged output of " + floats + " floats > the budget's "
          + ctx.workspaceFloats());
    }
    return accept("1x1, stride 1, unpadded, planes of " + g.hw() + " <= " + max
        + " pixels: one GEMM over the batch's " + g.n() * g.hw() + " pixels");
  }

  private static Candidate.Verdict covering(ConvGeometry g) {
    if (!CoveringGemm.applies(g)) {
      return decline("the kernel does not cover the unpadded input");
    }
    return accept("the kernel covers the " + g.h() + "x" + g.w()
        + " input: a dense layer, one GEMM over the batch");
  }

  private static Candidate.Verdict pointwise(ConvGeometry g) {
    if (g.isPointwise()) {
      return accept("1x1, stride 1, unpadded: GEMMs on the input, no im2col"
          + (g.hw() == 1 && g.layout() == Layout.NCHW ? "; 1x1 planes: one GEMM over the batch"
              : ""));
    }
    if (g.r() != 1 || g.s() != 1) {
      return decline("kernel " + g.r() + "x" + g.s());
    }
    return unitStride(g) ? decline("padded") : decline("stride " + stride(g));
  }

  /** AUTO's image-blocked rule: the structural one, after the tuned bounds. */
  private Candidate.Verdict imageBlocked(ConvGeometry g, Pass pass, ExecContext ctx) {
    if (g.layout() != Layout.NCHW) {
      return decline("NHWC");
    }
    int mult = tuning.imageBlockedBatchMultiple();
    if (g.n() % mult != 0) {
      return decline("batch " + g.n() + " not a multiple of " + mult + " (micro-tile height)");
    }
    if (!unitStride(g)) {
      return decline("stride " + stride(g));
    }
    ConvGeometry src = pass == Pass.FORWARD ? g : ImplicitGemm.transposed(g);
    if (src == null) {
      return decline("a pad exceeds the kernel's span: no stride-1 transpose");
    }
    if (src.hw() > tuning.imageBlockedMaxInputPixels()) {
      return decline(src.h() + "x" + src.w() + " planes > "
          + tuning.imageBlockedMaxInputPixels() + " pixels");
    }
    if (src.cg() < tuning.imageBlockedMinTapDepth()) {
      return decline(src.cg() + " channels per tap < " + tuning.imageBlockedMinTapDepth());
    }
    int pitch = PaddedWindows.rowPitch(src);
    int pct = tuning.imageBlockedMinRowWastePercent();
    if (Tuning.rowWasteAtMost(pitch, src.q(), pct)) {
      return decline("padded rows " + pitch + " <= " + (100 + pct) + "% of " + src.q()
          + ": few padded taps to skip");
    }
    Candidate.Verdict fits = imageBlockedShape(g, pass, ctx, "");
    if (!fits.accepts()) {
      return fits;
    }
    return accept("batch " + g.n() + " in tiles of " + mult + " images, " + src.h() + "x" + src.w()
        + " planes, " + src.cg() + " channels per tap, padded rows " + pitch + " > "
        + (100 + pct) + "% of " + src.q() + ": skips padded taps");
  }

  private static Candidate.Verdict imageBlockedShape(ConvGeometry g, Pass pass,
      ExecContext ctx, String why) {
    if (pass == Pass.BACKWARD_WEIGHT) {
      return decline("no weight gradient of its own");
    }
    if (g.layout() != Layout.NCHW) {
      return decline("NHWC");
    }
    if (g.isPointwise()) {
      return decline("1x1, stride 1, unpadded");
    }
    if (!ImageBlockedGemm.runs(g, pass == Pass.BACKWARD_DATA, ctx)) {
      return decline("its slab exceeds the workspace budget");
    }
    return accept(why);
  }

  /** NCHW and not pointwise: the implicit GEMM's forward and weight gradient take it. */
  private static Candidate.Verdict implicitShape(ConvGeometry g, String why) {
    if (g.layout() != Layout.NCHW) {
      return decline("NHWC");
    }
    return g.isPointwise() ? decline("1x1, stride 1, unpadded") : accept(why);
  }

  private Candidate.Verdict implicitForward(ConvGeometry g) {
    return withNumbering(implicitForwardRule(g), g);
  }

  /** An implicit forward's acceptance, naming how its pixels are numbered when densely. */
  private Candidate.Verdict withNumbering(Candidate.Verdict v, ConvGeometry src) {
    int pct = tuning.implicitMaxRowWastePercent();
    if (!v.accepts() || !ImplicitGemm.dense(src, pct)) {
      return v;
    }
    return accept(v.reason() + "; pixels numbered densely: rows of " + PaddedWindows.rowPitch(src)
        + " > " + (100 + pct) + "% of " + src.q() + " would compute too many dropped columns");
  }

  private Candidate.Verdict implicitForwardRule(ConvGeometry g) {
    Candidate.Verdict shape = implicitShape(g, "");
    if (!shape.accepts()) {
      return shape;
    }
    if (unitStride(g)) {
      if (g.crs() < tuning.implicitMinDepth()) {
        return decline("stride 1, reduction " + g.crs() + " < " + tuning.implicitMinDepth()
            + " deep: micro-tile loads and stores outweigh im2col's thin copy");
      }
      // im2col's copy weighs against the GEMM as 1/(K/G): with few filters it costs more
      // than a wider waste of dropped columns
      int pct = Math.max(tuning.implicitMaxRowWastePercent(),
          tuning.implicitRowWastePercentTimesFilters() / g.kg());
      Candidate.Verdict narrow = narrowFor(g, "NCHW stride 1", pct, " ("
          + tuning.implicitMaxRowWastePercent() + "%, or "
          + tuning.implicitRowWastePercentTimesFilters() + "% / " + g.kg() + " filters)");
      if (narrow.accepts() || g.crs() < tuning.implicitDenseMinDepth()) {
        return narrow;
      }
      // wider rows number the pixels densely (no dropped column): per-pixel offsets that a
      // deep reduction pays for
      return accept("NCHW stride 1, reduction " + g.crs() + " >= "
          + tuning.implicitDenseMinDepth() + " deep at any padded row width");
    }
    if (g.r() < g.strideH() || g.s() < g.strideW()) {
      return decline("kernel " + g.r() + "x" + g.s() + " smaller than stride " + stride(g)
          + ": most of the slab unread");
    }
    if (g.crs() < tuning.implicitMinDepth()) {
      return decline("stride " + stride(g) + ", reduction " + g.crs() + " < "
          + tuning.implicitMinDepth() + " deep: micro-tile loads and transposing stores"
          + " outweigh im2col's thin copy");
    }
    return accept("stride " + stride(g) + ", kernel " + g.r() + "x" + g.s()
        + " covers it, reduction " + g.crs() + " >= " + tuning.implicitMinDepth());
  }

  private Candidate.Verdict implicitInputGradientNumbered(ConvGeometry g, Tuning tuned) {
    Candidate.Verdict v = implicitInputGradient(g, tuned);
    return v.accepts() ? withNumbering(v, ImplicitGemm.transposed(g)) : v;
  }

  /** {@code tuned} null: structural only (an explicit choice). */
  private static Candidate.Verdict implicitInputGradient(ConvGeometry g, Tuning tuned) {
    Candidate.Verdict shape = implicitShape(g, "");
    if (!shape.accepts()) {
      return shape;
    }
    if (!unitStride(g)) {
      return decline("stride " + stride(g) + " input gradient: no strided form");
    }
    if (!ImplicitGemm.runsBackwardData(g)) {
      return decline("a pad exceeds (R-1)*dilation: no transposed convolution");
    }
    if (tuned == null) {
      return accept("stride 1: the forward of dy with flipped weights, as chosen");
    }
    if (g.cg() < tuned.implicitMinLaneFilters()) {
      return decline(g.cg() + " input channels per group < " + tuned.implicitMinLaneFilters()
          + ": the transpose's few filters leave the micro-tile's lanes empty");
    }
    return narrowFor(ImplicitGemm.transposed(g), "stride 1, the forward of dy", tuned);
  }

  private static Candidate.Verdict narrowFor(ConvGeometry g, String what, Tuning t) {
    return narrowFor(g, what, t.implicitMaxRowWastePercent(), "");
  }

  /** Accepts padded rows at most {@code pct}% wider than the output's; {@code why}: whence. */
  private static Candidate.Verdict narrowFor(ConvGeometry g, String what, int pct,
      String why) {
    int pitch = PaddedWindows.rowPitch(g);
    String rows = "padded rows " + pitch + (Tuning.rowWasteAtMost(pitch, g.q(), pct)
        ? " <= " : " > ") + (100 + pct) + "% of " + g.q() + why;
    return Tuning.rowWasteAtMost(pitch, g.q(), pct) ? accept(what + ", " + rows)
        : decline(rows + ": the dropped columns cost more than im2col's copy");
  }

  private Candidate.Verdict implicitWeight(ConvGeometry g) {
    Candidate.Verdict shape = implicitShape(g, "");
    if (!shape.accepts()) {
      return shape;
    }
    int cols = PaddedWindows.columnsPerImage(g, g.p());
    int min = tuning.implicitMinWeightColumns();
    if (cols >= min) {
      return accept(cols + " columns per image >= " + min);
    }
    String shortRuns = cols + " columns per image < " + min;
    long batch = (long) g.n() * cols;
    boolean strided = g.strideH() > 1 || g.strideW() > 1;
    if (strided && !disjointWindows(g) && cols >= tuning.implicitStridedMinWeightColumns()
        && batch >= tuning.implicitWeightMinBatchColumns()) {
      return accept(shortRuns + ", but stride " + stride(g) + " with overlapping windows ("
          + cols + " per image >= " + tuning.implicitStridedMinWeightColumns() + ", " + batch
          + " in the batch >= " + tuning.implicitWeightMinBatchColumns()
          + "): im2col would gather each input element once per window, one at a time");
    }
    if (g.kg() > tuning.implicitWeightMaxFilters()) {
      return decline(shortRuns + " and " + g.kg() + " filters per group > "
          + tuning.implicitWeightMaxFilters() + ": short runs per micro-tile");
    }
    if (batch < tuning.implicitWeightMinBatchColumns()) {
      return decline(shortRuns + " and " + batch + " in the batch < "
          + tuning.implicitWeightMinBatchColumns() + ": nothing to overlap the copies with");
    }
    return accept(shortRuns + ", but " + g.kg() + " filters per group <= "
        + tuning.implicitWeightMaxFilters() + " (im2col's copy weighs as 1/(K/G)) and " + batch
        + " columns in the batch >= " + tuning.implicitWeightMinBatchColumns());
  }

  /** The implicit weight gradient's own candidate: {@link #implicitWeight}, and full lanes. */
  private Candidate.Verdict implicitWeightLanes(ConvGeometry g) {
    Candidate.Verdict shape = implicitWeight(g);
    if (shape.accepts() && g.kg() < tuning.implicitMinLaneFilters()) {
      return decline(g.kg() + " filters per group < " + tuning.implicitMinLaneFilters()
          + ": they leave the micro-tile's lanes empty");
    }
    return shape;
  }

  /** AUTO's dot-product weight gradient: where the implicit one would run, shallow filters. */
  private Candidate.Verdict windowDots(ConvGeometry g) {
    Candidate.Verdict implicit = implicitWeight(g);
    if (!implicit.accepts()) {
      return implicit;
    }
    Candidate.Verdict shallow = windowDotsShape(g, null);
    return shallow.accepts() ? accept(shallow.reason() + "; " + implicit.reason()) : shallow;
  }

  private Candidate.Verdict windowDotsShape(ConvGeometry g, ExecContext unused) {
    if (!PaddedWindows.supports(g)) {
      return decline("NHWC");
    }
    // windows that do not overlap make the outer-product pass's copy no larger than the input
    boolean disjoint = disjointWindows(g);
    int max = disjoint ? tuning.windowDotsMaxDepthDisjoint() : tuning.windowDotsMaxDepth();
    String taps = (disjoint ? "windows disjoint (kernel " + g.r() + "x" + g.s()
        + " within stride " + stride(g) + "): " : "") + g.crs() + " taps per filter";
    if (g.crs() > max) {
      return decline(taps + " > " + max);
    }
    if (g.q() % tuning.windowDotsRowMultiple() != 0) {
      return decline("output rows of " + g.q() + ", not a multiple of "
          + tuning.windowDotsRowMultiple());
    }
    return accept(taps + " <= " + max + ", rows of " + g.q() + " (a multiple of "
        + tuning.windowDotsRowMultiple() + "): dot products read dy in place");
  }

  /** Whether no two outputs' windows share an input pixel: the extent is within the stride. */
  private static boolean disjointWindows(ConvGeometry g) {
    return (g.r() - 1) * g.dilH() + 1 <= g.strideH() && (g.s() - 1) * g.dilW() + 1 <= g.strideW();
  }

  /**
   * AUTO's whole-plane dot-product weight gradient: window-dots's bounds (the implicit weight
   * gradient's columns, shallow filters) at stride 1, where rows are not whole vectors.
   */
  private Candidate.Verdict planeDots(ConvGeometry g) {
    Candidate.Verdict implicit = implicitWeight(g);
    if (!implicit.accepts()) {
      return implicit;
    }
    if (!PlaneDots.supports(g)) {
      return decline("stride " + stride(g) + ": its shifted copies are stride 1's");
    }
    int max = tuning.windowDotsMaxDepth();
    if (g.crs() > max) {
      return decline(g.crs() + " taps per filter > " + max);
    }
    return accept(g.crs() + " taps per filter <= " + max + ", rows of " + g.q()
        + ": dot products along whole planes of column-shifted copies; " + implicit.reason());
  }

  private Candidate.Verdict pointwiseDots(ConvGeometry g) {
    if (!PointwiseDots.supports(g)) {
      return decline("not NCHW 1x1 stride 1 unpadded on planes of 2+ pixels");
    }
    long products = (long) g.cg() * g.kg();
    int sum = g.cg() + g.kg();
    int max = tuning.pointwiseDotsMaxProductsPerValue();
    String per = String.format(Locale.ROOT,
        "%d*%d/(%d+%d) = %.1f products per packed value", g.cg(), g.kg(), g.cg(), g.kg(),
        (double) products / sum);
    if (products > (long) max * sum) {
      return decline(per + " > " + max + ": the GEMM's rate outweighs its packing");
    }
    return accept(per + " <= " + max + ": dot products along the planes, nothing packed");
  }

  private static boolean unitStride(ConvGeometry g) {
    return g.strideH() == 1 && g.strideW() == 1;
  }

  private static String stride(ConvGeometry g) {
    return g.strideH() + "x" + g.strideW();
  }

  /** A weight-gradient-only path ({@link WindowDots}, {@link PointwiseDots}). */
  private static final class WeightOnly implements ConvAlgorithm {
    /** The weight gradient it runs. */
    @FunctionalInterface
    interface WeightPass {
      void run(ConvGeometry g, float[] dy, float[] x, float[] dw, ExecContext ctx);
    }

    private final String name;
    private final WeightPass pass;

    WeightOnly(String name, WeightPass pass) {
      this.name = name;
      this.pass = pass;
    }

    @Override
    public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
        ExecContext ctx) {
      throw new UnsupportedOperationException(name + " is a weight gradient");
    }

    @Override
    public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx,
        ExecContext ctx) {
      throw new UnsupportedOperationException(name + " is a weight gradient");
    }

    @Override
    public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
        ExecContext ctx) {
      pass.run(g, dy, x, dw, ctx);
    }
  }
}
