package org.vconv.algo;

import java.util.Arrays;
import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.GemmKernels;

/**
 * A weight gradient for shallow stride-1 NCHW filters whose output rows are not whole vectors
 * (LeNet's first layer: 28 floats), as dot products along whole output planes:
 * {@code dW[k][(c, r, s)] = sum over n, p, q of dy[n][k][p][q] * xpad[n][c][p + r*dil][q + s*dil]}.
 * Per image, each channel is copied once per column tap {@code s}, shifted by {@code s*dil}
 * and cut to rows of Q floats: {@code shifted[c][s][y][q] = xpad[c][y][q + s*dil]} over the
 * padded rows y. Tap (c, r, s)'s window is then the contiguous run of P*Q floats from row
 * {@code r*dil} of copy (c, s), as {@code dy}'s plane is, so each dot product runs along a whole
 * plane in long calls ({@link GemmKernels#dotTileAdd}, one row per call) with one partial
 * vector per plane at most. {@link WindowDots} runs along rows in place instead, which leaves a
 * partial vector, one slow chain per entry, at the end of every row that is not whole vectors.
 *
 * <p>Every entry of {@code dW} keeps {@code dotLanes()} partial sums, each one chain of roundings
 * over (image, run of pixels) in order whatever the threads, added in lane order at the end:
 * bitwise independent of the thread count and of the budget. The copies are made for a block
 * of images at once (about {@link #BLOCK_PIXELS} output pixels, at most {@link #BLOCK_FLOATS}
 * floats of copies), so that the copy's and the dots' barriers are few. Scratch within the
 * budget: a block's copies ({@code C/G * S * (H + pads) * Q} floats per image; one image even
 * when it alone exceeds the budget); outside it, the partials (K/G x C/G*R*S x lanes floats
 * per group, rounded up to whole tiles).
 */
public final class PlaneDots {
  private PlaneDots() {}

  private static final int TASKS_PER_THREAD = 4;

  /** Output pixels per block of images whose copies are made at once. */
  private static final int BLOCK_PIXELS = 16384;

  /** At most this many floats of copies per block (256 KiB: they stay in L2). */
  private static final int BLOCK_FLOATS = 65536;

  /** Whether it runs {@code g}'s weight gradient: NCHW at stride 1. */
  public static boolean supports(ConvGeometry g) {
    return g.layout() == Layout.NCHW && g.strideH() == 1 && g.strideW() == 1;
  }

  /** Overwrites {@code dw} with the weight gradient of {@code g}. */
  public static void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert supports(g) && Outputs.sized(g, x, dw, dy) : "planned elsewhere";
    DotTiles tiles = new DotTiles(ctx.kernels().gemm(), g.groups(), g.kg(), g.crs());
    int rows = g.h() + g.padTop() + g.padBottom(); // = P + (R-1)*dil at stride 1
    int copyFloats = rows * g.q();
    int[] aRows = new int[tiles.paddedDepth()]; // the last tap repeated
    for (int d = 0; d < aRows.length; d++) {
      int t = Math.min(d, g.crs() - 1);
      int c = t / (g.r() * g.s());
      int r = t / g.s() % g.r();
      int s = t % g.s();
      aRows[d] = (c * g.s() + s) * copyFloats + r * g.dilH() * g.q();
    }
    int[] bRows = tiles.filterRows(g.pq());
    int outTiles = tiles.tiles();
    int tasks = Math.min(outTiles, TASKS_PER_THREAD * ctx.threads());
    int pq = g.pq();
    int imageFloats = g.cg() * g.s() * copyFloats;
    // images per block: enough pixels that a block's two barriers are a small part of it,
    // few enough copies that they stay in L2 while the dots read them, within the budget
    // (at least one image)
    long fit = Math.min(BLOCK_FLOATS, ctx.workspaceFloats()) / imageFloats;
    int block = (int) Math.max(1, Math.min(fit, Math.min(g.n(), Math.ceilDiv(BLOCK_PIXELS, pq))));
    try (ScratchPool.Lease sums = ScratchPool.leaseZeroed(tiles.floats());
        Workspace ws = Workspace.reusing(1, Math.multiplyExact(block, imageFloats))) {
      float[] acc = sums.array(); // zeros: the partials start
      float[] shifted = ws.take();
      for (int n0 = 0; n0 < g.n(); n0 += block) {
        int images = Math.min(block, g.n() - n0);
        for (int grp = 0; grp < g.groups(); grp++) {
          int first = n0;
          int group = grp;
          ctx.parallelFor(images * g.cg(), t -> shift(g, x, first + t / g.cg(), group,
              t % g.cg(), copyFloats, shifted, t / g.cg() * imageFloats));
          ctx.parallelFor(tasks, task -> { // this group's tiles of the whole list
            int from = group * outTiles + (int) ((long) outTiles * task / tasks);
            int end = group * outTiles + (int) ((long) outTiles * (task + 1) / tasks);
            for (int i = 0; i < images; i++) { // images in order: the partials' order
              // the copies hold this group's channels only: no A offset per group
              tiles.addPlanes(shifted, i * imageFloats, 0, aRows, dy,
                  g.yIndex(first + i, 0, 0, 0), g.kg() * pq, bRows, pq, from, end, acc);
            }
          });
        }
      }
      ws.give(shifted);
      tiles.sumInto(acc, dw);
    }
  }

  /**
   * Fills the S shifted copies of channel {@code c} of group {@code grp} of image {@code n}
   * into the image's slot at {@code shifted[slot]}.
   */
  private static void shift(ConvGeometry g, float[] x, int n, int grp, int c, int copyFloats,
      float[] shifted, int slot) {
    int q = g.q();
    int src = g.xIndex(n, grp * g.cg() + c, 0, 0);
    for (int s = 0; s < g.s(); s++) {
      int at = slot + (c * g.s() + s) * copyFloats;
      int col0 = s * g.dilW() - g.padLeft(); // input column of output column 0
      int lo = Math.max(0, -col0); // output columns [lo, hi) read the input
      int hi = Math.max(lo, Math.min(q, g.w() - col0));
      for (int y = 0; y < copyFloats / q; y++, at += q) {
        int iy = y - g.padTop();
        if (iy < 0 || iy >= g.h() || lo >= hi) {
          Arrays.fill(shifted, at, at + q, 0f);
          continue;
        }
        Arrays.fill(shifted, at, at + lo, 0f);
        System.arraycopy(x, src + iy * g.w() + col0 + lo, shifted, at + lo, hi - lo);
        Arrays.fill(shifted, at + hi, at + q, 0f);
      }
    }
  }
}
