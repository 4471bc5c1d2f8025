package org.vconv;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.vconv.algo.BiasGradient;
import org.vconv.algo.PaddingSemantics;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.GeometryResolver;
import org.vconv.plan.Pass;
import org.vconv.plan.PassPlan;
import org.vconv.plan.PlanCache;
import org.vconv.plan.Planner;
import org.vconv.plan.ShapePlan;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * The entry point: a {@link ConvSpec} bound to execution options (algorithm, threads,
 * workspace budget). Immutable and thread-safe; hold one per layer and call it from any number
 * of threads at once.
 *
 * <pre>{@code
 * Conv2d conv = Conv2d.of(ConvSpec.builder().padding(1).build());
 * Tensor y = conv.forward(x, w, bias);
 * Gradients g = conv.backward(dy, x, w);          // input, weight and bias gradients
 * }</pre>
 *
 * <p>Every public method validates all its arguments before it writes anything and throws
 * {@link IllegalArgumentException} naming the offending parameter and values; a failed call
 * leaves every output untouched. NaN and infinities propagate as in PyTorch's convolution:
 * zero padding takes part in the products, so a non-finite weight tap on padding gives NaN
 * (PyTorch's own depthwise kernel skips padding instead; vconv is the same for every shape).
 *
 * <p>Results are bitwise identical for any thread count and any load. Global defaults come
 * from the system properties {@code vconv.threads} (default: available processors) and
 * {@code vconv.workspaceBytes} (default 64 MiB).
 *
 * <p>Each pass runs the path its {@linkplain #plan plan} names; plans are made once per shape
 * and kept (a few shapes per convolution). With the system property {@code vconv.verbose} set
 * to {@code plan}, each new plan is logged once, at level INFO, through the
 * {@link System.Logger} named {@code org.vconv}.
 *
 * <p>Under load: all calls share one pool of helper threads, at most the largest thread
 * setting less one, however many threads call. Each call reserves its workspace budget from
 * the process-wide scratch cap ({@link Scratch}) while it runs, and waits, first come first
 * served, while the running calls' reservations leave too little of it. Any Throwable thrown
 * while a call runs, on whichever thread, reaches the calling thread as itself (checked ones
 * wrapped in {@link IllegalStateException}) after the call's other tasks have stopped; the
 * outputs are then unspecified and the next call runs normally. A caller interrupted while
 * it waits or runs gets a {@link java.util.concurrent.CancellationException} between tasks,
 * with its interrupt status still set; its outputs are then unspecified.
 */
public final class Conv2d {
  private static final System.Logger LOG = System.getLogger("org.vconv");

  /** Plan lines logged so far (bounded), so each is logged once per JVM. */
  private static final Set<String> LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static final int MAX_LOGGED = 4096;

  /** The paths the calling thread's last passes ran, by pass: what tests check. */
  private static final ThreadLocal<String[]> LAST_RUN =
      ThreadLocal.withInitial(() -> new String[Pass.values().length]);

  private final PlanCache plans = new PlanCache();
  private final ConvSpec spec;
  private final Algorithm algorithm;
  private final int threads;
  private final long workspaceBytes;
  private final boolean vectorized;
  private final PlanningMode planning;

  private Conv2d(ConvSpec spec, Algorithm algorithm, int threads, long workspaceBytes,
      boolean vectorized, PlanningMode planning) {
    this.spec = spec;
    this.algorithm = algorithm;
    this.threads = threads;
    this.workspaceBytes = workspaceBytes;
    this.vectorized = vectorized;
    this.planning = planning;
  }

  /**
   * A convolution with the default options: {@link Algorithm#AUTO}, {@link #defaultThreads()}
   * threads, a {@link #defaultWorkspaceBytes()} budget, and the JVM's default kernels.
   *
   * @param spec what to compute
   * @return the convolution
   * @throws NullPointerException if {@code spec} is null
   */
  public static Conv2d of(ConvSpec spec) {
    return new Conv2d(Objects.requireNonNull(spec, "spec"), Algorithm.AUTO, defaultThreads(),
        defaultWorkspaceBytes(), true, defaultPlanning());
  }

  /**
   * The same convolution computed with another algorithm; all agree up to rounding.
   *
   * @param a the algorithm
   * @return a new convolution; this one is unchanged
   * @throws NullPointerException if {@code a} is null
   */
  public Conv2d withAlgorithm(Algorithm a) {
    return new Conv2d(spec, Objects.requireNonNull(a, "algorithm"), threads, workspaceBytes,
        vectorized, planning);
  }

  /**
   * The same convolution on up to {@code t} threads, the caller's included. Results are
   * bitwise the same for any {@code t}.
   *
   * @param t the thread count, at least 1
   * @return a new convolution; this one is unchanged
   * @throws IllegalArgumentException if {@code t < 1}
   */
  public Conv2d withThreads(int t) {
    if (t < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + t);
    }
    return new Conv2d(spec, algorithm, t, workspaceBytes, vectorized, planning);
  }

  /**
   * The same convolution with a scratch budget of {@code bytes} per call. A call reserves its
   * budget from the process-wide {@link Scratch} cap while it runs, so a smaller budget lets
   * more calls run at once; the tiles, and with them the weight gradient's last bits, follow
   * the budget.
   *
   * @param bytes the budget, at least {@link #MIN_WORKSPACE_BYTES}
   * @return a new convolution; this one is unchanged
   * @throws IllegalArgumentException if {@code bytes} is below the minimum
   */
  public Conv2d withWorkspaceBytes(long bytes) {
    if (bytes < MIN_WORKSPACE_BYTES) {
      throw new IllegalArgumentException("workspace budget must be at least "
          + MIN_WORKSPACE_BYTES + " bytes, got " + bytes);
    }
    return new Conv2d(spec, algorithm, threads, bytes, vectorized, planning);
  }

  /**
   * The same convolution on the JVM's default kernels ({@code true}) or on the scalar kernels
   * even where SIMD kernels are available ({@code false}, for comparisons). The default
   * kernels are chosen once per JVM: the Vector API's preferred width when
   * {@code jdk.incubator.vector} is in the boot layer, else scalar; the system property
   * {@code vconv.simd} ({@code preferred}, {@code 512}, {@code 256}, {@code 128} or
   * {@code scalar}) forces a choice.
   *
   * @param enabled whether to use the default kernels
   * @return a new convolution; this one is unchanged
   */
  public Conv2d withVectorization(boolean enabled) {
    return new Conv2d(spec, algorithm, threads, workspaceBytes, enabled, planning);
  }

  /**
   * The same convolution planned another way: {@link PlanningMode#ESTIMATE} by rules, or
   * {@link PlanningMode#MEASURE} by timing the paths that accept each shape on its first call
   * (the choice goes into {@link Wisdom}). Only {@link Algorithm#AUTO} has a choice to make.
   *
   * @param mode how to plan
   * @return a new convolution; this one is unchanged
   * @throws NullPointerException if {@code mode} is null
   */
  public Conv2d withPlanning(PlanningMode mode) {
    return new Conv2d(spec, algorithm, threads, workspaceBytes, vectorized,
        Objects.requireNonNull(mode, "planning mode"));
  }

  /**
   * How this convolution plans.
   *
   * @return the planning mode
   */
  public PlanningMode planning() {
    return planning;
  }

  /**
   * The default planning mode: the system property {@code vconv.planning} ({@code estimate}
   * or {@code measure}), else ESTIMATE.
   *
   * @return the mode
   * @throws IllegalArgumentException if the property names no mode
   */
  public static PlanningMode defaultPlanning() {
    String v = System.getProperty("vconv.planning", "estimate").strip();
    for (PlanningMode m : PlanningMode.values()) {
      if (m.name().equalsIgnoreCase(v)) {
        return m;
      }
    }
    throw new IllegalArgumentException("vconv.planning must be estimate or measure, got '" + v
        + "'");
  }

  /**
   * The kernels this convolution runs on.
   *
   * @return e.g. "panama-512", "panama-256" or "scalar"
   */
  public String kernels() {
    return provider().name();
  }

  private VectorProvider provider() {
    return vectorized ? VectorProviders.get() : VectorProviders.scalar();
  }

  /** The smallest workspace budget accepted: 64 KiB. */
  public static final long MIN_WORKSPACE_BYTES = 64L << 10;

  /**
   * The default thread count: the system property {@code vconv.threads}, else the number of
   * available processors.
   *
   * @return at least 1
   */
  public static int defaultThreads() {
    return ExecContext.defaultThreads();
  }

  /**
   * The default workspace budget: the system property {@code vconv.workspaceBytes}, else
   * 64 MiB.
   *
   * @return at least {@link #MIN_WORKSPACE_BYTES}
   */
  public static long defaultWorkspaceBytes() {
    long b = Long.getLong("vconv.workspaceBytes", ExecContext.DEFAULT_WORKSPACE_BYTES);
    return Math.max(MIN_WORKSPACE_BYTES, b);
  }

  /**
   * What this convolution computes.
   *
   * @return the spec
   */
  public ConvSpec spec() {
    return spec;
  }

  /**
   * How this convolution computes.
   *
   * @return the algorithm
   */
  public Algorithm algorithm() {
    return algorithm;
  }

  /**
   * The most threads a call uses, the caller's included.
   *
   * @return the thread count
   */
  public int threads() {
    return threads;
  }

  /**
   * The scratch budget per call.
   *
   * @return the budget in bytes
   */
  public long workspaceBytes() {
    return workspaceBytes;
  }

  /**
   * The output shape for the given input and weight shapes.
   *
   * @param inputShape the input's shape in this spec's layout
   * @param weightShape the weight's shape in this spec's layout
   * @return a new array, the output's shape in this spec's layout
   * @throws IllegalArgumentException if the shapes do not fit the spec or each other
   */
  public int[] outputShape(int[] inputShape, int[] weightShape) {
    Objects.requireNonNull(inputShape, "input shape");
    Objects.requireNonNull(weightShape, "weight shape");
    return GeometryResolver.resolve(spec, inputShape.clone(), weightShape.clone()).outputShape();
  }

  /**
   * Which path computes each pass on these shapes, and why. The passes then run exactly these
   * paths (an input gradient with non-finite weights, or a weight gradient with a non-finite
   * input, may run the exact path its reason names).
   *
   * @param inputShape the input's shape in this spec's layout
   * @param weightShape the weight's shape in this spec's layout
   * @return the plan: one step per pass
   * @throws IllegalArgumentException if the shapes do not fit the spec or each other
   */
  public ConvPlan plan(int[] inputShape, int[] weightShape) {
    Objects.requireNonNull(inputShape, "input shape");
    Objects.requireNonNull(weightShape, "weight shape");
    ConvGeometry g = GeometryResolver.resolve(spec, inputShape.clone(), weightShape.clone());
    return new ConvPlan(kernels(), shapePlan(g).passes().stream()
        .map(p -> new ConvPlan.Step(p.pass().label(), p.path(), p.reason())).toList());
  }

  private ShapePlan shapePlan(ConvGeometry g) {
    return plans.get(g, this::newPlan);
  }

  private ShapePlan newPlan(ConvGeometry g) {
    ExecContext ctx = context();
    Wisdom.loadDefault();
    ShapePlan p = Planner.of(ctx).plan(algorithm, g, ctx, planning);
    if ("plan".equals(System.getProperty("vconv.verbose"))) {
      String line = "vconv plan: " + describe(g) + ", " + algorithm + ", " + kernels() + ", "
          + threads + " threads: " + String.join("; ", p.lines());
      if (LOGGED.size() < MAX_LOGGED ? LOGGED.add(line) : !LOGGED.contains(line)) {
        LOG.log(System.Logger.Level.INFO, line);
      }
    }
    return p;
  }

  private static String describe(ConvGeometry g) {
    return g.layout() + " input " + Arrays.toString(g.inputShape()) + " weight "
        + Arrays.toString(g.weightShape()) + " stride " + g.strideH() + "," + g.strideW()
        + " pad " + g.padTop() + "," + g.padBottom() + "," + g.padLeft() + "," + g.padRight()
        + " dilation " + g.dilH() + "," + g.dilW() + " groups " + g.groups();
  }

  /** The path the calling thread's last run of {@code pass} took (tests), or null. */
  static String lastRun(Pass pass) {
    return LAST_RUN.get()[pass.ordinal()];
  }

  /**
   * The convolution of {@code x} with {@code w}, without bias.
   *
   * @param x the input, {@code [N, C, H, W]} or {@code [N, H, W, C]} by layout
   * @param w the weight, {@code [K, C/groups, R, S]} or {@code [R, S, C/groups, K]}
   * @return a new output tensor
   * @throws IllegalArgumentException if the shapes do not fit the spec or each other
   */
  public Tensor forward(Tensor x, Tensor w) {
    return forward(x, w, null);
  }

  /**
   * The convolution of {@code x} with {@code w}, plus {@code bias} per output channel.
   *
   * @param x the input, {@code [N, C, H, W]} or {@code [N, H, W, C]} by layout
   * @param w the weight, {@code [K, C/groups, R, S]} or {@code [R, S, C/groups, K]}
   * @param bias {@code [K]}, or null for none
   * @return a new output tensor
   * @throws IllegalArgumentException if the shapes do not fit the spec or each other
   */
  public Tensor forward(Tensor x, Tensor w, Tensor bias) {
    ConvGeometry g = resolve(x, w);
    checkBias(g, bias);
    // admitted before the output is allocated: a waiting call holds no memory
    try (ScratchPool.Admission admitted = admit()) {
      Tensor y = Tensor.zeros(g.outputShape());
      computeForward(g, x, w, bias, y);
      return y;
    }
  }

  /**
   * Overwrites {@code y} with the convolution of {@code x} with {@code w} plus {@code bias},
   * allocating no output.
   *
   * @param x the input
   * @param w the weight
   * @param bias {@code [K]}, or null for none
   * @param y the output, of {@link #outputShape}; must not share its array with an input
   * @throws IllegalArgumentException if a shape does not fit or {@code y} aliases an input;
   *     {@code y} is then untouched
   */
  public void forwardInto(Tensor x, Tensor w, Tensor bias, Tensor y) {
    ConvGeometry g = resolve(x, w);
    checkBias(g, bias);
    Objects.requireNonNull(y, "y");
    checkShape("output", y, g.outputShape());
    checkNoAlias("output", y, x, w, bias);
    try (ScratchPool.Admission admitted = admit()) {
      computeForward(g, x, w, bias, y);
    }
  }

  private void computeForward(ConvGeometry g, Tensor x, Tensor w, Tensor bias, Tensor y) {
    ExecContext ctx = context();
    LAST_RUN.get()[Pass.FORWARD.ordinal()] = shapePlan(g).forward().forward(g, x.data(),
        w.data(), bias == null ? null : bias.data(), y.data(), ctx);
    PaddingSemantics.fixForward(g, w.data(), y.data(), ctx.kernels().arrays());
  }

  /**
   * All three gradients: of the input, the weight and the bias.
   *
   * @param dy the gradient of the output, shaped like the output
   * @param x the forward pass's input
   * @param w the forward pass's weight
   * @return new gradients shaped like {@code x}, {@code w} and {@code [K]}
   * @throws IllegalArgumentException if the shapes do not fit the spec or each other
   */
  public Gradients backward(Tensor dy, Tensor x, Tensor w) {
    return backward(dy, x, w, EnumSet.allOf(Gradient.class));
  }

  /**
   * The gradients in {@code wanted}, given {@code dy} (shaped like the output). Gradients not
   * asked for are not computed and are null in the result. {@code x} is read only for the
   * weight gradient, {@code w} only for the input gradient, but both give the shapes.
   *
   * @param dy the gradient of the output, shaped like the output
   * @param x the forward pass's input
   * @param w the forward pass's weight
   * @param wanted the gradients to compute
   * @return the gradients, null where not wanted
   * @throws IllegalArgumentException if the shapes do not fit the spec or each other
   */
  public Gradients backward(Tensor dy, Tensor x, Tensor w, Set<Gradient> wanted) {
    Objects.requireNonNull(wanted, "wanted");
    ConvGeometry g = resolve(x, w);
    checkGradOutput(g, dy);
    try (ScratchPool.Admission admitted = admit()) {
      // fresh arrays: no shape or aliasing checks needed
      Tensor dx = wanted.contains(Gradient.INPUT) ? Tensor.zeros(g.inputShape()) : null;
      Tensor dw = wanted.contains(Gradient.WEIGHT) ? Tensor.zeros(g.weightShape()) : null;
      Tensor db = wanted.contains(Gradient.BIAS) ? Tensor.zeros(g.k()) : null;
      computeBackward(g, dy, x, w, dx, dw, db);
      return new Gradients(dx, dw, db);
    }
  }

  /**
   * Overwrites the given gradients, allocating nothing for results; a null output is not
   * computed. {@code dx} is shaped like {@code x}, {@code dw} like {@code w}, {@code db} is
   * {@code [K]}; none may share its array with an input or another output.
   *
   * @param dy the gradient of the output, shaped like the output
   * @param x the forward pass's input
   * @param w the forward pass's weight
   * @param dx the input gradient to overwrite, or null
   * @param dw the weight gradient to overwrite, or null
   * @param db the bias gradient to overwrite, or null
   * @throws IllegalArgumentException if a shape does not fit or an output aliases another
   *     array; the outputs are then untouched
   */
  public void backwardInto(Tensor dy, Tensor x, Tensor w, Tensor dx, Tensor dw, Tensor db) {
    ConvGeometry g = resolve(x, w);
    checkGradOutput(g, dy);
    if (dx != null) {
      checkShape("grad input", dx, g.inputShape());
      checkNoAlias("grad input", dx, dy, x, w, dw, db);
    }
    if (dw != null) {
      checkShape("grad weight", dw, g.weightShape());
      checkNoAlias("grad weight", dw, dy, x, w, db);
    }
    if (db != null) {
      checkShape("grad bias", db, new int[] {g.k()});
      checkNoAlias("grad bias", db, dy, x, w);
    }
    try (ScratchPool.Admission admitted = admit()) {
      computeBackward(g, dy, x, w, dx, dw, db);
    }
  }

  /**
   * Overwrites {@code dx} with the input gradient, the input known by its shape only: for
   * {@link ConvNd}, whose transposed forward is this pass. Validates like the public calls.
   */
  void backwardDataInto(int[] xShape, Tensor dy, Tensor w, Tensor dx) {
    ConvGeometry g = GeometryResolver.resolve(spec, xShape.clone(), w.shape());
    checkGradOutput(g, dy);
    checkShape("grad input", dx, g.inputShape());
    try (ScratchPool.Admission admitted = admit()) {
      computeBackward(g, dy, null, w, dx, null, null);
    }
  }

  /** Overwrites {@code dw} with the weight gradient, the weight known by its shape only. */
  void backwardWeightInto(Tensor dy, Tensor x, int[] wShape, Tensor dw) {
    ConvGeometry g = GeometryResolver.resolve(spec, x.shape(), wShape.clone());
    checkGradOutput(g, dy);
    checkShape("grad weight", dw, g.weightShape());
    try (ScratchPool.Admission admitted = admit()) {
      computeBackward(g, dy, x, null, null, dw, null);
    }
  }

  /** This convolution's options (algorithm, threads, budget, kernels) on another spec. */
  Conv2d withSpec(ConvSpec other) {
    return new Conv2d(Objects.requireNonNull(other, "spec"), algorithm, threads, workspaceBytes,
        vectorized, planning);
  }

  private static void checkGradOutput(ConvGeometry g, Tensor dy) {
    Objects.requireNonNull(dy, "grad output");
    checkShape("grad output", dy, g.outputShape());
  }

  /** The backward passes on validated arguments; a null gradient is skipped. */
  private void computeBackward(ConvGeometry g, Tensor dy, Tensor x, Tensor w, Tensor dx,
      Tensor dw, Tensor db) {
    ExecContext ctx = context();
    ShapePlan plan = shapePlan(g);
    String[] ran = LAST_RUN.get();
    if (dx != null) {
      PassPlan p = plan.backwardData();
      ran[Pass.BACKWARD_DATA.ordinal()] = p.backwardData(g, dy.data(), w.data(), dx.data(), ctx);
    }
    if (dw != null) {
      PassPlan p = plan.backwardWeight();
      ran[Pass.BACKWARD_WEIGHT.ordinal()] = p.backwardWeight(g, dy.data(), x.data(), dw.data(),
          ctx);
      PaddingSemantics.fixWeightGradient(g, dy.data(), dw.data(), ctx);
    }
    if (db != null) {
      BiasGradient.compute(g, dy.data(), db.data(), ctx.kernels().arrays());
    }
  }

  private ConvGeometry resolve(Tensor x, Tensor w) {
    Objects.requireNonNull(x, "input");
    Objects.requireNonNull(w, "weight");
    return GeometryResolver.resolve(spec, x.shape(), w.shape());
  }

  /** Waits for this call's share of the scratch cap (see the class comment). */
  private ScratchPool.Admission admit() {
    return ScratchPool.admit(workspaceBytes);
  }

  /** The array kernels this convolution runs on (for ConvNd's bias gradient). */
  ArrayKernels arrayKernels() {
    return provider().arrays();
  }

  /** The threads, budget and kernels of this convolution's calls (for ConvNd's copies). */
  ExecContext context() {
    return new ExecContext(threads, workspaceBytes, provider());
  }

  private static void checkBias(ConvGeometry g, Tensor bias) {
    if (bias != null && (bias.rank() != 1 || bias.dim(0) != g.k())) {
      throw new IllegalArgumentException("expected bias of shape [" + g.k()
          + "] (one per output channel), got " + Arrays.toString(bias.shape()));
    }
  }

  private static void checkShape(String what, Tensor t, int[] expected) {
    if (!t.sameShape(expected)) {
      throw new IllegalArgumentException("expected " + what + " of shape "
          + Arrays.toString(expected) + ", got " + Arrays.toString(t.shape()));
    }
  }

  private static void checkNoAlias(String what, Tensor out, Tensor... ins) {
    for (Tensor in : ins) {
      if (in != null && in.data() == out.data()) {
        throw new IllegalArgumentException(what + " must not share its array with an input");
      }
    }
  }

  @Override
  public String toString() {
    return "Conv2d[" + spec + ", algorithm=" + algorithm + ", threads=" + threads
        + ", workspaceBytes=" + workspaceBytes + ", kernels=" + kernels() + "]";
  }
}
