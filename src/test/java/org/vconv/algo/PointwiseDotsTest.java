package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * {@link PointwiseDots}, the dot-product weight gradient of 1x1 convolutions, against the
 * reference on both providers, bitwise the same for 1, 2 and 3 threads. Channel and filter
 * counts per group leave every remainder against the dot tiles (4 x 4 and 3 x 3); planes of
 * 2 and 7 pixels (a partial vector only), 196 (whole vectors and a tail), 1024 (one whole
 * call) and 1100 (a second, partial call); one to three images; groups.
 */
class PointwiseDotsTest {

  static List<ConvCase> cases() {
    return List.of(
        ConvCase.of("c5 k7 2 px").x(2, 5, 1, 2).kernel(7, 1, 1).build(),
        ConvCase.of("c6 k2 7 px").x(3, 6, 7, 1).kernel(2, 1, 1).build(),
        ConvCase.of("c16 k16 14x14").x(2, 16, 14, 14).kernel(16, 1, 1).bias().build(),
        ConvCase.of("c3 k9 32x32").x(1, 3, 32, 32).kernel(9, 1, 1).build(),
        ConvCase.of("c13 k11 20x55").x(2, 13, 20, 55).kernel(11, 1, 1).build(),
        ConvCase.of("groups 2 c8 k10").x(2, 16, 5, 9).kernel(20, 1, 1).groups(2).build(),
        ConvCase.of("groups 3 c1 k1").x(1, 3, 6, 6).kernel(3, 1, 1).groups(3).build());
  }

  /** The cases hold what the class comment says. */
  @Test
  void casesHitEveryRemainderAndCallLength() {
    Set<Integer> channels = new HashSet<>();
    Set<Integer> filters = new HashSet<>();
    Set<Integer> planes = new HashSet<>();
    for (ConvCase cs : cases()) {
      ConvGeometry g = cs.geometry();
      assertTrue(PointwiseDots.supports(g), cs.name());
      channels.add(g.cg() % 12); // 12: both 3 and 4
      filters.add(g.kg() % 12);
      planes.add(g.hw());
    }
    for (int m : new int[] {3, 4}) {
      Set<Integer> c = new HashSet<>();
      Set<Integer> k = new HashSet<>();
      channels.forEach(v -> c.add(v % m));
      filters.forEach(v -> k.add(v % m));
      assertEquals(m, c.size(), "channel remainders against " + m);
      assertEquals(m, k.size(), "filter remainders against " + m);
    }
    assertTrue(planes.containsAll(List.of(2, 7, 196, 1024, 1100)), planes.toString());
  }

  @Test
  void matchesTheReferenceBitwiseIndependentOfThreads() {
    int checked = 0;
    for (ConvCase cs : cases()) {
      Problem pb = new Problem(cs, cs.toString().hashCode());
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        float[] first = null;
        for (int threads = 1; threads <= 3; threads++) {
          ExecContext ctx = new ExecContext(threads, 64L << 20, kp);
          String what = cs.name() + " on " + kp.name() + ", " + threads + " threads";
          float[] dw = new float[pb.g.weightSize()];
          java.util.Arrays.fill(dw, Float.NaN); // overwritten, never read
          PointwiseDots.backwardWeight(pb.g, pb.dy, pb.x, dw, ctx);
          if (first == null) {
            pb.checkBackwardWeight(what, dw);
            first = dw;
          } else {
            Checks.assertBitwise(what, first, dw);
          }
          checked++;
        }
      }
    }
    assertEquals(cases().size() * 2 * 3, checked);
  }
}
