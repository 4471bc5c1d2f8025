package org.vconv.bench;

import java.util.EnumSet;
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
import org.vconv.ConvNd;
import org.vconv.Gradient;
import org.vconv.Tensor;

/**
 * One row of an N-d suite ({@link NdLayer}: 1-D, 3-D, transposed, padding modes), one pass,
 * SIMD or scalar kernels, through {@link ConvNd}. Sample time in ms, as
 * {@link ConvLayerBenchmark}, with its forks' options (huge pages, a 4 GiB heap touched at
 * start) and warm-up by calls; every pass allocates its result, as PyTorch's do.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC",
    "-XX:+UseTransparentHugePages", "-Xms4g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvNdLayerBenchmark {

  /** Suite CSV path, relative to the working directory. */
  @Param("src/jmh/resources/families.csv")
  public String suite;

  /** A layer name from the suite. */
  @Param("w2v_conv1")
  public String layer;

  @Param({"fwd", "bwd_data", "bwd_weight"})
  public String pass;

  @Param({"simd", "scalar"})
  public String impl;

  @Param("2")
  public int threads;

  /** Batch is divided by this (at least 1): the quick preset runs slow scalar kernels smaller. */
  @Param("1")
  public int batchDiv;

  private Supplier<Object> call;

  @Setup
  public void setup() {
    NdLayer full = NdLayer.find(suite, layer);
    NdLayer l = new NdLayer(full.name(), full.spec(), Math.max(1, full.n() / Math.max(1,
        batchDiv)), full.c(), full.k(), full.in(), full.kernel(), full.count());
    boolean simd = switch (impl) {
      case "simd" -> true;
      case "scalar" -> false;
      default -> throw new IllegalArgumentException("impl must be simd or scalar: " + impl);
    };
    ConvNd conv = ConvNd.of(l.spec()).withThreads(threads).withVectorization(simd);
    // scripts/bench greps this line from the JMH log to name the kernels in its table
    System.out.println("vconv kernels: " + conv.kernels());
    SplittableRandom rnd = new SplittableRandom(42);
    Tensor w = ConvLayerBenchmark.random(rnd, l.weightShape());
    Tensor x = ConvLayerBenchmark.random(rnd, l.inputShape());
    Tensor dy = ConvLayerBenchmark.random(rnd, l.outputShape());
    call = switch (pass) {
      case "fwd" -> () -> conv.forward(x, w, null);
      case "bwd_data" -> () -> conv.backward(dy, x, w, EnumSet.of(Gradient.INPUT));
      case "bwd_weight" -> () -> conv.backward(dy, x, w, EnumSet.of(Gradient.WEIGHT));
      default -> throw new IllegalArgumentException(
          "pass must be fwd, bwd_data or bwd_weight: " + pass);
    };
    ConvLayerBenchmark.warmUpByCalls(call);
  }

  @Benchmark
  public Object run() {
    return call.get();
  }
}
