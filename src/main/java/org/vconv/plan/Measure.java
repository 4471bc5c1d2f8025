package org.vconv.plan;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MEASURE planning: runs each accepting path's pass on random data of the real shape and keeps
 * the one with the shortest best time. The paths run in rounds, {@link #CALLS} calls of each
 * in a row per round, so that the JIT warms them alike (in a fresh JVM the first calls of a
 * path run interpreted or in C1, many times slower) and a stretch of outside load slows every
 * path, not one, while each path's later calls find its own data in the caches, as they would
 * running alone; the rounds go on until every path's best time has held for a while, with the
 * JIT compilers idle ({@link Rounds}).
 */
final class Measure {
  private Measure() {}

  /**
   * Calls of a path in a row per round: the first pays for the caches the path before it left,
   * which made paths with large scratch (Winograd) look slower than they run alone.
   */
  static final int CALLS = 2;

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
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    boolean watchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
    Rounds rounds = new Rounds(plans.size(), System.nanoTime());
    do {
      for (int i = 0; i < plans.size(); i++) {
        PassPlan p = plans.get(i);
        for (int call = 0; call < CALLS; call++) {
          long start = System.nanoTime();
          switch (p.pass()) {
            case FORWARD -> p.forward(g, x, w, null, out, ctx);
            case BACKWARD_DATA -> p.backwardData(g, dy, w, out, ctx);
            case BACKWARD_WEIGHT -> p.backwardWeight(g, dy, x, out, ctx);
          }
          rounds.record(i, System.nanoTime() - start);
        }
      }
    } while (!rounds.done(System.nanoTime(), watchJit ? jit.getTotalCompilationTime() : -1));
    StringBuilder times = new StringBuilder();
    for (int i = 0; i < plans.size(); i++) {
      times.append(times.isEmpty() ? "" : ", ").append(plans.get(i).path()).append(' ')
          .append(String.format(java.util.Locale.ROOT, "%.4f ms", rounds.best(i) / 1e6));
    }
    return new Timed(plans.get(rounds.fastest()), times.toString() + " (" + rounds.rounds()
        + " rounds)");
  }

  /** The fastest plan, and "path time" for every path measured. */
  record Timed(PassPlan plan, String times) {}

  /**
   * When the rounds of a measurement stop: after {@link #MIN_ROUNDS} rounds (the first a
   * warm-up, not counted) and {@link #MIN_NANOS}, once no path's best time has improved by
   * more than {@link #SETTLED_PERCENT}% for {@link #SETTLED_ROUNDS} rounds and for half of the
   * rounds so far; or at {@link #MAX_NANOS} or {@link #MAX_ROUNDS}, whichever comes first,
   * after one timed round at least. In a fresh JVM a path's times fall in steps (interpreter,
   * C1, C2, each step a plateau), so a plateau only counts once it is as long as the climb
   * before it, and a round in which the JIT compilers worked counts as an improvement: their
   * results may not have run yet. Ties go to the earlier path (the candidate list's order).
   */
  static final class Rounds {
    static final int MIN_ROUNDS = 4;
    static final int SETTLED_ROUNDS = 3;
    static final int SETTLED_PERCENT = 2;
    static final int MAX_ROUNDS = 100_000;
    static final long MIN_NANOS = 500_000_000L;
    static final long MAX_NANOS = 4_000_000_000L;

    private final long[] best;
    private final long start;
    private int round;
    private int lastImproved;
    private boolean improved;
    private long jitMillis = -1;

    Rounds(int paths, long startNanos) {
      this.best = new long[paths];
      java.util.Arrays.fill(best, Long.MAX_VALUE);
      this.start = startNanos;
    }

    /** Records a time of path {@code i} in the current round (the first round is a warm-up). */
    void record(int i, long nanos) {
      if (round == 0) {
        return;
      }
      if (best[i] == Long.MAX_VALUE || nanos * 100 < best[i] * (100 - SETTLED_PERCENT)) {
        improved = true;
      }
      best[i] = Math.min(best[i], nanos);
    }

    /**
     * Ends the current round; whether the measurement is over. {@code jitMillis}: the JIT
     * compilers' total time so far, or -1 when the JVM does not say.
     */
    boolean done(long nowNanos, long jitMillis) {
      round++;
      if (improved || (jitMillis != this.jitMillis && this.jitMillis >= 0)) {
        lastImproved = round;
      }
      improved = false;
      this.jitMillis = jitMillis;
      long elapsed = nowNanos - start;
      if (round >= MAX_ROUNDS || elapsed >= MAX_NANOS) {
        return round > 1; // at least one timed round
      }
      int settled = round - lastImproved;
      return round >= MIN_ROUNDS && elapsed >= MIN_NANOS && settled >= SETTLED_ROUNDS
          && settled >= (round - 1) / 2;
    }

    /** Rounds run, the warm-up included. */
    int rounds() {
      return round;
    }

    /** Path {@code i}'s best time so far, in nanoseconds. */
    long best(int i) {
      return best[i];
    }

    /** The path with the shortest best time; the first of equals. */
    int fastest() {
      int f = 0;
      for (int i = 1; i < best.length; i++) {
        if (best[i] < best[f]) {
          f = i;
        }
      }
      return f;
    }
  }

  private static float[] random(SplittableRandom rnd, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }
}
