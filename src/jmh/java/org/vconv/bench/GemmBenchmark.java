package org.vconv.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vconv.gemm.Sgemm;
import org.vconv.gemm.StridedMatrix;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * Sgemm ({@code C = A * B}, all row-major) on square sizes and on a convolution-shaped case
 * (ResNet 3x3 layer as im2col GEMM: m = 128 output channels, n = 28*28 pixels x batch 8,
 * k = 128 channels x 9), SIMD vs scalar kernels, 1 and 2 threads. The {@code flops} line is
 * in flops/ns = GFLOP/s; compare it with {@link FmaPeakBenchmark} (per thread) from the same
 * run.
 *
 * <p>Run: {@code java @jvm.config -cp ... org.openjdk.jmh.Main GemmBenchmark -f 1 -wi 3 -i 5
 * -w 1 -r 1 -p shape=1024 -p kernels=simd}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
@State(Scope.Benchmark)
public class GemmBenchmark {

  @Param({"512", "1024", "conv"})
  public String shape;

  @Param({"simd", "scalar"})
  public String kernels;

  @Param({"1", "2"})
  public int threads;

  private int m;
  private int n;
  private int k;
  private StridedMatrix a;
  private StridedMatrix b;
  private float[] c;
  private ExecContext ctx;

  /** Counts flops: the {@code flops} score is flops per ns of the timed iteration. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Flops {
    public long flops;

    @Setup(Level.Iteration)
    public void reset() {
      flops = 0;
    }
  }

  @Setup
  public void setup() {
    switch (shape) {
      case "conv" -> {
        m = 128;
        n = 28 * 28 * 8;
        k = 128 * 9;
      }
      default -> m = n = k = Integer.parseInt(shape);
    }
    Random rnd = new Random(7);
    a = StridedMatrix.rowMajor(random(m * k, rnd), 0, k);
    b = StridedMatrix.rowMajor(random(k * n, rnd), 0, n);
    c = new float[m * n];
    VectorProvider simd = VectorProviders.get();
    VectorProvider scalar = VectorProviders.scalar();
    ctx = new ExecContext(threads, ExecContext.DEFAULT_WORKSPACE_BYTES,
        kernels.equals("scalar") ? scalar : simd);
    checkAgainstReference(simd, rnd);
    checkAgainstReference(scalar, rnd);
  }

  /** SIMD and scalar both within the gamma_(k+2) bound of a double reference (sampled). */
  private void checkAgainstReference(VectorProvider p, Random rnd) {
    float[] out = new float[m * n];
    Sgemm.multiply(m, n, k, a, b, out, 0, n, new ExecContext(threads,
        ExecContext.DEFAULT_WORKSPACE_BYTES, p));
    for (int s = 0; s < 256; s++) {
      int i = rnd.nextInt(m);
      int j = rnd.nextInt(n);
      double sum = 0;
      double abs = 0;
      for (int q = 0; q < k; q++) {
        double x = (double) a.get(i, q) * b.get(q, j);
        sum += x;
        abs += Math.abs(x);
      }
      if (Math.abs(out[i * n + j] - sum) > (k + 2) * 0x1p-24 * abs) {
        throw new IllegalStateException(p.name() + " C[" + i + "][" + j + "] = "
            + out[i * n + j] + ", expected " + sum);
      }
    }
  }

  private static float[] random(int len, Random rnd) {
    float[] v = new float[len];
    for (int i = 0; i < len; i++) {
      v[i] = rnd.nextFloat() - 0.5f;
    }
    return v;
  }

  @Benchmark
  public float multiply(Flops f) {
    Sgemm.multiply(m, n, k, a, b, c, 0, n, ctx);
    f.flops += 2L * m * n * k;
    return c[0];
  }
}
