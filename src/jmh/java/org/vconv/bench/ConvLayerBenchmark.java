package org.vconv.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vconv.Algorithm;
import org.vconv.Conv2d;
import org.vconv.Gradients;
import org.vconv.Tensor;

/**
 * One convolution layer of a suite CSV, one pass, SIMD or scalar kernels, through the public
 * API only. Sample time in ms: scripts/bench reports the median call (p50) and
 * GFLOP/s = {@link ConvLayer#flops()} / median, the same flop count for all three passes.
 *
 * <p>{@code forwardInto} overwrites a preallocated output, so the forward timed path does not
 * allocate. {@code backward} has no {@code Into} form: each call allocates and zeroes its
 * gradient, and that cost is part of what is timed.
 *
 * <p>Forks use transparent huge pages, as {@code jvm.config} does: with 4 KiB pages some
 * passes ran 25-30% slower in some JVMs (ResNet-50's 14x14 weight gradient: 9.9-10.6 ms, or
 * 12.4-13.0 in 7 JVMs of 20; 10.1-10.3 in 7 of 7 with huge pages). On a later day 7 JVMs of
 * 19 ran slow with huge pages too, in clusters in time: the cause is either the buffers'
 * physical placement (their sets in the physically indexed L2) or other tenants of the host.
 *
 * <p>Forks also start with a 4 GiB heap, touched at start ({@code -Xms4g -XX:+AlwaysPreTouch}):
 * a heap that grows mid-run faults in fresh huge pages, and the kernel's compaction for them
 * (its {@code madvise} defrag) made passes that allocate per call (ConvNd's gathers) run 3-4x
 * slower for seconds, with a third of the JVM's CPU time in the kernel. A long-running
 * process settles into its heap as PyTorch's caching allocator keeps its blocks: these are
 * the steady-state times. {@link #warmUpByCalls} then runs each pass 30 times before JMH's
 * warm-up.
 *
 * <p>Run directly: {@code org.openjdk.jmh.Main ConvLayerBenchmark -p suite=FILE -p layer=NAME};
 * scripts/bench fills in every layer of the suite and its presets.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC",
    "-XX:+UseTransparentHugePages", "-Xms4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvLayerBenchmark {

  /** Suite CSV path, relative to the working directory; empty: the project's default suite. */
  @Param("")
  public String suite;

  /** A layer name from the suite. */
  @Param("r50_3x3_56")
  public String layer;

  @Param({"fwd", "bwd_data", "bwd_weight"})
  public String pass;

  @Param({"simd", "scalar"})
  public String impl;

  @Param("2")
  public int threads;

  /**
   * The algorithm, by its CLI name ({@code auto}, {@code winograd}, {@code implicit-gemm}, ...):
   * an A/B of one path against AUTO's choice.
   */
  @Param("auto")
  public String algorithm;

  /** Batch is divided by this (at least 1): the quick preset runs slow scalar kernels smaller. */
  @Param("1")
  public int batchDiv;

  private Supplier<Object> call;

  @Setup
  public void setup() {
    ConvLayer full = ConvLayer.find(suite, layer);
    ConvLayer l = full.withBatch(Math.max(1, full.n() / Math.max(1, batchDiv)));
    boolean simd = switch (impl) {
      case "simd" -> true;
      case "scalar" -> false;
      default -> throw new IllegalArgumentException("impl must be simd or scalar: " + impl);
    };
    Algorithm alg = Algorithm.valueOf(algorithm.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    Conv2d conv = Conv2d.of(l.spec()).withThreads(threads).withVectorization(simd)
        .withAlgorithm(alg);
    if (simd && conv.kernels().equals("scalar")) {
      throw new IllegalStateException("impl=simd but vconv loaded scalar kernels: is "
          + "jdk.incubator.vector on the fork's command line?");
    }
    checkSimdMatchesScalar(l, pass, threads, alg);
    // scripts/bench greps this line from the JMH log to name the kernels in its table
    System.out.println("vconv kernels: " + conv.kernels());
    call = prepare(conv, l, pass, new SplittableRandom(42));
    warmUpByCalls(call);
  }

  @Benchmark
  public Object run() {
    return call.get();
  }

  /** Calls {@link #warmUpByCalls} makes at least, unless they take longer than its cap. */
  static final int WARM_UP_CALLS = 30;

  /** The cap on {@link #warmUpByCalls}, in nanoseconds. */
  static final long WARM_UP_CAP_NANOS = 4_000_000_000L;

  /**
   * Runs {@code call} {@link #WARM_UP_CALLS} times, or for {@link #WARM_UP_CAP_NANOS} if that
   * comes first, before JMH's timed warm-up. A quick preset's second of warm-up is a few calls
   * of a heavy pass (20-100 ms): its kernels may still run in C1, and the heap is still
   * growing into pages the process has never touched, which measured up to 3x slower for a
   * second or more inside the measurement window.
   */
  static void warmUpByCalls(Supplier<?> call) {
    long end = System.nanoTime() + WARM_UP_CAP_NANOS;
    for (int i = 0; i < WARM_UP_CALLS && System.nanoTime() < end; i++) {
      call.get();
    }
  }

  /** Seeded random operands for {@code pass}, and the call that runs it. */
  static Supplier<Object> prepare(Conv2d conv, ConvLayer l, String pass, SplittableRandom rnd) {
    Tensor w = random(rnd, l.weightShape());
    return switch (pass) {
      case "fwd" -> {
        Tensor x = random(rnd, l.inputShape());
        Tensor y = Tensor.zeros(l.outputShape());
        yield () -> {
          conv.forwardInto(x, w, null, y);
          return y;
        };
      }
      case "bwd_data" -> {
        // x only gives the shape here: backward reads it for the weight gradient alone
        Tensor x = Tensor.zeros(l.inputShape());
        Tensor dy = random(rnd, l.outputShape());
        Tensor dx = Tensor.zeros(l.inputShape());
        yield () -> {
          conv.backwardInto(dy, x, w, dx, null, null);
          return dx;
        };
      }
      case "bwd_weight" -> {
        Tensor x = random(rnd, l.inputShape());
        Tensor dy = random(rnd, l.outputShape());
        Tensor dw = Tensor.zeros(l.weightShape());
        yield () -> {
          conv.backwardInto(dy, x, w, null, dw, null);
          return dw;
        };
      }
      default -> throw new IllegalArgumentException(
          "pass must be fwd, bwd_data or bwd_weight: " + pass);
    };
  }

  /**
   * Runs {@code pass} with SIMD and scalar kernels on a cut-down copy of the layer (same
   * kernel, stride, pad, dilation and groups; batch 1, at most 8 channels per group, small
   * image) and throws if they differ, so nothing wrong is ever timed.
   */
  static void checkSimdMatchesScalar(ConvLayer l, String pass, int threads, Algorithm alg) {
    int g = l.groups();
    int hh = (l.r() - 1) * l.dilationH() + 4 * l.strideH() + 3;
    int ww = (l.s() - 1) * l.dilationW() + 4 * l.strideW() + 3;
    ConvLayer small = l.withShape(1, g * Math.min(l.c() / g, 8), g * Math.min(l.k() / g, 8),
        Math.min(l.h(), hh), Math.min(l.w(), ww));
    Conv2d base = Conv2d.of(small.spec()).withThreads(threads).withAlgorithm(alg);
    float[] a = output(prepare(base, small, pass, new SplittableRandom(7)).get());
    float[] b = output(prepare(base.withVectorization(false), small, pass,
        new SplittableRandom(7)).get());
    float scale = 1f;
    for (float v : b) {
      scale = Math.max(scale, Math.abs(v));
    }
    // float sums of different order: allow a few ulps per term of the longest reduction
    int terms = Math.max(small.c() / g * small.r() * small.s(),
        Math.max(small.k() / g * small.r() * small.s(), small.p() * small.q()));
    float tol = 4e-7f * terms * scale;
    for (int i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i] - b[i]) <= tol)) {
        throw new IllegalStateException(l.name() + " " + pass + ": SIMD and scalar differ at "
            + i + ": " + a[i] + " vs " + b[i] + " (tolerance " + tol + ") on " + small);
      }
    }
  }

  private static float[] output(Object result) {
    if (result instanceof Tensor t) {
      return t.data();
    }
    Gradients g = (Gradients) result;
    return (g.input() != null ? g.input() : g.weight()).data();
  }

  static Tensor random(SplittableRandom rnd, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return t;
  }
}
