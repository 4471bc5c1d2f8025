package org.vconv.plan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The plans one convolution has made, by geometry: a small least-recently-used map, so that a
 * layer called on a few shapes plans each once. Thread-safe.
 */
public final class PlanCache {
  /** Shapes kept: a layer sees a few (training and evaluation batches, a last short batch). */
  static final int CAPACITY = 16;

  private final Map<ConvGeometry, ShapePlan> plans =
      new LinkedHashMap<>(CAPACITY, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConvGeometry, ShapePlan> eldest) {
          return size() > CAPACITY;
        }
      };

  /** The plan of {@code g}, made by {@code make} the first time (and again once evicted). */
  public ShapePlan get(ConvGeometry g, Function<ConvGeometry, ShapePlan> make) {
    synchronized (plans) {
      ShapePlan p = plans.get(g);
      if (p == null) {
        p = make.apply(g);
        plans.put(g, p);
      }
      return p;
    }
  }

  /** How many plans are kept. */
  public int size() {
    synchronized (plans) {
      return plans.size();
    }
  }
}
