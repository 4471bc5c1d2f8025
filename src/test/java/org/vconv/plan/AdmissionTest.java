package org.vconv.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.vconv.Scratch;

/**
 * Admission against the scratch cap ({@link ScratchPool#admit}): however many threads ask at
 * once, the reservations held together never exceed the cap, a budget above the cap is held
 * alone, and every request is served; the public setter refuses a cap below the minimum.
 */
class AdmissionTest {
  static final long MIB = 1L << 20;

  @Test
  void reservationsStayWithinTheCapAndABudgetAboveItRunsAlone() throws Exception {
    long cap = Scratch.capBytes();
    long testCap = 4 * MIB;
    Scratch.setCapBytes(testCap);
    AtomicLong reserved = new AtomicLong();
    AtomicLong mostReserved = new AtomicLong();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overCapNotAlone = new AtomicInteger();
    AtomicInteger overCapRuns = new AtomicInteger();
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int c = 0; c < 16; c++) {
        long seed = c;
        done.add(callers.submit(() -> {
          SplittableRandom r = new SplittableRandom(seed);
          for (int i = 0; i < 20; i++) {
            long budget = new long[] {MIB, 2 * MIB, 3 * MIB, 4 * MIB, 8 * MIB}[r.nextInt(5)];
            long share = Math.min(budget, testCap);
            try (ScratchPool.Admission admitted = ScratchPool.admit(budget)) {
              int others = running.getAndIncrement();
              mostReserved.accumulateAndGet(reserved.addAndGet(share), Math::max);
              if (budget > testCap) {
                overCapRuns.incrementAndGet();
                if (others > 0) {
                  overCapNotAlone.incrementAndGet();
                }
              }
              LockSupport.parkNanos(50_000);
              reserved.addAndGet(-share);
              running.decrementAndGet();
            }
          }
          return 20;
        }));
      }
      int served = 0;
      for (Future<Integer> f : done) {
        served += f.get(120, TimeUnit.SECONDS);
      }
      assertEquals(320, served);
    } finally {
      callers.shutdownNow();
      Scratch.setCapBytes(cap);
    }
    assertTrue(mostReserved.get() <= testCap, "reserved at once: " + mostReserved.get());
    assertTrue(overCapRuns.get() > 0, "no budget above the cap was drawn");
    assertEquals(0, overCapNotAlone.get(), "a budget above the cap ran beside others");
  }

  @Test
  void theCapCannotBeSetBelowTheMinimum() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Scratch.setCapBytes(Scratch.MIN_CAP_BYTES - 1));
    assertTrue(e.getMessage().contains("scratch cap must be at least"), e.getMessage());
  }
}
