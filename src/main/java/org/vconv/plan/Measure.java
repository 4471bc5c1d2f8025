package org.vconv.plan;

import java.util.List;
import java.util.SplittableRandom;

/**
 * MEASURE planning: runs each accepting path's pass on random data of the real shape, once to
 * warm up and then a few times, and keeps the one with the shortest best time.
 */
final class Measure {
  private Measure() {}

  /** Timed runs per path after the warm-up: the best of them is the path's time. */
  static final int RUNS = 3;

  /** The fastest of {@code plans} (all of one pass of {@code g}) and every path's time. */
  static Timed fastest(List<PassPlan> plans, ConvGeometry g, ExecContext ctx) {
    assert !plans.isEmpty();
    SplittableRandom rnd = new SplittableRandom(g.hashCode());
    float[] x = random(rnd, g.inputSize());
    float[] w = random(rnd, g.weightSize());
    float[] dy = random(rnd, g.outputSize());
    float[] out = new float[switch (plans.get(0).pass()) {
      case FORWARD -> g.outputSize();
      case BACKWARD_DATA -> g.inputSize();
      case BACKWARD_WEIGHT -> g.weightSize();
    }];
    PassPlan best = null;
    long bestNanos = Long.MAX_VALUE;
    StringBuilder times = new StringBuilder();
    for (PassPlan p : plans) {
      long t = Long.MAX_VALUE;
      for (int i = 0; i <= RUNS; i++) {
        long start = System.nanoTime();
        switch (p.pass()) {
          case FORWARD -> p.forward(g, x, w, null, out, ctx);
          case BACKWARD_DATA -> p.backwardData(g, dy, w, out, ctx);
          case BACKWARD_WEIGHT -> p.backwardWeight(g, dy, x, out, ctx);
        }
        long took = System.nanoTime() - start;
        if (i > 0) { // the first run warms up
          t = Math.min(t, took);
        }
      }
      times.append(times.isEmpty() ? "" : ", ").append(p.path()).append(' ')
          .append(String.format(java.util.Locale.ROOT, "%.3f ms", t / 1e6));
      if (t < bestNanos) {
        bestNanos = t;
        best = p;
      }
    }
    return new Timed(best, times.toString());
  }

  /** The fastest plan, and "path time" for every path measured. */
  record Timed(PassPlan plan, String times) {}

  private static float[] random(SplittableRandom rnd, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }
}
