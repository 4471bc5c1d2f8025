package org.vconv.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Layout;
import org.vconv.simd.VectorProviders;

/** Each shape planned once while kept; at most {@link PlanCache#CAPACITY} shapes kept. */
class PlanCacheTest {

  static ConvGeometry shape(int n) {
    return new ConvGeometry(Layout.NCHW, n, 4, 8, 8, 4, 3, 3, 6, 6, 1, 1, 0, 0, 0, 0, 1, 1, 1);
  }

  @Test
  void plansEachShapeOnceAndKeepsTheRecentOnes() {
    ExecContext ctx = new ExecContext(1, 1 << 20, VectorProviders.scalar());
    Planner planner = Planner.of(ctx);
    List<ConvGeometry> made = new ArrayList<>();
    PlanCache cache = new PlanCache();
    java.util.function.Function<ConvGeometry, ShapePlan> make = g -> {
      made.add(g);
      return planner.plan(Algorithm.AUTO, g, ctx);
    };
    ShapePlan first = cache.get(shape(1), make);
    assertSame(first, cache.get(shape(1), make));
    assertEquals(List.of(shape(1)), made);
    for (int n = 2; n <= PlanCache.CAPACITY + 1; n++) {
      cache.get(shape(n), make);
    }
    assertEquals(PlanCache.CAPACITY, cache.size());
    assertEquals(PlanCache.CAPACITY + 1, made.size());
    cache.get(shape(PlanCache.CAPACITY + 1), make); // the newest: kept
    assertEquals(PlanCache.CAPACITY + 1, made.size());
    cache.get(shape(1), make); // the oldest: evicted, planned again
    assertEquals(PlanCache.CAPACITY + 2, made.size());
  }
}
