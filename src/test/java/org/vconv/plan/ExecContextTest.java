package org.vconv.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.vconv.simd.VectorProviders;

/**
 * {@link ExecContext#parallelFor} on its spinning helpers ({@link Workers}): every index runs
 * exactly once, region after region (helpers awake, and parked after a pause longer than
 * their spin), from several callers at once, with nested calls inline; a task's exception
 * reaches the caller and leaves the helpers usable.
 */
class ExecContextTest {

  private static ExecContext threads(int t) {
    return new ExecContext(t, ExecContext.DEFAULT_WORKSPACE_BYTES, VectorProviders.scalar());
  }

  /** Runs {@code regions} regions of up to 40 tasks; fails unless each index ran once. */
  private static int regions(ExecContext ctx, int regions, int seed) throws Exception {
    int checked = 0;
    for (int r = 0; r < regions; r++) {
      int tasks = 1 + (r * 7 + seed) % 40;
      AtomicIntegerArray ran = new AtomicIntegerArray(tasks);
      ctx.parallelFor(tasks, ran::incrementAndGet);
      for (int i = 0; i < tasks; i++) {
        assertEquals(1, ran.get(i), "region " + r + " task " + i + " of " + tasks);
      }
      if (r % 97 == 0) {
        Thread.sleep(1); // longer than the helpers' spin: they park, and must be woken
      }
      checked++;
    }
    return checked;
  }

  @Test
  void everyIndexRunsOnceRegionAfterRegion() throws Exception {
    int checked = 0;
    for (int t = 1; t <= 4; t++) {
      checked += regions(threads(t), 1000, t);
    }
    assertEquals(4000, checked);
  }

  @Test
  void concurrentCallersEachGetEveryIndexOnce() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int seed = c;
        runs.add(callers.submit(() -> regions(threads(3), 500, seed)));
      }
      int checked = 0;
      for (Future<Integer> f : runs) {
        checked += f.get();
      }
      assertEquals(2000, checked);
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void nestedCallsRunInline() {
    ExecContext ctx = threads(2);
    AtomicIntegerArray workers = new AtomicIntegerArray(8);
    ctx.parallelFor(8, i -> workers.set(i, ctx.workersFor(8)));
    for (int i = 0; i < 8; i++) {
      assertEquals(1, workers.get(i), "task " + i);
    }
  }

  @Test
  void aTaskExceptionReachesTheCallerAndTheHelpersStayUsable() throws Exception {
    ExecContext ctx = threads(2);
    IllegalStateException boom = new IllegalStateException("boom");
    for (int rep = 0; rep < 50; rep++) {
      int bad = rep % 16;
      IllegalStateException got = assertThrows(IllegalStateException.class,
          () -> ctx.parallelFor(16, i -> {
            if (i == bad) {
              throw boom;
            }
          }));
      assertSame(boom, got);
    }
    assertEquals(200, regions(ctx, 200, 3));
  }
}
