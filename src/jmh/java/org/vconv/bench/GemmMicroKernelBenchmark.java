package org.vconv.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.vconv.simd.GemmKernels;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * The GEMM micro-kernel alone, on cache-resident packed panels, the way the macro-kernel calls
 * it: one B micro-panel ({@code kc x nr}) against the micro-panels of an A block ({@code mc x
 * kc}, L2-resident), overwriting one tile. Score in flops/ns = GFLOP/s; compare it with
 * {@link FmaPeakBenchmark} from the same run. {@code @Threads(2)}: each thread has its own
 * panels, the score is the sum.
 *
 * <p>Run: {@code java @jvm.config -cp ... org.openjdk.jmh.Main GemmMicro -f 1 -wi 3 -i 5 -w 1
 * -r 1}; {@code -p kernels=scalar} for the plain-Java kernel.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class GemmMicroKernelBenchmark {
  /** Flops per invocation, 9 * 2^20: whole tiles for 8x32, 3x24, 3x12 and 4x4 at kc = 256. */
  private static final int FLOPS = 9 << 20;

  @Param({"simd"})
  public String kernels;

  @Param({"256"})
  public int kc;

  /** Rows of the A block the tiles cycle through (rounded down to whole MR panels). */
  @Param({"128"})
  public int mc;

  private GemmKernels g;
  private float[] a;
  private float[] b;
  private float[] c;
  private int mr;
  private int nr;
  private int tiles;
  private int panels;

  @Setup
  public void setup() {
    VectorProvider p = kernels.equals("scalar") ? VectorProviders.scalar() : VectorProviders.get();
    g = p.gemm();
    mr = g.mr();
    nr = g.nr();
    long perTile = 2L * mr * nr * kc;
    if (FLOPS % perTile != 0) {
      throw new IllegalStateException(p.name() + ": " + FLOPS + " flops are not whole "
          + mr + "x" + nr + "x" + kc + " tiles");
    }
    tiles = (int) (FLOPS / perTile);
    panels = Math.max(1, mc / mr);
    Random rnd = new Random(1);
    a = new float[panels * mr * kc];
    b = new float[kc * nr];
    c = new float[mr * nr];
    for (int i = 0; i < a.length; i++) {
      a[i] = rnd.nextFloat() - 0.5f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = rnd.nextFloat() - 0.5f;
    }
    checkTile(p);
  }

  /** The tile of the first A panel against a double reference, before anything is timed. */
  private void checkTile(VectorProvider p) {
    g.multiplyTile(kc, a, 0, b, 0, c, 0, nr);
    for (int i = 0; i < mr; i++) {
      for (int j = 0; j < nr; j++) {
        double sum = 0;
        double abs = 0;
        for (int q = 0; q < kc; q++) {
          double x = (double) a[q * mr + i] * b[q * nr + j];
          sum += x;
          abs += Math.abs(x);
        }
        if (Math.abs(c[i * nr + j] - sum) > (kc + 1) * 0x1p-24 * abs) { // gamma_(kc+1) bound
          throw new IllegalStateException(p.name() + " tile [" + i + "][" + j + "] = "
              + c[i * nr + j] + ", expected " + sum);
        }
      }
    }
  }

  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(FLOPS)
  public float tile1T() {
    return tiles();
  }

  @Benchmark
  @Threads(2)
  @OperationsPerInvocation(FLOPS)
  public float tile2T() {
    return tiles();
  }

  private float tiles() {
    int panelSize = mr * kc;
    for (int t = 0, ip = 0; t < tiles; t++) {
      g.multiplyTile(kc, a, ip * panelSize, b, 0, c, 0, nr);
      if (++ip == panels) {
        ip = 0;
      }
    }
    return c[0];
  }
}
