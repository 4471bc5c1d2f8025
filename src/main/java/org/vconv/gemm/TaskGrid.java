package org.vconv.gemm;

import org.vconv.plan.ExecContext;

/**
 * How one GEMM call splits C among threads: a grid of {@code rowBlocks x colBlocks} blocks,
 * aligned to whole MR x NR tiles, each computed completely (all of k) by one task with its
 * own packing buffers. Tasks share no output and never split the reduction, so a result does
 * not depend on the grid, hence not on the thread count. One task per block also means one
 * {@code parallelFor} per call, with no barrier between depth blocks.
 *
 * <p>The price is repacking: every row block packs B for its columns and, unless A was packed
 * once for all tasks beforehand, every column block packs A for its rows. The grid shape
 * minimizes that ({@code rowBlocks * n + colBlocks * m}, or {@code rowBlocks * n} with A
 * prepacked), which for the usual convolution shapes (m = channels, n = pixels) gives column
 * strips with all of m, where B is packed exactly once.
 */
record TaskGrid(int rowBlocks, int colBlocks, int m, int n, int mr, int nr) {

  /** Below about this much work a task costs more to hand out than it saves (~10 us). */
  static final long MIN_TASK_FLOPS = 2L << 20;
  /** Several tasks per worker so a worker slowed by a noisy neighbour is caught up on. */
  static final int TASKS_PER_WORKER = 4;

  /**
   * The grid for {@code m x n x k} on {@code ctx}: one block when one worker would run.
   * {@code aPrepacked}: A is packed once for all tasks, so only B's repacking counts.
   */
  static TaskGrid plan(int m, int n, int k, int mr, int nr, ExecContext ctx,
      boolean aPrepacked) {
    int rowPanels = (m + mr - 1) / mr;
    int colPanels = (n + nr - 1) / nr;
    long flops = 2L * m * n * k;
    long wanted = Math.min(flops / MIN_TASK_FLOPS, (long) TASKS_PER_WORKER * ctx.threads());
    wanted = Math.min(wanted, (long) rowPanels * colPanels);
    if (wanted <= 1 || ctx.workersFor((int) wanted) <= 1) {
      return new TaskGrid(1, 1, m, n, mr, nr);
    }
    int bestRows = 1;
    int bestCols = colPanels;
    long bestCost = Long.MAX_VALUE;
    for (int rows = 1; rows <= Math.min(wanted, rowPanels); rows++) {
      int cols = (int) ((wanted + rows - 1) / rows);
      if (cols > colPanels) {
        continue;
      }
      long cost = (long) rows * n + (aPrepacked ? 0 : (long) cols * m);
      if (cost < bestCost) {
        bestCost = cost;
        bestRows = rows;
        bestCols = cols;
      }
    }
    return new TaskGrid(bestRows, bestCols, m, n, mr, nr);
  }

  int tasks() {
    return rowBlocks * colBlocks;
  }

  int rowStart(int task) {
    return start(task / colBlocks, rowBlocks, m, mr);
  }

  int rowEnd(int task) {
    return start(task / colBlocks + 1, rowBlocks, m, mr);
  }

  int colStart(int task) {
    return start(task % colBlocks, colBlocks, n, nr);
  }

  int colEnd(int task) {
    return start(task % colBlocks + 1, colBlocks, n, nr);
  }

  /** Block {@code b} of {@code blocks} starts at a whole panel: an even share of the panels. */
  private static int start(int b, int blocks, int len, int unit) {
    long panels = (len + unit - 1) / unit;
    return (int) Math.min(len, panels * b / blocks * unit);
  }
}
