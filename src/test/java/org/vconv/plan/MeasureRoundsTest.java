package org.vconv.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * MEASURE's rounds ({@link Measure.Rounds}): the warm-up round is not timed, the measurement
 * runs until the best times settle (for three rounds and half of the rounds so far, the JIT
 * compilers idle) and the minimum time has passed, stops at its caps, and picks the path with
 * the shortest best time, the first of equals.
 */
class MeasureRoundsTest {
  static final long MS = 1_000_000L;

  /** Runs one round of the given times at {@code now}; returns whether it was the last. */
  private static boolean round(Measure.Rounds r, long now, long... times) {
    for (int i = 0; i < times.length; i++) {
      r.record(i, times[i]);
    }
    return r.done(now, -1);
  }

  @Test
  void theWarmUpRoundIsNotTimed() {
    Measure.Rounds r = new Measure.Rounds(2, 0);
    assertFalse(round(r, MS, 1 * MS, 900 * MS)); // cold: the second path looks slow
    round(r, 2 * MS, 5 * MS, 3 * MS);
    assertEquals(5 * MS, r.best(0));
    assertEquals(3 * MS, r.best(1));
    assertEquals(1, r.fastest());
  }

  @Test
  void runsUntilTheBestTimesSettleAndTheMinimumTimeHasPassed() {
    Measure.Rounds r = new Measure.Rounds(2, 0);
    long now = Measure.Rounds.MIN_NANOS; // the minimum time is over from the start
    assertFalse(round(r, now, 10 * MS, 10 * MS)); // warm-up
    assertFalse(round(r, now, 8 * MS, 9 * MS)); // first timed round: everything improves
    assertFalse(round(r, now, 8 * MS, 9 * MS)); // settled 1
    assertFalse(round(r, now, 4 * MS, 9 * MS)); // the first path reached its kernels: anew
    assertFalse(round(r, now, 4 * MS, 9 * MS)); // settled 1
    assertFalse(round(r, now, 4 * MS, 8_900_000L)); // 1% better is not an improvement: 2
    assertTrue(round(r, now, 4 * MS, 9 * MS)); // settled 3
    assertEquals(7, r.rounds());
    assertEquals(8_900_000L, r.best(1), "small gains still count toward the best time");
    assertEquals(0, r.fastest());
  }

  @Test
  void aLateImprovementNeedsAPlateauAsLongAsTheClimb() {
    Measure.Rounds r = new Measure.Rounds(1, 0);
    long now = Measure.Rounds.MIN_NANOS;
    round(r, now, 100 * MS); // warm-up
    long t = 100 * MS;
    for (int i = 0; i < 10; i++) { // rounds 2-11: the JIT at work
      t = t * 9 / 10;
      assertFalse(round(r, now, t));
    }
    for (int i = 0; i < 8; i++) { // rounds 12-19: the last improvement at round 11
      assertFalse(round(r, now, t), "flat round " + (i + 1) + " after a climb to round 11");
    }
    assertTrue(round(r, now, t)); // round 20: 9 flat rounds, half of the 19 timed
  }

  @Test
  void roundsWhileTheJitCompilesDoNotSettle() {
    Measure.Rounds r = new Measure.Rounds(1, 0);
    long now = Measure.Rounds.MIN_NANOS;
    long jit = 100;
    r.record(0, MS);
    assertFalse(r.done(now, jit)); // warm-up
    for (int i = 0; i < 20; i++) { // the same time every round, but the compilers are busy
      r.record(0, MS);
      assertFalse(r.done(now, jit += 5), "round " + (i + 2) + ": the JIT compiled");
    }
    for (int i = 0; i < 18; i++) { // idle after round 21: settled after half the rounds
      r.record(0, MS);
      assertFalse(r.done(now, jit), "idle round " + (i + 1));
    }
    r.record(0, MS);
    assertTrue(r.done(now, jit)); // round 40: 19 idle rounds, half of the 39 timed
  }

  @Test
  void settledRoundsWaitForTheMinimumTime() {
    Measure.Rounds r = new Measure.Rounds(1, 0);
    for (int i = 0; i < 10; i++) {
      assertFalse(round(r, i * MS, MS), "round " + i + " ends before the minimum time");
    }
    assertTrue(round(r, Measure.Rounds.MIN_NANOS, MS));
  }

  @Test
  void stopsAtTheTimeCapAfterOneTimedRound() {
    Measure.Rounds r = new Measure.Rounds(2, 0);
    assertFalse(round(r, Measure.Rounds.MAX_NANOS + 1, 9_000 * MS, 9_000 * MS),
        "a warm-up alone times nothing");
    assertTrue(round(r, 2 * Measure.Rounds.MAX_NANOS, 5_000 * MS, 4_000 * MS));
    assertEquals(1, r.fastest());
  }

  @Test
  void stopsAtTheRoundCapBeforeTheMinimumTime() {
    Measure.Rounds r = new Measure.Rounds(1, 0);
    boolean done = false;
    int rounds = 0;
    while (!done) { // settled at once, but the clock never reaches the minimum time
      done = round(r, 0, MS);
      rounds++;
    }
    assertEquals(Measure.Rounds.MAX_ROUNDS, rounds);
  }

  @Test
  void tiesGoToTheEarlierPath() {
    Measure.Rounds r = new Measure.Rounds(3, 0);
    round(r, 0, 1, 1, 1);
    round(r, 0, 7 * MS, 5 * MS, 5 * MS);
    assertEquals(1, r.fastest());
  }
}
