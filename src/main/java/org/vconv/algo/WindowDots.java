package org.vconv.algo;

import org.vconv.im2col.PaddedWindows;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.GemmKernels;

/**
 * A weight gradient for shallow filters ({@code C/G*R*S} small, as the RGB stem's 3*7*7; the
 * bound is the planner's tuning table's): dot products along the output pixels,
 * {@code dW[k][d] = sum over n, p, q of dy[n][k][p][q] * slab[n][delta[d] + p*pitch + q]}, both
 * operands read in place along q ({@link GemmKernels#dotTileAdd}): rows of A from the
 * padded-window slab ({@link PaddedWindows}), rows of B straight from {@code dy}.
 *
 * <p>The outer-product weight pass transposes all of {@code dy} into filter panels; with few
 * taps per filter there are few products per transposed value, so at the stem (147 taps) the
 * copy is a large part of the pass. The dot kernel (4 x 4 tiles of 16-lane partials) does less
 * per cycle than the outer-product one, so it pays only while the copy it saves outweighs
 * that, with few taps: the bound stays well under the 576 of VGG's 224x224 layer. Output rows of
 * whole 16-float vectors: a partial vector per row would run entry by entry, one dependent FMA
 * per row, a chain that leaves the FMA units mostly idle (LeNet's 28-wide rows, say).
 *
 * <p>Every entry of {@code dW} keeps {@code dotLanes()} partial sums, each one chain of roundings
 * over (image, row, column) in order whatever the tiles and the threads, added in lane order at
 * the end: bitwise independent of the thread count and of the budget. The padded columns
 * ({@code q >= Q}) are never read, so a non-finite input needs no fallback. Scratch within the
 * budget: the slab ({@link ImplicitGemm.Plan#dots}); outside it, the partials (K/G x C/G*R*S x
 * lanes floats per group, rounded up to whole tiles).
 */
public final class WindowDots {
  private WindowDots() {}

  /**
   * Output pixels per kernel call: long enough that a call's loads and stores of its partials
   * are a small part of it (the stem: 9 rows); longer calls gain nothing more.
   */
  private static final int CALL_PIXELS = 1024;

  private static final int TASKS_PER_THREAD = 4;

  /** Overwrites {@code dw} with the weight gradient of the NCHW problem {@code g}. */
  public static void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert PaddedWindows.supports(g);
    DotTiles tiles = new DotTiles(ctx.kernels().gemm(), g.groups(), g.kg(), g.crs());
    ImplicitGemm.Plan plan = ImplicitGemm.Plan.dots(g, ctx.workspaceFloats());
    PaddedWindows windows = new PaddedWindows(g, plan.rows());
    int[] aRows = windows.deltaPadded(tiles.paddedDepth());
    int[] bRows = tiles.filterRows(g.pq());
    try (ScratchPool.Lease sums = ScratchPool.leaseZeroed(tiles.floats())) {
      float[] acc = sums.array(); // zeros: the partials start
      try (Workspace ws = Workspace.reusing(1, Tiling.arrayLength(plan.tileFloats()))) {
        float[] slab = ws.take();
        for (int tile = 0; tile < plan.tiles(); tile++) {
          for (int grp = 0; grp < g.groups(); grp++) {
            sumTile(g, plan, windows, tile, grp, x, dy, slab, tiles, aRows, bRows, acc, ctx);
          }
        }
      }
      tiles.sumInto(acc, dw);
    }
  }

  /** Adds one tile's products, group {@code grp}, to the group's partials in {@code acc}. */
  private static void sumTile(ConvGeometry g, ImplicitGemm.Plan plan, PaddedWindows windows,
      int tile, int grp, float[] x, float[] dy, float[] slab, DotTiles tiles, int[] aRows,
      int[] bRows, float[] acc, ExecContext ctx) {
    int n0 = plan.firstImage(tile);
    int images = plan.imagesIn(tile);
    int p0 = plan.firstRow(tile);
    int rows = plan.rowsIn(tile);
    GemmKernels kernels = ctx.kernels().gemm();
    ArrayKernels arrays = ctx.kernels().arrays();
    int chunks = ImplicitGemm.fillChunks(g, images);
    ctx.parallelFor(images * chunks, t -> ImplicitGemm.fillPart(g, windows, x, grp, n0, p0,
        rows, t / chunks, t % chunks, chunks, slab, false, arrays));
    int outTiles = tiles.tiles(); // filter tiles major: dy rows serve runs of taps
    int tileFloats = tiles.tileFloats();
    int accAt = grp * outTiles * tileFloats;
    int tasks = Math.min(outTiles, TASKS_PER_THREAD * ctx.threads());
    int pitch = PaddedWindows.rowPitch(g);
    int q = g.q();
    int callRows = Math.max(1, CALL_PIXELS / q);
    ctx.parallelFor(tasks, task -> {
      int first = (int) ((long) outTiles * task / tasks);
      int end = (int) ((long) outTiles * (task + 1) / tasks);
      for (int i = 0; i < images; i++) {
        for (int r0 = 0; r0 < rows; r0 += callRows) {
          int rc = Math.min(callRows, rows - r0);
          int aOff = i * windows.imageFloats() + r0 * pitch;
          int bOff = g.yIndex(n0 + i, grp * g.kg(), p0 + r0, 0);
          for (int o = first; o < end; o++) {
            kernels.dotTileAdd(rc, q, slab, aOff, pitch, aRows, tiles.aRow(o), dy, bOff, q,
                bRows, tiles.bRow(o), acc, accAt + o * tileFloats);
          }
        }
      }
    });
  }
}
