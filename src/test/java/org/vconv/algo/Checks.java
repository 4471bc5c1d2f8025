package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Set;
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
