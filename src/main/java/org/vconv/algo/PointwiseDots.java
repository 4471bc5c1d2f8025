package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.GemmKernels;

/**
 * The weight gradient of an NCHW pointwise convolution ({@link ConvGeometry#isPointwise()}) with
 * few channels, as dot products along the pixels: {@code dW[k][c] = sum over n, t of
 * dy[n][k][t] * x[n][c][t]}. Pixel t of an output plane is pixel t of the input plane, so
 * both operands are whole planes read in place ({@link GemmKernels#dotTileAdd}, one row per
 * call): nothing is packed. {@link PointwiseGemm} packs both planes into GEMM panels, a copy
 * that outweighs the GEMM's few products per value when {@code C/G} and {@code K/G} are small
 * (the planner's tuning table says how small).
 *
 * <p>Every entry of {@code dW} keeps {@code dotLanes()} partial sums, each one chain of roundings
 * over (image, pixel) in order, whatever the threads, added in lane order at the end: bitwise
 * independent of the thread count. Tasks own tiles of entries; each sweeps the batch a run of
 * {@link DotTiles#CALL_PIXELS} pixels at a time, so that the run's rows stay in L1 across the
 * task's tiles. Scratch: the partials (K/G x C/G x lanes floats per group, rounded up to whole
 * tiles), outside the workspace budget.
 */
public final class PointwiseDots {
  private PointwiseDots() {}

  private static final int TASKS_PER_THREAD = 4;

  /** Whether it runs {@code g}'s weight gradient: NCHW, pointwise, planes of 2+ pixels. */
  public static boolean supports(ConvGeometry g) {
    return g.layout() == Layout.NCHW && g.isPointwise() && g.hw() > 1;
  }

  /** Overwrites {@code dw} with the weight gradient of {@code g}. */
  public static void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert supports(g) && Outputs.sized(g, x, dw, dy) : "planned elsewhere";
    DotTiles tiles = new DotTiles(ctx.kernels().gemm(), g.groups(), g.kg(), g.cg());
    int hw = g.hw();
    int[] aRows = tiles.depthRows(hw);
    int[] bRows = tiles.filterRows(hw);
    try (ScratchPool.Lease sums = ScratchPool.leaseZeroed(tiles.floats());
        Workspace unused = Workspace.none()) {
      float[] acc = sums.array(); // zeros: the partials start
      int outTiles = g.groups() * tiles.tiles();
      int tasks = Math.min(outTiles, TASKS_PER_THREAD * ctx.threads());
      ctx.parallelFor(tasks, task -> {
        int first = (int) ((long) outTiles * task / tasks);
        int end = (int) ((long) outTiles * (task + 1) / tasks);
        for (int n = 0; n < g.n(); n++) {
          tiles.addPlanes(x, g.xIndex(n, 0, 0, 0), g.cg() * hw, aRows, dy, g.yIndex(n, 0, 0, 0),
              g.kg() * hw, bRows, hw, first, end, acc);
        }
      });
      tiles.sumInto(acc, dw);
    }
  }
}
