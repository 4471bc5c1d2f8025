package org.vconv.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's FMA peak per thread on the preferred species: 20 independent fma chains (enough
 * to cover 2 FMA ports x 4-cycle latency several times over), no memory traffic. The score is
 * in flops/ns = GFLOP/s ({@code 2 * lanes} flops per fma); {@code @Threads(2)} reports the sum
 * over both threads. The micro-kernel and GEMM benchmarks quote their figures against this.
 *
 * <p>Run: {@code java @jvm.config -cp ... org.openjdk.jmh.Main FmaPeak -f 1 -wi 3 -i 5 -w 1 -r 1}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class FmaPeakBenchmark {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int CHAINS = 20;
  /** Flops per invocation, whatever the width: the step count scales with 1 / lanes. */
  private static final int FLOPS = 1024 * CHAINS * 2 * 16;
  private static final int STEPS = FLOPS / (CHAINS * 2 * S.length());

  private float scale = 0.999f;
  private float shift = 1e-3f;

  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(FLOPS)
  public float peak1T() {
    return chains(scale, shift);
  }

  @Benchmark
  @Threads(2)
  @OperationsPerInvocation(FLOPS)
  public float peak2T() {
    return chains(scale, shift);
  }

  /** c = c * m + s converges to s / (1 - m): no overflow, no subnormals. */
  private static float chains(float m, float s) {
    FloatVector vm = FloatVector.broadcast(S, m);
    FloatVector vs = FloatVector.broadcast(S, s);
    FloatVector c0 = vs, c1 = vs.add(1), c2 = vs.add(2), c3 = vs.add(3), c4 = vs.add(4);
    FloatVector c5 = vs.add(5), c6 = vs.add(6), c7 = vs.add(7), c8 = vs.add(8);
    FloatVector c9 = vs.add(9), c10 = vs.add(10), c11 = vs.add(11), c12 = vs.add(12);
    FloatVector c13 = vs.add(13), c14 = vs.add(14), c15 = vs.add(15), c16 = vs.add(16);
    FloatVector c17 = vs.add(17), c18 = vs.add(18), c19 = vs.add(19);
    for (int i = 0; i < STEPS; i++) {
      c0 = c0.fma(vm, vs); c1 = c1.fma(vm, vs); c2 = c2.fma(vm, vs); c3 = c3.fma(vm, vs);
      c4 = c4.fma(vm, vs); c5 = c5.fma(vm, vs); c6 = c6.fma(vm, vs); c7 = c7.fma(vm, vs);
      c8 = c8.fma(vm, vs); c9 = c9.fma(vm, vs); c10 = c10.fma(vm, vs); c11 = c11.fma(vm, vs);
      c12 = c12.fma(vm, vs); c13 = c13.fma(vm, vs); c14 = c14.fma(vm, vs);
      c15 = c15.fma(vm, vs); c16 = c16.fma(vm, vs); c17 = c17.fma(vm, vs);
      c18 = c18.fma(vm, vs); c19 = c19.fma(vm, vs);
    }
    FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8)
        .add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15).add(c16).add(c17)
        .add(c18).add(c19);
    return sum.reduceLanes(VectorOperators.ADD);
  }
}
