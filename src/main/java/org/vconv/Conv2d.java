package org.vconv;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.vconv.algo.BiasGradient;
import org.vconv.algo.ConvAlgorithms;
import org.vconv.algo.ConvAlgorithms.Pass;
import org.vconv.algo.PaddingSemantics;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.GeometryResolver;
import org.vconv.plan.ScratchPool;
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
  private final ConvSpec spec;
  private final Algorithm algorithm;
  private final int threads;
  private final long workspaceBytes;
  private final boolean vectorized;

  private Conv2d(ConvSpec spec, Algorithm algorithm, int threads, long workspaceBytes,
      boolean vectorized) {
    this.spec = spec;
    this.algorithm = algorithm;
    this.threads = threads;
    this.workspaceBytes = workspaceBytes;
    this.vectorized = vectorized;
  }

  /** A convolution with the default options: AUTO algorithm, default threads and budget. */
  public static Conv2d of(ConvSpec spec) {
    return new Conv2d(Objects.requireNonNull(spec, "spec"), Algorithm.AUTO, defaultThreads(),
        defaultWorkspaceBytes(), true);
  }

  /** The same convolution computed with {@code a}. */
  public Conv2d withAlgorithm(Algorithm a) {
    return new Conv2d(spec, Objects.requireNonNull(a, "algorithm"), threads, workspaceBytes,
        vectorized);
  }

  /** The same convolution on up to {@code t} threads (the caller's included). */
  public Conv2d withThreads(int t) {
    if (t < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + t);
    }
    return new Conv2d(spec, algorithm, t, workspaceBytes, vectorized);
  }

  /**
   * The same convolution with a scratch budget of {@code bytes} per call. A call reserves its
   * budget from the process-wide {@link Scratch} cap while it runs, so a smaller budget lets
   * more calls run at once; the tiles, and with them the weight gradient's last bits, follow
   * the budget.
   */
  public Conv2d withWorkspaceBytes(long bytes) {
    if (bytes < MIN_WORKSPACE_BYTES) {
      throw new IllegalArgumentException("workspace budget must be at least "
          + MIN_WORKSPACE_BYTES + " bytes, got " + bytes);
    }
    return new Conv2d(spec, algorithm, threads, bytes, vectorized);
  }

  /**
   * With {@code false}, the same convolution on the scalar kernels even where SIMD kernels are
   * available (for comparisons); with {@code true}, the JVM's default kernels (see
   * {@link VectorProviders}).
   */
  public Conv2d withVectorization(boolean enabled) {
    return new Conv2d(spec, algorithm, threads, workspaceBytes, enabled);
  }

  /** The name of the kernels this convolution runs on, e.g. "panama-512" or "scalar". */
  public String kernels() {
    return provider().name();
  }

  private VectorProvider provider() {
    return vectorized ? VectorProviders.get() : VectorProviders.scalar();
  }

  /** The smallest workspace budget accepted: 64 KiB. */
  public static final long MIN_WORKSPACE_BYTES = 64L << 10;

  /** {@code vconv.threads}, or the number of available processors. */
  public static int defaultThreads() {
    return ExecContext.defaultThreads();
  }

  /** {@code vconv.workspaceBytes}, or 64 MiB. */
  public static long defaultWorkspaceBytes() {
    long b = Long.getLong("vconv.workspaceBytes", ExecContext.DEFAULT_WORKSPACE_BYTES);
    return Math.max(MIN_WORKSPACE_BYTES, b);
  }

  public ConvSpec spec() {
    return spec;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  public int threads() {
    return threads;
  }

  public long workspaceBytes() {
    return workspaceBytes;
  }

  /** The output shape for the given input and weight shapes (validates them). */
  public int[] outputShape(int[] inputShape, int[] weightShape) {
    Objects.requireNonNull(inputShape, "input shape");
    Objects.requireNonNull(weightShape, "weight shape");
    return GeometryResolver.resolve(spec, inputShape.clone(), weightShape.clone()).outputShape();
  }

  /** {@code conv(x, w)}, a new tensor. */
  public Tensor forward(Tensor x, Tensor w) {
    return forward(x, w, null);
  }

  /** {@code conv(x, w) + bias}, a new tensor; {@code bias} ({@code [K]}) may be null. */
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

  /** Overwrites {@code y} with {@code conv(x, w) + bias}; {@code bias} may be null. */
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
    run(g, Pass.FORWARD).forward(g, x.data(), w.data(), bias == null ? null : bias.data(),
        y.data(), ctx);
    PaddingSemantics.fixForward(g, w.data(), y.data(), ctx.kernels().arrays());
  }

  /** All three gradients. */
  public Gradients backward(Tensor dy, Tensor x, Tensor w) {
    return backward(dy, x, w, EnumSet.allOf(Gradient.class));
  }

  /**
   * The gradients in {@code wanted}, given {@code dy} (shaped like the output). Gradients not
   * asked for are not computed and are null in the result. {@code x} is read only for the
   * weight gradient, {@code w} only for the input gradient, but both give the shapes.
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

  private static void checkGradOutput(ConvGeometry g, Tensor dy) {
    Objects.requireNonNull(dy, "grad output");
    checkShape("grad output", dy, g.outputShape());
  }

  /** The backward passes on validated arguments; a null gradient is skipped. */
  private void computeBackward(ConvGeometry g, Tensor dy, Tensor x, Tensor w, Tensor dx,
      Tensor dw, Tensor db) {
    ExecContext ctx = context();
    if (dx != null) {
      run(g, Pass.BACKWARD_DATA).backwardData(g, dy.data(), w.data(), dx.data(), ctx);
    }
    if (dw != null) {
      run(g, Pass.BACKWARD_WEIGHT).backwardWeight(g, dy.data(), x.data(), dw.data(), ctx);
      PaddingSemantics.fixWeightGradient(g, dy.data(), dw.data(), ctx);
    }
    if (db != null) {
      BiasGradient.compute(g, dy.data(), db.data());
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

  private ExecContext context() {
    return new ExecContext(threads, workspaceBytes, provider());
  }

  private org.vconv.algo.ConvAlgorithm run(ConvGeometry g, Pass pass) {
    return ConvAlgorithms.select(algorithm, g, pass);
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
