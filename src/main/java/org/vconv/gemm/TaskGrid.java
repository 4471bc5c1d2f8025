package org.vconv.gemm;

import org.vconv.plan.ExecContext;

/**
 * How one GEMM call splits C among threads: a grid of row blocks x column blocks, aligned to
 * whole MR x NR tiles, each computed completely (all of k) by one task. Tasks share no output
 * and never split the reduction, so a result does not depend on the grid, hence not on the
 * thread count. One task per block also means one {@code parallelFor} per call, with no
 * barrier between depth blocks.
 *
 * <p>The price is repacking: every row block packs B for its columns and, unless A was packed
 * once for all tasks beforehand, every column block packs A for its rows; a prepacked A is
 * still read once per column block. The grid minimizes the floats moved per depth step:
 * {@code 2 * rowBlocks * n} for B's packing (a read and a write) plus {@code 2 * colBlocks *
 * m} for A's, or {@code colBlocks * m} when A is prepacked ({@code rowBlocks * n} for B when
 * the caller packed it). For the usual convolution shapes (m = channels, n = pixels) that gives
 * column strips with all of m, where B is packed exactly once; where A is the large operand
 * (ResNet-50's 7x7 forward: 512 x 4608 weights, 392 pixels) it gives row blocks too, so that
 * eight strips do not each read all of A.
 *
 * <p>Column blocks shrink linearly from first to last (guided scheduling) and tasks are
 * numbered column block first, so the big blocks (long runs over one packed A block) are
 * handed out first and the last ones, which decide when the call ends, are a panel or two.
 */
final class TaskGrid {

  /** Below about this much work a task costs more to hand out than it saves. */
  static final long MIN_TASK_FLOPS = 2L << 20;
  /** Several tasks per worker so a worker slowed by a noisy neighbour is caught up on. */
  static final int TASKS_PER_WORKER = 4;

  private final int[] rowCuts;
  private final int[] colCuts;

  private TaskGrid(int[] rowCuts, int[] colCuts) {
    this.rowCuts = rowCuts;
    this.colCuts = colCuts;
  }

  /**
   * The grid for {@code m x n x k} on {@code ctx}: one block when one worker would run.
   * {@code aPrepacked}: A is packed once for all tasks, so only B's repacking counts.
   */
  static TaskGrid plan(int m, int n, int k, int mr, int nr, ExecContext ctx,
      boolean aPrepacked) {
    return plan(m, n, k, mr, nr, ctx, aPrepacked, false);
  }

  /** As above; {@code bPrepacked}: the caller packed B, so B is only read per row block. */
  static TaskGrid plan(int m, int n, int k, int mr, int nr, ExecContext ctx,
      boolean aPrepacked, boolean bPrepacked) {
    int rowPanels = (m + mr - 1) / mr;
    int colPanels = (n + nr - 1) / nr;
    long flops = 2L * m * n * k;
    long wanted = Math.min(flops / MIN_TASK_FLOPS, (long) TASKS_PER_WORKER * ctx.threads());
    wanted = Math.min(wanted, (long) rowPanels * colPanels);
    if (wanted <= 1 || ctx.workersFor((int) wanted) <= 1) {
      return new TaskGrid(new int[] {0, m}, new int[] {0, n});
    }
    int bestRows = 1;
    int bestCols = colPanels;
    long bestCost = Long.MAX_VALUE;
    for (int rows = 1; rows <= Math.min(wanted, rowPanels); rows++) {
      int cols = (int) ((wanted + rows - 1) / rows);
      if (cols > colPanels) {
        continue;
      }
      long cost = (bPrepacked ? 1L : 2L) * rows * n + (aPrepacked ? 1L : 2L) * cols * m;
      if (cost < bestCost) {
        bestCost = cost;
        bestRows = rows;
        bestCols = cols;
      }
    }
    return new TaskGrid(evenCuts(m, mr, bestRows), guidedCuts(n, nr, bestCols));
  }

  /** {@code blocks} blocks of whole panels, as even as can be. */
  static int[] evenCuts(int len, int unit, int blocks) {
    long panels = (len + unit - 1) / unit;
    int[] cuts = new int[blocks + 1];
    for (int b = 0; b <= blocks; b++) {
      cuts[b] = (int) Math.min(len, panels * b / blocks * unit);
    }
    return cuts;
  }

  /**
   * {@code blocks} blocks of whole panels (at least one each) whose sizes fall linearly:
   * block i is worth {@code blocks - i} shares, so the first is about twice the average and
   * the last about {@code 1 / blocks} of it.
   */
  static int[] guidedCuts(int len, int unit, int blocks) {
    int panels = (len + unit - 1) / unit;
    assert blocks >= 1 && blocks <= panels;
    long shares = (long) blocks * (blocks + 1) / 2;
    int[] cuts = new int[blocks + 1];
    long before = 0; // shares of the blocks before b
    for (int b = 1; b < blocks; b++) {
      before += blocks - (b - 1);
      long at = (panels * before + shares / 2) / shares;
      at = Math.max(at, cuts[b - 1] / unit + 1); // every block at least one panel
      at = Math.min(at, panels - (blocks - b)); // and leave one for each block after it
      cuts[b] = (int) at * unit;
    }
    cuts[blocks] = len;
    return cuts;
  }

  int tasks() {
    return (rowCuts.length - 1) * (colCuts.length - 1);
  }

  private int rowBlock(int task) {
    return task % (rowCuts.length - 1);
  }

  private int colBlock(int task) {
    return task / (rowCuts.length - 1);
  }

  int rowStart(int task) {
    return rowCuts[rowBlock(task)];
  }

  int rowEnd(int task) {
    return rowCuts[rowBlock(task) + 1];
  }

  int colStart(int task) {
    return colCuts[colBlock(task)];
  }

  int colEnd(int task) {
    return colCuts[colBlock(task) + 1];
  }
}
