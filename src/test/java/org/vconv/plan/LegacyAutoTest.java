package org.vconv.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Layout;
import org.vconv.algo.CoveringGemm;
import org.vconv.algo.ImageBlockedGemm;
import org.vconv.algo.ImplicitGemm;
import org.vconv.im2col.PaddedWindows;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * The planner makes AUTO's choices of before it existed, on panama-512's table: the rules of
 * the old {@code ConvAlgorithms.select} and the {@code preferred} methods of GroupedDirect,
 * ImageBlockedGemm, ImplicitGemm and WindowDots are copied here with their constants, and each
 * is followed through the old classes' own hand-offs (to im2col, to Pointwise, to WindowDots)
 * to the path that actually ran. Over a grid of about 20,000 shapes and passes, both layouts,
 * every pass, the planner names the same path.
 */
class LegacyAutoTest {

  // the old constants
  private static final int MAX_AUTO_CHANNELS_PER_GROUP = 16;
  private static final int MAX_AUTO_CHANNELS_PER_GROUP_NCHW = 32;
  private static final int MAX_INPUT_PIXELS = 1024;
  private static final int MIN_TAP_DEPTH = 128;
  private static final int MIN_WEIGHT_COLUMNS = 512;
  // added since: shallow forwards (stride 1, and strided ones, which the old constants kept
  // 512 deep), few-filter implicit input and weight gradients (filters on the micro-tile's
  // lanes), short-row weight gradients with few filters
  private static final int MIN_DEPTH = 64;
  private static final int MIN_LANE_FILTERS = 32;
  private static final int MAX_SHORT_ROW_FILTERS = 64;
  private static final int MIN_BATCH_COLUMNS = 1024;
  // added since: stride-1 forwards at any padded row width, for deep reductions
  private static final int DENSE_MIN_DEPTH = 512;
  private static final int MAX_DEPTH = 256;
  // added since: disjoint windows (kernel within stride) as dots only for shallow filters
  private static final int MAX_DEPTH_DISJOINT = 32;
  private static final int ROW_MULTIPLE = 16;
  // added since: pointwise weight gradients with few products per packed value as dots
  private static final int MAX_PRODUCTS_PER_VALUE = 24;
  // added since: strided weight gradients with overlapping windows and short rows, any filters
  private static final int MIN_STRIDED_WEIGHT_COLUMNS = 32;

  /**
   * The old AUTO: the class it picked, followed to the path that ran; and the candidates added
   * since: channels-last depthwise and pointwise over the batch ahead of all, Winograd ahead of
   * the GEMM paths (panama-512's numbers, copied here).
   */
  static String legacyPath(ConvGeometry g, Pass pass, ExecContext ctx) {
    if (channelsLastDepthwise(g, pass, ctx)) {
      return Planner.DEPTHWISE_CHANNELS_LAST;
    }
    if (pointwiseOverTheBatch(g, pass, ctx)) {
      return Planner.POINTWISE_BATCH_GEMM;
    }
    if (pointwiseDots(g, pass)) {
      return Planner.POINTWISE_DOTS;
    }
    if (groupedPreferred(g, pass)) {
      return Planner.GROUPED_DIRECT;
    }
    if (!g.isPointwise() && CoveringGemm.applies(g)) { // added since: a dense layer
      return Planner.COVERING_GEMM;
    }
    if (winogradPreferred(g, pass, ctx)) {
      return Planner.WINOGRAD;
    }
    if (imageBlockedPreferred(g, pass)) { // ran itself within the budget, else im2col
      return ImageBlockedGemm.runs(g, pass == Pass.BACKWARD_DATA, ctx) ? Planner.IMAGE_BLOCKED_GEMM
          : im2colPath(g);
    }
    if (implicitPreferred(g, pass)) {
      return switch (pass) {
        case FORWARD -> ImplicitGemm.supports(g) ? Planner.IMPLICIT_GEMM : im2colPath(g);
        case BACKWARD_DATA -> {
          boolean unit = g.strideH() == 1 && g.strideW() == 1;
          ConvGeometry t = ImplicitGemm.supports(g) && unit ? ImplicitGemm.transposed(g) : null;
          yield t == null || !ImplicitGemm.supports(t) ? im2colPath(g) : Planner.IMPLICIT_GEMM;
        }
        case BACKWARD_WEIGHT -> windowDotsPreferred(g) ? Planner.WINDOW_DOTS
            : planeDotsPreferred(g) ? Planner.PLANE_DOTS
            : ImplicitGemm.supports(g) && g.kg() >= MIN_LANE_FILTERS ? Planner.IMPLICIT_GEMM
            : im2colPath(g);
      };
    }
    return im2colPath(g);
  }

  /** The old explicit choices: the class, followed through its own hand-offs. */
  static String legacyExplicit(Algorithm a, ConvGeometry g, Pass pass, ExecContext ctx) {
    boolean unit = g.strideH() == 1 && g.strideW() == 1;
    return switch (a) {
      case AUTO -> legacyPath(g, pass, ctx);
      case DIRECT -> Planner.DIRECT;
      case KERNEL_OFFSET -> Planner.KERNEL_OFFSET;
      case IM2COL_GEMM -> im2colPath(g);
      case IMPLICIT_GEMM -> switch (pass) {
        case FORWARD -> ImplicitGemm.supports(g) ? Planner.IMPLICIT_GEMM : im2colPath(g);
        case BACKWARD_DATA -> {
          ConvGeometry t = ImplicitGemm.supports(g) && unit ? ImplicitGemm.transposed(g) : null;
          yield t == null || !ImplicitGemm.supports(t) ? im2colPath(g) : Planner.IMPLICIT_GEMM;
        }
        case BACKWARD_WEIGHT -> windowDotsPreferred(g) ? Planner.WINDOW_DOTS
            : ImplicitGemm.supports(g) ? Planner.IMPLICIT_GEMM : im2colPath(g);
      };
      case WINOGRAD -> g.r() == 3 && g.s() == 3 && unit && g.dilH() == 1 && g.dilW() == 1
          ? Planner.WINOGRAD : im2colPath(g);
      case IMAGE_BLOCKED_GEMM -> pass != Pass.BACKWARD_WEIGHT
          && ImageBlockedGemm.runs(g, pass == Pass.BACKWARD_DATA, ctx)
          ? Planner.IMAGE_BLOCKED_GEMM : im2colPath(g);
    };
  }

  /** Im2colGemm ran pointwise shapes as Pointwise's plain GEMMs. */
  private static String im2colPath(ConvGeometry g) {
    return g.isPointwise() ? Planner.POINTWISE_GEMM : Planner.IM2COL_GEMM;
  }

  /**
   * The Winograd rule: 3x3 stride 1, 32+ channels per group (64+ in NCHW), 100+ output
   * pixels, in NCHW at most 4096, 128+ tiles in the batch; the NCHW input gradient as the
   * forward (at first never); the weight gradient with 64+ channels per group.
   */
  private static boolean winogradPreferred(ConvGeometry g, Pass pass, ExecContext ctx) {
    boolean shape = g.r() == 3 && g.s() == 3 && g.strideH() == 1 && g.strideW() == 1
        && g.dilH() == 1 && g.dilW() == 1
        && Math.min(g.cg(), g.kg()) >= (g.layout() == Layout.NHWC ? 32 : 64)
        && g.p() * g.q() >= 100 && (g.layout() == Layout.NHWC || g.p() * g.q() <= 4096)
        && (long) g.n() * ((g.p() + 1) / 2) * ((g.q() + 1) / 2) >= 128;
    return shape && switch (pass) {
      case FORWARD, BACKWARD_DATA -> true;
      case BACKWARD_WEIGHT -> Math.min(g.cg(), g.kg()) >= 64
          && 16L * g.kg() * g.cg() * Float.BYTES <= ctx.workspaceBytes() / 2;
    };
  }

  private static boolean groupedPreferred(ConvGeometry g, Pass pass) {
    if (g.isPointwise() || g.groups() == 1) {
      return false;
    }
    int bound = g.layout() == Layout.NCHW && pass != Pass.BACKWARD_WEIGHT
        ? MAX_AUTO_CHANNELS_PER_GROUP_NCHW : MAX_AUTO_CHANNELS_PER_GROUP;
    if (g.cg() > 1 && g.layout() == Layout.NCHW && switch (pass) {
      // added since: not the strided input gradient, nor the weight gradient of few output
      // pixels in the batch (a floor on the input gradient's planes, 256 pixels, went once
      // its weight reordering stopped costing more than small planes' sums)
      case FORWARD -> false;
      case BACKWARD_DATA -> g.strideH() > 1 || g.strideW() > 1;
      case BACKWARD_WEIGHT -> g.n() * g.p() * g.q() < 256;
    }) {
      return false;
    }
    return g.cg() <= bound;
  }

  private static boolean imageBlockedPreferred(ConvGeometry g, Pass pass) {
    boolean batches = g.layout() == Layout.NCHW && !g.isPointwise() && g.n() % 8 == 0;
    return batches && switch (pass) {
      case FORWARD -> smallPaddedPlanes(g);
      case BACKWARD_DATA -> g.strideH() == 1 && g.strideW() == 1
          && ImplicitGemm.transposed(g) != null && smallPaddedPlanes(ImplicitGemm.transposed(g));
      case BACKWARD_WEIGHT -> false;
    };
  }

  private static boolean smallPaddedPlanes(ConvGeometry g) {
    boolean unitStride = g.strideH() == 1 && g.strideW() == 1;
    return unitStride && g.hw() <= MAX_INPUT_PIXELS && g.cg() >= MIN_TAP_DEPTH
        && PaddedWindows.rowPitch(g) * 10 > g.q() * 11;
  }

  private static boolean narrowPadding(ConvGeometry g) {
    return PaddedWindows.rowPitch(g) * 5 <= g.q() * 6;
  }

  /**
   * Added since the old AUTO: the stride-1 forward also takes padded rows up to 6400% / (K/G)
   * wider than the output's (im2col's copy weighs as 1/(K/G) against the GEMM).
   */
  private static boolean narrowForFewFilters(ConvGeometry g) {
    long pct = 6400 / g.kg();
    return (long) (PaddedWindows.rowPitch(g) - g.q()) * 100 <= pct * g.q();
  }

  private static boolean implicitPreferred(ConvGeometry g, Pass pass) {
    boolean unitStride = g.strideH() == 1 && g.strideW() == 1;
    return ImplicitGemm.supports(g) && switch (pass) {
      case FORWARD -> unitStride ? g.crs() >= MIN_DEPTH
          && (narrowPadding(g) || narrowForFewFilters(g) || g.crs() >= DENSE_MIN_DEPTH)
          : g.r() >= g.strideH() && g.s() >= g.strideW() && g.crs() >= MIN_DEPTH;
      case BACKWARD_DATA -> unitStride && g.cg() >= MIN_LANE_FILTERS
          && (ImplicitGemm.transposed(g) == null || narrowPadding(ImplicitGemm.transposed(g)));
      case BACKWARD_WEIGHT -> PaddedWindows.columnsPerImage(g, g.p()) >= MIN_WEIGHT_COLUMNS
          || (g.kg() <= MAX_SHORT_ROW_FILTERS || !unitStride && overlapping(g)
              && PaddedWindows.columnsPerImage(g, g.p()) >= MIN_STRIDED_WEIGHT_COLUMNS)
          && (long) g.n() * PaddedWindows.columnsPerImage(g, g.p()) >= MIN_BATCH_COLUMNS;
    };
  }

  /** Whether two outputs' windows share input pixels: the kernel's extent exceeds the stride. */
  private static boolean overlapping(ConvGeometry g) {
    return (g.r() - 1) * g.dilH() >= g.strideH() || (g.s() - 1) * g.dilW() >= g.strideW();
  }

  private static boolean windowDotsPreferred(ConvGeometry g) {
    boolean disjoint = !overlapping(g);
    return PaddedWindows.supports(g) && g.crs() <= (disjoint ? MAX_DEPTH_DISJOINT : MAX_DEPTH)
        && g.q() % ROW_MULTIPLE == 0;
  }

  /** Added since: the other rows of shallow stride-1 filters, as dots along whole planes. */
  private static boolean planeDotsPreferred(ConvGeometry g) {
    return PaddedWindows.supports(g) && g.crs() <= MAX_DEPTH && g.strideH() == 1
        && g.strideW() == 1;
  }

  /** Shapes around every bound of the old rules. */
  static List<ConvGeometry> grid() {
    List<ConvGeometry> out = new ArrayList<>();
    int[] batches = {1, 7, 8, 16};
    int[] channels = {3, 16, 17, 32, 33, 64, 127, 128, 256};
    int[] sizes = {7, 14, 16, 28, 32, 33, 56};
    int[] kernels = {1, 3, 5, 7};
    for (Layout l : Layout.values()) {
      for (int n : batches) {
        for (int c : channels) {
          for (int hw : sizes) {
            for (int r : kernels) {
              for (int stride = 1; stride <= 2; stride++) {
                for (int pad : new int[] {0, r / 2, r - 1}) {
                  for (int groups : new int[] {1, 2, c}) {
                    if (c % groups != 0 || (pad == r / 2 && pad == r - 1 && r > 1)) {
                      continue;
                    }
                    int k = groups == c ? c : c == 3 ? 64 : 2 * c;
                    add(out, l, n, c, hw, hw, k, r, r, stride, pad, 1, groups);
                  }
                }
              }
            }
          }
        }
      }
    }
    // dilation, asymmetric strides and unequal sides
    for (Layout l : Layout.values()) {
      add(out, l, 8, 128, 14, 14, 128, 3, 3, 1, 2, 2, 1);
      add(out, l, 8, 256, 12, 30, 256, 3, 3, 1, 1, 1, 1);
      add(out, l, 2, 64, 40, 20, 64, 3, 1, 2, 1, 1, 1);
      add(out, l, 8, 512, 7, 7, 512, 3, 3, 1, 1, 1, 1);
      add(out, l, 1, 3, 224, 224, 64, 7, 7, 2, 3, 1, 1);
    }
    return out;
  }

  private static void add(List<ConvGeometry> out, Layout l, int n, int c, int h, int w, int k,
      int r, int s, int stride, int pad, int dil, int groups) {
    long p = ConvGeometry.outputExtent(h, pad, pad, r, dil, stride);
    long q = ConvGeometry.outputExtent(w, pad, pad, s, dil, stride);
    if (p <= 0 || q <= 0) {
      return;
    }
    out.add(new ConvGeometry(l, n, c, h, w, k, r, s, (int) p, (int) q, stride, stride, pad, pad,
        pad, pad, dil, dil, groups));
  }

  /**
   * The rule of the channels-last depthwise path, added after the old AUTO, with panama-512's
   * numbers: NCHW depthwise, not 1x1 stride 1 unpadded, 16 channels or more, output planes of
   * at most 256 pixels at stride 1 or 1024 strided (256 for a strided input gradient, at first
   * none), copies within
   * the budget; and, added with the padded plane kernels, not the forward or input gradient of
   * a stride-1 undilated kernel of 25 taps and 2 rows or more, on output planes of 4 rows or
   * more whose rows fill at least half of their vectors (SIMD kernels only).
   */
  private static boolean channelsLastDepthwise(ConvGeometry g, Pass pass, ExecContext ctx) {
    boolean strided = g.strideH() > 1 || g.strideW() > 1;
    int lanes = ctx.kernels().vectorBitSize() / Float.SIZE;
    boolean padded = lanes > 1 && !strided && g.dilH() == 1 && g.dilW() == 1
        && g.r() >= 2 && g.r() * g.s() >= 25 && g.p() >= 4
        && 2 * g.q() >= (g.q() + lanes - 1) / lanes * lanes;
    if (padded && pass != Pass.BACKWARD_WEIGHT) {
      return false;
    }
    long copies = Math.min(g.n(), ctx.threads())
        * ((long) g.c() * g.h() * g.w() + (long) g.k() * g.p() * g.q() + g.weightSize())
        + (g.n() + 2L) * g.weightSize();
    return g.layout() == Layout.NCHW && g.cg() == 1 && g.kg() == 1 && !g.isPointwise()
        && g.c() >= 16
        && g.p() * g.q() <= (strided && pass != Pass.BACKWARD_DATA ? 1024 : 256)
        && copies <= ctx.workspaceFloats();
  }

  /**
   * The rule of the batched pointwise path, added after the old AUTO: NCHW pointwise, more
   * than one image, planes of 2 to 100 pixels, not the weight gradient, one group's staged
   * output within the budget.
   */
  private static boolean pointwiseDots(ConvGeometry g, Pass pass) {
    return pass == Pass.BACKWARD_WEIGHT && g.isPointwise() && g.layout() == Layout.NCHW
        && g.h() * g.w() > 1
        && (long) g.cg() * g.kg() <= (long) MAX_PRODUCTS_PER_VALUE * (g.cg() + g.kg());
  }

  private static boolean pointwiseOverTheBatch(ConvGeometry g, Pass pass, ExecContext ctx) {
    long staged = (long) Math.max(g.kg(), g.cg()) * g.n() * g.h() * g.w();
    return g.isPointwise() && g.layout() == Layout.NCHW && g.n() > 1 && g.h() * g.w() > 1
        && g.h() * g.w() <= 100 && pass != Pass.BACKWARD_WEIGHT
        && staged <= ctx.workspaceFloats();
  }

  @Test
  void autoOnPanama512MakesTheOldChoices() {
    VectorProvider kernels = VectorProviders.get();
    // the old image-blocked check of the budget used the running kernels' tile; the rules
    // are panama-512's table whatever this JVM runs
    ExecContext ctx = new ExecContext(2, ExecContext.DEFAULT_WORKSPACE_BYTES, kernels);
    Planner planner = Planner.of(Tuning.of("panama-512"));
    Map<String, Integer> byPath = new TreeMap<>();
    int checked = 0;
    for (ConvGeometry g : grid()) {
      for (Pass pass : Pass.values()) {
        String expected = legacyPath(g, pass, ctx);
        PassPlan plan = planner.plan(Algorithm.AUTO, pass, g, ctx);
        assertEquals(expected, plan.path(), g + " " + pass + ": " + plan.reason());
        byPath.merge(expected, 1, Integer::sum);
        checked++;
      }
    }
    assertTrue(checked > 20_000, "shapes checked: " + checked);
    // every path of the old AUTO, and the six added since, was reached by the grid
    assertEquals(List.of(Planner.COVERING_GEMM, Planner.DEPTHWISE_CHANNELS_LAST, Planner.GROUPED_DIRECT,
        Planner.IM2COL_GEMM, Planner.IMAGE_BLOCKED_GEMM, Planner.IMPLICIT_GEMM,
        Planner.PLANE_DOTS, Planner.POINTWISE_BATCH_GEMM, Planner.POINTWISE_DOTS,
        Planner.POINTWISE_GEMM, Planner.WINDOW_DOTS, Planner.WINOGRAD),
        List.copyOf(byPath.keySet()), byPath.toString());
  }

  /**
   * Every explicit choice runs the path its class ran (falling back to im2col where it did),
   * on every provider's table, and a small budget too (the image-blocked slab's decline).
   */
  @Test
  void explicitChoicesRunWhatTheirClassesRan() {
    int checked = 0;
    for (long budget : new long[] {ExecContext.DEFAULT_WORKSPACE_BYTES, 64L << 10}) {
      ExecContext ctx = new ExecContext(2, budget, VectorProviders.get());
      for (Tuning t : Tuning.TABLES) {
        Planner planner = Planner.of(t);
        for (ConvGeometry g : grid()) {
          if (g.n() != 8 || g.r() == 5) {
            continue; // a quarter of the grid: explicit choices use no tuned batch or kernel
          }
          for (Algorithm a : Algorithm.values()) {
            if (a == Algorithm.AUTO) {
              continue;
            }
            for (Pass pass : Pass.values()) {
              PassPlan plan = planner.plan(a, pass, g, ctx);
              assertEquals(legacyExplicit(a, g, pass, ctx), plan.path(),
                  a + " " + g + " " + pass + ": " + plan.reason());
              checked++;
            }
          }
        }
      }
    }
    assertTrue(checked > 50_000, "checked " + checked);
  }
}
