package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vconv.Padding;
import org.vconv.plan.ConvGeometry;

/**
 * {@link PlaneDots}, the whole-plane dot-product weight gradient of stride-1 layers, against
 * the reference on both providers, bitwise the same for 1, 2 and 3 threads and for a budget
 * under one image's copies. Filter depths {@code C/G*R*S} and filter counts {@code K/G} leave
 * every remainder against the dot tiles (4 x 4 and 3 x 3); output planes of under one vector,
 * of whole vectors and a tail, and over one call (1024 pixels); pads wider than the kernel's
 * reach on one side, none on another, dilation, 1-wide kernels, groups.
 */
class PlaneDotsTest {

  static List<ConvCase> cases() {
    return List.of(
        ConvCase.of("LeNet conv1 d25 kg7").x(2, 1, 28, 28).kernel(7, 5, 5).pad(Padding.of(2))
            .bias().build(),
        ConvCase.of("3x3 d27 kg5 q33").x(1, 3, 9, 33).kernel(5, 3, 3).pad(Padding.of(1))
            .build(),
        ConvCase.of("asymmetric d10 kg6").x(3, 2, 6, 7).kernel(6, 1, 5)
            .pad(Padding.of(0, 1, 4, 0)).build(),
        ConvCase.of("dilation 2 d18 kg9").x(1, 2, 11, 13).kernel(9, 3, 3).dilation(2, 2)
            .pad(Padding.of(2)).build(),
        ConvCase.of("groups 2 d8 kg2").x(2, 4, 5, 6).kernel(4, 2, 2).groups(2).build(),
        ConvCase.of("tiny d1 kg1").x(2, 1, 1, 3).kernel(1, 1, 1).pad(Padding.of(0, 0, 1, 1))
            .build(),
        ConvCase.of("over a call d45 kg4").x(1, 5, 33, 35).kernel(4, 3, 3).pad(Padding.of(1))
            .build());
  }

  /** The cases hold what the class comment says. */
  @Test
  void casesHitEveryRemainderAndPlaneLength() {
    List<Integer> depth = new java.util.ArrayList<>();
    List<Integer> filters = new java.util.ArrayList<>();
    Set<Integer> planes = new HashSet<>();
    for (ConvCase cs : cases()) {
      ConvGeometry g = cs.geometry();
      assertTrue(PlaneDots.supports(g), cs.name());
      depth.add(g.crs());
      filters.add(g.kg());
      planes.add(g.pq());
    }
    Checks.assertHitsEveryDotTileRemainder("taps per filter", depth);
    Checks.assertHitsEveryDotTileRemainder("filters per group", filters);
    assertTrue(planes.stream().anyMatch(p -> p < 8), planes.toString());
    assertTrue(planes.stream().anyMatch(p -> p > 1024), planes.toString());
  }

  @Test
  void matchesTheReferenceBitwiseIndependentOfThreadsAndBudget() {
    int runs = Checks.assertWeightPassExactEverywhere(cases(), new long[] {64L << 20, 64},
        PlaneDots::backwardWeight);
    assertEquals(cases().size() * 2 * 2 * 3, runs);
  }
}
