package org.vconv.algo;

import java.util.function.IntConsumer;
import org.vconv.plan.ExecContext;

/**
 * Sizing of scratch chunks and of the number of workers, shared by the GEMM algorithms.
 *
 * <p>The budget rule: a chunk (an im2col tile, a GEMM result block) is sized from the
 * workspace budget alone, never from the thread count, so results depend only on the budget.
 * It holds at most {@code budget / PLANNED_WORKERS} floats, but never less than one unit (one
 * output row for im2col tiles): that unit is the documented minimum, used even when it alone
 * exceeds the budget. At run time as many workers run at once as there are whole chunks in
 * the budget (at least one), so the live scratch of a call is at most
 * {@code max(budget, one unit)}.
 */
final class Tiling {
  private Tiling() {}

  /** Chunks are sized so that this many fit in the budget (a constant, not the threads). */
  static final int PLANNED_WORKERS = 4;

  /** Output pixels per im2col tile when the budget allows: enough for an efficient GEMM. */
  static final int TARGET_PIXELS = 4096;

  /**
   * Units per chunk: at most {@code maxUnits} and {@code targetUnits}, as many as fit in
   * {@code budgetFloats / PLANNED_WORKERS}, and at least one.
   */
  static int unitsPerChunk(long unitFloats, int maxUnits, int targetUnits, long budgetFloats) {
    assert unitFloats > 0 && maxUnits > 0 && targetUnits > 0;
    long fit = budgetFloats / PLANNED_WORKERS / unitFloats;
    return (int) Math.max(1, Math.min(Math.min(maxUnits, targetUnits), fit));
  }

  /**
   * How many workers run {@code tasks} tasks that each hold one chunk of {@code chunkFloats}.
   * One (the caller, task after task) when there are fewer tasks than threads: then the
   * threads are left to the GEMM and gathers inside each task. Otherwise as many as threads
   * and tasks allow and the budget holds chunks, at least one.
   */
  static int workers(ExecContext ctx, int tasks, long chunkFloats) {
    if (tasks < ctx.threads()) {
      return 1;
    }
    long byBudget = chunkFloats == 0 ? Integer.MAX_VALUE : ctx.workspaceFloats() / chunkFloats;
    return (int) Math.max(1, Math.min(ctx.workersFor(tasks), byBudget));
  }

  /** Runs {@code body(0 .. tasks-1)} on {@code workers} threads (the caller's included). */
  static void run(ExecContext ctx, int tasks, int workers, IntConsumer body) {
    if (workers <= 1) {
      ExecContext.runInline(tasks, body);
    } else {
      new ExecContext(workers, ctx.workspaceBytes(), ctx.kernels()).parallelFor(tasks, body);
    }
  }

  /** A chunk size as an array length; throws when even the minimum chunk is too large. */
  static int arrayLength(long floats) {
    if (floats > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a scratch chunk of " + floats
          + " floats (the minimum: one output row) exceeds a Java array");
    }
    return (int) floats;
  }
}
