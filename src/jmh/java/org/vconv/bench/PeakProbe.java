package org.vconv.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Peak FMA throughput of one JMH thread on the preferred species, in GFLOP/s (ops/ns, one op =
 * one flop); run with {@code -t T} for T threads (JMH sums them). scripts/bench uses it for
 * "% of peak" only while {@code FmaPeakBenchmark} is not in the build.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PeakProbe {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int CHAINS = 16;
  private static final int FLOPS = 1 << 21;
  // FLOPS per call whatever the width, so @OperationsPerInvocation can be a constant
  private static final int STEPS = FLOPS / (2 * CHAINS * F.length());

  private final float a = 1e-3f;
  private final float b = 1e-3f;

  /**
   * 16 independent FMA chains: enough to cover FMA latency x issue width (4 x 2 on AVX-512
   * cores) while staying well inside the 32 vector registers.
   */
  @Benchmark
  @OperationsPerInvocation(FLOPS)
  public float fma() {
    FloatVector va = FloatVector.broadcast(F, a);
    FloatVector vb = FloatVector.broadcast(F, b);
    FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
    FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
    FloatVector c12 = c0, c13 = c0, c14 = c0, c15 = c0;
    for (int i = 0; i < STEPS; i++) {
      c0 = va.fma(vb, c0);
      c1 = va.fma(vb, c1);
      c2 = va.fma(vb, c2);
      c3 = va.fma(vb, c3);
      c4 = va.fma(vb, c4);
      c5 = va.fma(vb, c5);
      c6 = va.fma(vb, c6);
      c7 = va.fma(vb, c7);
      c8 = va.fma(vb, c8);
      c9 = va.fma(vb, c9);
      c10 = va.fma(vb, c10);
      c11 = va.fma(vb, c11);
      c12 = va.fma(vb, c12);
      c13 = va.fma(vb, c13);
      c14 = va.fma(vb, c14);
      c15 = va.fma(vb, c15);
    }
    FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7)
        .add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15);
    return s.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
