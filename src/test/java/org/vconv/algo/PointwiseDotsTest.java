package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vconv.plan.ConvGeometry;

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
    List<Integer> channels = new java.util.ArrayList<>();
    List<Integer> filters = new java.util.ArrayList<>();
    Set<Integer> planes = new HashSet<>();
    for (ConvCase cs : cases()) {
      ConvGeometry g = cs.geometry();
      assertTrue(PointwiseDots.supports(g), cs.name());
      channels.add(g.cg());
      filters.add(g.kg());
      planes.add(g.hw());
    }
    Checks.assertHitsEveryDotTileRemainder("channels per group", channels);
    Checks.assertHitsEveryDotTileRemainder("filters per group", filters);
    assertTrue(planes.containsAll(List.of(2, 7, 196, 1024, 1100)), planes.toString());
  }

  @Test
  void matchesTheReferenceBitwiseIndependentOfThreads() {
    int runs = Checks.assertWeightPassExactEverywhere(cases(), new long[] {64L << 20},
        PointwiseDots::backwardWeight);
    assertEquals(cases().size() * 2 * 3, runs);
  }
}
