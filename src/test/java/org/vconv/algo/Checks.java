package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Set;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/** Comparisons with the reference. */
final class Checks {
  private Checks() {}

  /**
   * {@code counts} (filters per group of some cases) holds nr - 1, nr and nr + 1 for the
   * micro-kernels of both providers: a full panel, one short of it, and one spilling over.
   */
  static void assertHitsEveryPanelTail(Set<Integer> counts) {
    for (VectorProvider p : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      int nr = p.gemm().nr();
      assertTrue(counts.containsAll(List.of(nr - 1, nr, nr + 1)),
          p.name() + " nr " + nr + ": " + counts);
    }
  }

  /**
   * {@code counts} (tap depths or filter counts of some cases) leave every remainder against
   * 3 and 4: the dot-product tiles' rows on both providers (4 x 4 at 512 bits and scalar,
   * 3 x 3 at 256 and 128 bits).
   */
  static void assertHitsEveryDotTileRemainder(String what, Iterable<Integer> counts) {
    for (int m : new int[] {3, 4}) {
      Set<Integer> seen = new java.util.TreeSet<>();
      counts.forEach(v -> seen.add(v % m));
      assertEquals(m, seen.size(), what + " remainders against " + m + ": " + seen);
    }
  }

  /** A weight-gradient pass run directly: overwrites {@code dw}. */
  @FunctionalInterface
  interface WeightPass {
    void run(ConvGeometry g, float[] dy, float[] x, float[] dw, ExecContext ctx);
  }

  /**
   * Runs {@code pass} on every case, both providers, every budget and 1-3 threads: the first
   * result against the reference, every other one bitwise equal to it (it overwrites a
   * NaN-filled {@code dw}). Returns the runs made.
   */
  static int assertWeightPassExactEverywhere(List<ConvCase> cases, long[] budgets,
      WeightPass pass) {
    int runs = 0;
    for (ConvCase cs : cases) {
      Problem pb = new Problem(cs, cs.toString().hashCode());
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        float[] first = null;
        for (long budget : budgets) {
          for (int threads = 1; threads <= 3; threads++) {
            ExecContext ctx = new ExecContext(threads, budget, kp);
            String what = cs.name() + " on " + kp.name() + ", " + threads + " threads, budget "
                + budget;
            float[] dw = new float[pb.g.weightSize()];
            java.util.Arrays.fill(dw, Float.NaN);
            pass.run(pb.g, pb.dy, pb.x, dw, ctx);
            if (first == null) {
              pb.checkBackwardWeight(what, dw);
              first = dw;
            } else {
              assertBitwise(what, first, dw);
            }
            runs++;
          }
        }
      }
    }
    return runs;
  }

  /**
   * Element-wise {@code |got - ref| <= 1e-5 * sqrt(terms) * absSum}, with {@code absSum} the
   * reference run on absolute values (the sum of |term| of each element). Why this bound:
   * any float summation order of {@code L} products has error at most {@code (L+1) u * absSum}
   * ({@code u = 2^-24}, Higham's bound), and {@code 1e-5 * sqrt(L)} exceeds {@code (L+2) u}
   * for every {@code L} below 27,000, far above the reductions tested, so correct code cannot
   * fail; a missing or extra term (about {@code absSum / L}) exceeds it while
   * {@code L < 2,000}, which covers the shapes here.
   */
  static void assertClose(String what, float[] ref, float[] absSum, long terms, float[] got) {
    assertEquals(ref.length, got.length, what + ": length");
    double scale = 1e-5 * Math.sqrt(terms);
    for (int i = 0; i < ref.length; i++) {
      double tol = scale * absSum[i];
      if (!(Math.abs((double) got[i] - ref[i]) <= tol)) {
        fail(what + ": element " + i + " is " + got[i] + ", reference " + ref[i]
            + " (tolerance " + tol + ")");
      }
    }
  }

  /** Bitwise equality, naming the first differing element. */
  static void assertBitwise(String what, float[] expected, float[] got) {
    assertEquals(expected.length, got.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(got[i])) {
        fail(what + ": element " + i + " is " + got[i] + ", expected " + expected[i]);
      }
    }
  }

  /** Non-finite exactly where the reference is, finite values within {@code tol}. */
  static void assertSameValues(String what, float[] ref, float[] got, float tol) {
    assertEquals(ref.length, got.length, what);
    for (int i = 0; i < ref.length; i++) {
      boolean same = Float.isFinite(ref[i]) ? Math.abs(ref[i] - got[i]) <= tol
          : Float.compare(ref[i], got[i]) == 0;
      assertTrue(same, what + ": element " + i + " is " + got[i] + ", reference " + ref[i]);
    }
  }
}
