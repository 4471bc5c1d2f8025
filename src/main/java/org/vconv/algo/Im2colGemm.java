package org.vconv.algo;

import static org.vconv.gemm.StridedMatrix.rowMajor;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;
import org.vconv.Layout;
import org.vconv.gemm.PanelLayout;
import org.vconv.gemm.Sgemm;
import org.vconv.gemm.StridedMatrix;
import org.vconv.im2col.Col2im;
import org.vconv.im2col.Im2col;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;

/**
 * im2col + GEMM, tile by tile (see {@link TilePlan}), per group {@code g}:
 *
 * <ul>
 *   <li>forward: NCHW {@code y_g [K/G, T] = W_g [K/G, CRS] x cols [CRS, T]}; NHWC
 *       {@code y [T, K/G] = rows [T, RSC/G] x W_g}. Where tiles run one after another, each
 *       on all threads, the NCHW gather writes {@code cols} straight into the GEMM's B
 *       panels ({@link Im2col#gatherPacked}), so the GEMM packs no B (else each of its row
 *       blocks would pack it again). Tiles are independent and run in parallel; the
 *       reduction over {@code C/G*R*S} is never split, so {@code y} is bitwise independent
 *       of threads and budget.
 *   <li>input gradient: {@code dcols = W_g^T x dy_g} (NHWC {@code drows = dy_g x W_g^T}) per
 *       tile, then {@link Col2im#scatterAdd}. Tasks are (image, group) pairs, which own
 *       disjoint parts of {@code dx}; inside one, tiles run in row order, so {@code dx} is
 *       bitwise independent of threads (and, by Col2im's order, of the budget). NCHW with at
 *       least one task per thread: each tile's GEMM and col2im run fused, a block of input
 *       channels at a time ({@link ChannelBlockedInputGradient}), with the same bits. NCHW
 *       small images: tiles span images, dy staged, and a tile's channel blocks run in
 *       parallel, again with the same bits.
 *   <li>weight gradient: {@code dW_g += dy_g x cols^T} (NHWC {@code rows^T x dy_g}) over the
 *       tiles in order: a reduction order fixed by the budget, never by the threads. NCHW
 *       gathers {@code cols^T} straight into the GEMM's B panels
 *       ({@link Im2col#gatherPackedTransposed}). Tasks are
 *       groups; with fewer groups than threads the caller runs them one by one and leaves the
 *       threads to the gather and the GEMM.
 * </ul>
 *
 * Pointwise problems are planned to {@link PointwiseGemm}, which skips im2col. Scratch: one
 * column tile per running worker, within the budget (see {@link Tiling}); the minimum tile is
 * one output row of one image ({@code C/G*R*S*Q} floats; NCHW rounds Q (forward) or C/G*R*S
 * (weight gradient) up to whole panels), used even when it alone exceeds the budget.
 */
public final class Im2colGemm implements ConvAlgorithm {
  private final int spanImagePixels;

  /**
   * {@code spanImagePixels}: output pixels per image up to which NCHW tiles span images, the
   * forward's output and the weight gradient's dy staged (the tuning table's; 0: never).
   */
  public Im2colGemm(int spanImagePixels) {
    this.spanImagePixels = spanImagePixels;
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert Outputs.sized(g, x, w, y) && (bias == null || bias.length == g.k()) : "sizes";
    boolean nhwc = g.layout() == Layout.NHWC;
    // small NCHW images: tiles span images, the GEMM writing to a staged [K/G, T] block
    boolean stage = !nhwc && spansImages(g);
    IntToLongFunction matrix = nhwc ? rows -> Im2col.tileFloats(g, rows)
        : rows -> Sgemm.panelLayout(rows * g.q(), g.crs(), ctx).floats(); // gatherPacked
    TilePlan plan = TilePlan.of(g, nhwc || stage, stage ? g.kg() * g.q() : 0, matrix,
        ctx.workspaceFloats());
    int bufFloats = plan.tileFloats();
    int workers = Tiling.workers(ctx, plan.tiles(), bufFloats);
    // B panels from the gather only where a tile's GEMM runs on the threads, so that several
    // row blocks would each pack B; a one-thread GEMM packs B once, from the matrix in L3 to
    // L2, and its kernel then reads the panels from L2 rather than L3
    boolean panels = !nhwc && workers == 1;
    try (Workspace ws = Workspace.reusing(workers, bufFloats)) {
      Tiling.run(ctx, plan.tiles(), workers, tile -> {
        float[] cols = ws.take();
        for (int grp = 0; grp < g.groups(); grp++) {
          forwardTile(g, x, w, bias, y, grp, plan.row0(tile), plan.row1(tile), cols, panels,
              ctx);
        }
        ws.give(cols);
      });
    }
  }

  /** One tile of one group's forward; NCHW: {@code panels}, whether the gather writes B's panels. */
  private static void forwardTile(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      int grp, int row0, int row1, float[] cols, boolean panels, ExecContext ctx) {
    int t = (row1 - row0) * g.q();
    int crs = g.crs();
    int kg = g.kg();
    boolean add = bias != null; // accumulate onto the bias written first, else overwrite
    if (g.layout() == Layout.NCHW) {
      var wg = rowMajor(w, grp * kg * crs, crs); // [K/G, CRS]
      int n = row0 / g.p();
      PanelLayout layout = panels ? Sgemm.panelLayout(t, crs, ctx) : null;
      if (n != (row1 - 1) / g.p()) {
        // the tile spans images: bias, then the GEMM onto it, in a staged [K/G, T] block (the
        // same operations per element as in place), then each image's rows copied out
        int at = panels ? Math.toIntExact(layout.floats()) : crs * t;
        if (add) {
          Outputs.fillChannelRows(cols, at, t, kg, t, bias, grp * kg);
        }
        gatherB(g, x, grp, row0, row1, cols, layout, add, kg, t, crs, wg, cols, at, t, ctx);
        copyTileRows(g, grp, row0, row1, cols, at, y, false);
        return;
      }
      int yOff = g.yIndex(n, grp * kg, row0 - n * g.p(), 0);
      if (add) {
        Outputs.fillChannelRows(y, yOff, g.pq(), kg, t, bias, grp * kg);
      }
      gatherB(g, x, grp, row0, row1, cols, layout, add, kg, t, crs, wg, y, yOff, g.pq(), ctx);
    } else {
      int yOff = row0 * g.q() * g.k() + grp * kg;
      var wg = rowMajor(w, grp * kg, g.k()); // [RSC/G, K/G]
      if (add) {
        Outputs.fillPixelRows(y, yOff, g.k(), t, kg, bias, grp * kg);
      }
      gather(g, x, grp, row0, row1, cols, ctx);
      gemm(add, t, kg, crs, rowMajor(cols, 0, crs), wg, y, yOff, g.k(), ctx);
    }
  }

  /** {@code C (+)= A * B}. */
  private static void gemm(boolean add, int m, int n, int k, StridedMatrix a, StridedMatrix b,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    if (add) {
      Sgemm.multiplyAdd(m, n, k, a, b, c, cOff, ldc, ctx);
    } else {
      Sgemm.multiply(m, n, k, a, b, c, cOff, ldc, ctx);
    }
  }

  /**
   * The NCHW forward's gather and GEMM {@code C (+)= W_g x cols}: cols gathered into
   * {@code layout}'s panels at {@code cols[0]}, or (layout null) into a dense matrix there.
   */
  private static void gatherB(ConvGeometry g, float[] x, int grp, int row0, int row1,
      float[] cols, PanelLayout layout, boolean add, int m, int n, int k, StridedMatrix a,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    if (layout != null) {
      gatherPacked(g, x, grp, row0, row1, cols, layout, ctx);
      gemmPanels(add, m, n, k, a, cols, layout, c, cOff, ldc, ctx);
    } else {
      gather(g, x, grp, row0, row1, cols, ctx);
      gemm(add, m, n, k, a, rowMajor(cols, 0, n), c, cOff, ldc, ctx);
    }
  }

  /** {@code C (+)= A * B}, B packed into {@code panels} at {@code b[0]}. */
  private static void gemmPanels(boolean add, int m, int n, int k, StridedMatrix a, float[] b,
      PanelLayout panels, float[] c, int cOff, int ldc, ExecContext ctx) {
    if (add) {
      Sgemm.multiplyAdd(m, n, k, a, b, 0, panels, c, cOff, ldc, ctx);
    } else {
      Sgemm.multiply(m, n, k, a, b, 0, panels, c, cOff, ldc, ctx);
    }
  }

  /** {@link #gather}, straight into the GEMM's panels ({@link Im2col#gatherPacked}). */
  private static void gatherPacked(ConvGeometry g, float[] x, int grp, int row0, int row1,
      float[] dst, PanelLayout panels, ExecContext ctx) {
    int parts = ctx.workersFor(g.crs() * (row1 - row0)); // 1 when nested: copies are exact
    int t = (row1 - row0) * g.q();
    ctx.parallelFor(parts, part -> withGatherScratch(t, scratch -> Im2col.gatherPacked(g, x,
        grp, row0, row1, dst, 0, panels, part, parts, scratch, ctx.kernels().arrays())));
  }

  /** Runs {@code body} with pooled gather scratch of at least {@code floats}. */
  private static void withGatherScratch(int floats, Consumer<float[]> body) {
    try (ScratchPool.Lease lease = ScratchPool.lease(floats)) {
      body.accept(lease.array());
    }
  }

  /** {@link #gather}, into cols^T's GEMM panels ({@link Im2col#gatherPackedTransposed}). */
  private static void gatherPackedTransposed(ConvGeometry g, float[] x, int grp, int row0,
      int row1, float[] dst, ExecContext ctx) {
    PanelLayout panels = Sgemm.panelLayout(g.crs(), (row1 - row0) * g.q(), ctx);
    int parts = ctx.workersFor(panels.nPad() / panels.nr()); // 1 when nested
    int floats = panels.nr() * panels.k();
    ctx.parallelFor(parts, part -> withGatherScratch(floats, scratch ->
        Im2col.gatherPackedTransposed(g, x, grp, row0, row1, dst, 0, panels, part, parts,
            scratch, ctx.kernels().arrays())));
  }

  /**
   * Whether NCHW tiles span images ({@link #spanImagePixels}): below half the GEMM's depth
   * block (KC 256), a per-image tile is a short reduction block (weight gradient) or a narrow
   * GEMM (forward) of its own; larger images gain nothing, the depth blocks cut the reduction
   * anyway.
   */
  private boolean spansImages(ConvGeometry g) {
    return g.pq() <= spanImagePixels;
  }

  /** dy's tile rows copied into {@code buf} from {@code at}: the [K/G, T] matrix there. */
  private static StridedMatrix staged(ConvGeometry g, float[] dy, int grp, int row0, int row1,
      float[] buf, int at) {
    copyTileRows(g, grp, row0, row1, buf, at, dy, true);
    return rowMajor(buf, at, (row1 - row0) * g.q());
  }

  /**
   * Copies between an NCHW output-shaped array ({@code y} or {@code dy}) over the global output
   * rows [row0, row1) of group {@code grp}'s channels, which may span images, and a [K/G, T]
   * block of {@code buf} from {@code at}: into the block if {@code toBlock}, else out of it.
   */
  static void copyTileRows(ConvGeometry g, int grp, int row0, int row1, float[] buf,
      int at, float[] nchw, boolean toBlock) {
    int t = (row1 - row0) * g.q();
    for (int kk = 0; kk < g.kg(); kk++) {
      for (int r = row0; r < row1; ) {
        int n = r / g.p();
        int end = Math.min(row1, (n + 1) * g.p()); // this image's rows: one run per channel
        int len = (end - r) * g.q();
        int image = g.yIndex(n, grp * g.kg() + kk, r - n * g.p(), 0);
        int block = at + kk * t + (r - row0) * g.q();
        if (toBlock) {
          System.arraycopy(nchw, image, buf, block, len);
        } else {
          System.arraycopy(buf, block, nchw, image, len);
        }
        r = end;
      }
    }
  }

  /** Gathers a tile, split over the threads when not already inside a parallel task. */
  private static void gather(ConvGeometry g, float[] x, int grp, int row0, int row1,
      float[] cols, ExecContext ctx) {
    int parts = ctx.workersFor(g.crs() * (row1 - row0)); // 1 when nested: copies are exact
    if (parts <= 1) {
      Im2col.gatherInto(g, x, grp, row0, row1, cols, 0, ctx.kernels().arrays());
    } else {
      ctx.parallelFor(parts, part -> Im2col.gatherInto(g, x, grp, row0, row1, cols, 0, part,
          parts, ctx.kernels().arrays()));
    }
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert Outputs.sized(g, dx, w, dy) : "sizes";
    if (g.layout() == Layout.NCHW && spansImages(g)) {
      TilePlan spanning = TilePlan.of(g, true, g.kg() * g.q(), ctx.workspaceFloats());
      ChannelBlockedInputGradient fused = ChannelBlockedInputGradient.spanning(g, spanning,
          ctx.kernels().gemm());
      if (fused != null) {
        backwardDataSpanning(g, dy, w, dx, spanning, fused, ctx);
        return;
      }
    }
    TilePlan plan = TilePlan.of(g, false, ctx.workspaceFloats());
    int tasks = g.n() * g.groups();
    int workers = Tiling.workers(ctx, tasks, plan.tileFloats());
    // fused into one thread's GEMM per tile: only when every thread has images of its own
    ChannelBlockedInputGradient fused = g.layout() == Layout.NCHW && tasks >= ctx.threads()
        ? ChannelBlockedInputGradient.of(g, plan, ctx.kernels().gemm()) : null;
    // the packed weights: about their own size outside the budget
    try (ScratchPool.Lease lease = fused == null ? null : packedWeights(fused, w, ctx);
        Workspace ws = Workspace.reusing(workers, plan.tileFloats())) {
      float[] pw = lease == null ? null : lease.array();
      Tiling.run(ctx, tasks, workers, task -> {
        int n = task / g.groups();
        int grp = task % g.groups();
        float[] dcols = ws.take();
        if (fused == null) {
          zeroInputBlock(g, dx, n, grp);
        }
        for (int i = 0; i < plan.tilesPerImage(); i++) {
          int tile = n * plan.tilesPerImage() + i;
          if (fused != null) { // zeroes dx channel block by channel block in the first tile
            fused.tile(dy, pw, dx, grp, plan.row0(tile), plan.row1(tile), i == 0, dcols,
                ctx.kernels().arrays());
          } else {
            backwardDataTile(g, dy, w, dx, grp, plan.row0(tile), plan.row1(tile), dcols, ctx);
          }
        }
        ws.give(dcols);
      });
    }
  }

  /** {@code fused}'s packed weights, in a pooled array that closing the lease gives back. */
  private static ScratchPool.Lease packedWeights(ChannelBlockedInputGradient fused, float[] w,
      ExecContext ctx) {
    ScratchPool.Lease lease = ScratchPool.lease(Math.toIntExact(fused.weightFloats()));
    try {
      fused.packWeights(w, lease.array(), ctx);
    } catch (Throwable t) { // no try-with-resources owns the lease yet
      lease.close();
      throw t;
    }
    return lease;
  }

  /**
   * The NCHW input gradient of small images: tiles span images (so the GEMM's columns fill its
   * micro-panels) and run in order, each one's blocks of channels in parallel
   * ({@link ChannelBlockedInputGradient#spanningTile}). Col2im's order makes the bits those of
   * the per-image tiles.
   */
  private static void backwardDataSpanning(ConvGeometry g, float[] dy, float[] w, float[] dx,
      TilePlan plan, ChannelBlockedInputGradient fused, ExecContext ctx) {
    try (ScratchPool.Lease lease = packedWeights(fused, w, ctx);
        Workspace ws = Workspace.reusing(1, plan.tileFloats())) {
      float[] packedW = lease.array();
      Arrays.fill(dx, 0f);
      float[] buf = ws.take();
      for (int tile = 0; tile < plan.tiles(); tile++) {
        for (int grp = 0; grp < g.groups(); grp++) {
          fused.spanningTile(dy, packedW, dx, grp, plan.row0(tile), plan.row1(tile), plan, buf,
              ctx);
        }
      }
      ws.give(buf);
    }
  }

  private static void backwardDataTile(ConvGeometry g, float[] dy, float[] w, float[] dx,
      int grp, int row0, int row1, float[] dcols, ExecContext ctx) {
    int t = (row1 - row0) * g.q();
    int crs = g.crs();
    int kg = g.kg();
    if (g.layout() == Layout.NCHW) {
      int n = row0 / g.p();
      var wgT = rowMajor(w, grp * kg * crs, crs).transpose();                     // [CRS, K/G]
      var dyg = rowMajor(dy, g.yIndex(n, grp * kg, row0 - n * g.p(), 0), g.pq()); // [K/G, T]
      Sgemm.multiply(crs, t, kg, wgT, dyg, dcols, 0, t, ctx);
    } else {
      var dyg = rowMajor(dy, row0 * g.q() * g.k() + grp * kg, g.k()); // [T, K/G]
      var wgT = rowMajor(w, grp * kg, g.k()).transpose();             // [K/G, RSC/G]
      Sgemm.multiply(t, crs, kg, dyg, wgT, dcols, 0, crs, ctx);
    }
    Col2im.scatterAdd(g, dcols, 0, grp, row0, row1, dx, ctx.kernels().arrays());
  }

  /** Zeroes the part of {@code dx} that task (image n, group grp) owns. */
  private static void zeroInputBlock(ConvGeometry g, float[] dx, int n, int grp) {
    int cg = g.cg();
    if (g.layout() == Layout.NCHW) {
      int at = g.xIndex(n, grp * cg, 0, 0);
      Arrays.fill(dx, at, at + cg * g.hw(), 0f);
    } else if (g.groups() == 1) {
      int at = g.xIndex(n, 0, 0, 0);
      Arrays.fill(dx, at, at + g.hw() * g.c(), 0f);
    } else {
      for (int i = 0, at = g.xIndex(n, grp * cg, 0, 0); i < g.hw(); i++, at += g.c()) {
        Arrays.fill(dx, at, at + cg, 0f);
      }
    }
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert Outputs.sized(g, x, dw, dy) : "sizes";
    // NCHW tiles otherwise end with an image: small images would then make one short
    // reduction (P*Q pixels) per image, each re-reading and re-writing all of dW. Their tiles
    // span images instead, dy's rows staged next to the column matrix.
    boolean nchw = g.layout() == Layout.NCHW;
    boolean stage = nchw && spansImages(g);
    IntToLongFunction matrix = nchw // NCHW: gatherPackedTransposed
        ? rows -> Sgemm.panelLayout(g.crs(), rows * g.q(), ctx).floats()
        : rows -> Im2col.tileFloats(g, rows);
    TilePlan plan = TilePlan.of(g, !nchw || stage, stage ? g.kg() * g.q() : 0, matrix,
        ctx.workspaceFloats());
    int workers = Tiling.workers(ctx, g.groups(), plan.tileFloats());
    try (Workspace ws = Workspace.reusing(workers, plan.tileFloats())) {
      Tiling.run(ctx, g.groups(), workers, grp -> {
        float[] cols = ws.take();
        for (int tile = 0; tile < plan.tiles(); tile++) { // in order: fixed reduction order
          int row0 = plan.row0(tile);
          int row1 = plan.row1(tile);
          if (nchw) {
            gatherPackedTransposed(g, x, grp, row0, row1, cols, ctx);
          } else {
            gather(g, x, grp, row0, row1, cols, ctx);
          }
          backwardWeightTile(g, dy, dw, grp, row0, row1, cols, tile > 0, ctx);
        }
        ws.give(cols);
      });
    }
  }

  private static void backwardWeightTile(ConvGeometry g, float[] dy, float[] dw, int grp,
      int row0, int row1, float[] cols, boolean accumulate, ExecContext ctx) {
    int t = (row1 - row0) * g.q();
    int crs = g.crs();
    int kg = g.kg();
    if (g.layout() == Layout.NCHW) {
      int n = row0 / g.p();
      PanelLayout panels = Sgemm.panelLayout(crs, t, ctx); // cols^T [T, CRS], packed
      var dyg = n == (row1 - 1) / g.p() // [K/G, T]: in place within an image, else staged
          ? rowMajor(dy, g.yIndex(n, grp * kg, row0 - n * g.p(), 0), g.pq())
          : staged(g, dy, grp, row0, row1, cols, Math.toIntExact(panels.floats()));
      int dwOff = grp * kg * crs; // OIHW: dW_g is rows [g*K/G, (g+1)*K/G) of [K, CRS]
      gemmPanels(accumulate, kg, crs, t, dyg, cols, panels, dw, dwOff, crs, ctx);
    } else {
      var rowsT = rowMajor(cols, 0, crs).transpose();                  // [RSC/G, T]
      var dyg = rowMajor(dy, row0 * g.q() * g.k() + grp * kg, g.k());  // [T, K/G]
      int dwOff = grp * kg; // HWIO: dW_g is a column block of [RSC/G, K]
      gemm(accumulate, crs, kg, t, rowsT, dyg, dw, dwOff, g.k(), ctx);
    }
  }
}
