package org.vconv.algo;

import java.util.Arrays;
import org.vconv.Layout;
import org.vconv.gemm.Sgemm;
import org.vconv.gemm.StridedMatrix;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.WinogradKernels;

/**
 * Winograd's minimal filtering F(m x m, 3 x 3) (Lavin and Gray, 2016) for dense 3x3 layers at
 * stride 1 and dilation 1, any padding, any groups, both layouts; m = 2 or 4, tiles of
 * {@code n = m + 2} inputs. The output is cut into m x m tiles; for every tile and channel the
 * input tile {@code d} becomes {@code V = B^T d B}, every filter {@code g} becomes
 * {@code U = G g G^T} (once per call), and the {@code n^2} element-wise products
 * summed over channels are {@code n^2} independent GEMMs {@code M[xi] = V[xi] U[xi]^T}
 * ({@code tiles x C/G} times {@code C/G x K/G}) on the packed micro-kernels; then
 * {@code Y = A^T M A + bias}. That is {@code (m + 2)^2 / (9 m^2)} of the direct products:
 * 1/2.25 at m = 2, 1/4 at m = 4.
 *
 * <p>Layout: the transforms run on FloatVector lanes across channels
 * ({@link WinogradKernels}), so they read and write channels innermost: NHWC in place, NCHW
 * through a transposed copy of the rows of one band of tiles (a tile row of one image). The
 * transformed tiles are {@code [xi][tile][channel]}, each {@code xi}'s block a row-major GEMM
 * operand; the transformed filters are packed once per call in the GEMM's B panels. Edge tiles
 * (padding, outputs past a multiple of m) are copied into a zeroed tile first, so padding
 * multiplies like zeros and the outputs past the edge are computed and dropped.
 *
 * <p>Input gradient: the same forward on {@code dy} with the filters flipped and transposed and
 * the padding {@code 2 - pad} (negative pads crop). Weight gradient: the adjoint of the
 * forward in the Winograd domain, {@code dW = G^T (sum over tiles of Z[xi] V[xi]) G} with
 * {@code Z = A dy A^T}: per {@code xi} one GEMM {@code K/G x tiles} times {@code tiles x C/G}
 * accumulated over the blocks of tiles in order, then the filter-side transform.
 *
 * <p>Threads: the transforms split over bands, the GEMMs over {@code xi} (each single-threaded);
 * every task owns its outputs and every sum has an order fixed by the budget alone, so results
 * are bitwise the same for any thread count. Workspace: bands are taken in blocks so that the
 * transformed tiles, the GEMM results and the copies stay within the budget (one band at
 * least), up to {@code blockTiles} tiles per block. Non-finite values would meet the
 * transforms' differences ({@code Inf - Inf}) where the definition has none: every pass
 * declines them ({@code ...IfExact}) and the plan runs its exact path.
 */
public final class Winograd implements ConvAlgorithm {
  /**
   * The products' sums over channels run in blocks of at most this many channels, the first
   * stored and each next one's products added onto the sum, in order (Sgemm's multiply, then
   * multiplyAdd): part of the accuracy contract (WinogradAccuracyTest), not
   * a speed setting. One long sum of transformed values grew Winograd's error past twice
   * PyTorch's at 256 channels.
   */
  static final int DEPTH_BLOCK = 64;

  private final int m;
  private final int blockTiles;

  /**
   * @param m the output tile size, 2 or 4
   * @param blockTiles tiles per block at most (a tuned number): the GEMMs' rows per call
   */
  public Winograd(int m, int blockTiles) {
    if (m != 2 && m != 4) {
      throw new IllegalArgumentException("Winograd tile m must be 2 or 4, was " + m);
    }
    this.m = m;
    this.blockTiles = Math.max(1, blockTiles);
  }

  /** The output tile size m. */
  public int tile() {
    return m;
  }

  /** Whether the shape is one Winograd computes: 3x3, stride 1, dilation 1. */
  public static boolean supports(ConvGeometry g) {
    return g.r() == 3 && g.s() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.dilH() == 1
        && g.dilW() == 1;
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    if (!forwardIfExact(g, x, w, bias, y, ctx)) {
      throw new IllegalStateException("non-finite values: the plan runs its exact path");
    }
  }

  @Override
  public boolean forwardIfExact(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert supports(g) && Outputs.sized(g, x, w, y) : "planned elsewhere";
    if (!finite(ctx, x) || !finite(ctx, w)) {
      return false;
    }
    Plane pl = new Plane(g.layout(), g.n(), g.groups(), g.cg(), g.kg(), g.h(), g.w(), g.p(),
        g.q(), g.padTop(), g.padLeft());
    forward(pl, x, w, false, g, bias, y, ctx);
    return true;
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    if (!backwardDataIfExact(g, dy, w, dx, ctx)) {
      throw new IllegalStateException("non-finite values: the plan runs its exact path");
    }
  }

  @Override
  public boolean backwardDataIfExact(ConvGeometry g, float[] dy, float[] w, float[] dx,
      ExecContext ctx) {
    assert supports(g) && Outputs.sized(g, dx, w, dy) : "planned elsewhere";
    if (!finite(ctx, dy) || !finite(ctx, w)) {
      return false;
    }
    // the stride-1 transpose: dy (P x Q, K/G channels per group) to dx (H x W, C/G)
    Plane pl = new Plane(g.layout(), g.n(), g.groups(), g.kg(), g.cg(), g.p(), g.q(), g.h(),
        g.w(), 2 - g.padTop(), 2 - g.padLeft());
    forward(pl, dy, w, true, g, null, dx, ctx);
    return true;
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    if (!backwardWeightIfExact(g, dy, x, dw, ctx)) {
      throw new IllegalStateException("non-finite values: the plan runs its exact path");
    }
  }

  @Override
  public boolean backwardWeightIfExact(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert supports(g) && Outputs.sized(g, x, dw, dy) : "planned elsewhere";
    if (!finite(ctx, dy) || !finite(ctx, x)) {
      return false;
    }
    weightGradient(g, dy, x, dw, ctx);
    return true;
  }

  private static boolean finite(ExecContext ctx, float[] a) {
    return ctx.kernels().arrays().allFinite(a, 0, a.length);
  }

  /**
   * One stride-1 3x3 correlation as the forward computes it: {@code in} input channels and
   * {@code out} output channels per group, an {@code h x w} input, a {@code p x q} output,
   * the top and left pads (negative: cropped).
   */
  private record Plane(Layout layout, int n, int groups, int in, int out, int h, int w, int p,
      int q, int padTop, int padLeft) {

    int tilesH(int m) {
      return (p + m - 1) / m;
    }

    int tilesW(int m) {
      return (q + m - 1) / m;
    }
  }

  /** The single-threaded context of one GEMM task: a share of the budget, the same kernels. */
  private static ExecContext gemmContext(ExecContext ctx) {
    return new ExecContext(1, Math.max(1, ctx.workspaceBytes() / ctx.threads()), ctx.kernels());
  }

  /**
   * The transformed filters {@code U = G g G^T} of every group as the GEMMs' row-major B
   * operands ({@code in x out}): group {@code gi}'s {@code xi} at
   * {@code ((gi * nn + xi) * in) * out}. {@code transposed}: the input gradient's filters,
   * {@code g'[o = c][i = k] = w[k][c]} flipped in both axes. The taps are first gathered to
   * {@code [tap][i][o]} (outputs innermost), then transformed across outputs on vector lanes.
   * Taken from the scratch pool: the caller gives it back.
   */
  private float[] transformFilters(ConvGeometry g, float[] w, boolean transposed, int in,
      int out, ExecContext ctx) {
    int nn = (m + 2) * (m + 2);
    int per = in * out;
    float[] u = ScratchPool.take(Math.toIntExact((long) g.groups() * nn * per));
    float[] taps = ScratchPool.take(Math.toIntExact((long) g.groups() * 9 * per));
    try {
      ArrayKernels arrays = ctx.kernels().arrays();
      WinogradKernels kern = ctx.kernels().winograd();
      int kTot = g.k();
      int cg = g.cg();
      ctx.parallelFor(g.groups() * 9, task -> {
        int gi = task / 9;
        int tap = task % 9;
        int src = transposed ? 8 - tap : tap; // flipped in both axes: tap (r, s) -> (2-r, 2-s)
        int dOff = (gi * 9 + tap) * per;
        if (g.layout() == Layout.NCHW) { // OIHW: w[k][c][tap]
          int base = gi * g.kg() * cg * 9 + src;
          if (transposed) { // [i = k][o = c]
            arrays.transpose(w, base, 9, cg * 9, out, in, taps, dOff, out);
          } else { // [i = c][o = k]
            arrays.transpose(w, base, cg * 9, 9, out, in, taps, dOff, out);
          }
        } else { // HWIO: w[tap][c][k]
          int base = src * cg * kTot + gi * g.kg();
          if (transposed) {
            arrays.transpose(w, base, kTot, 1, out, in, taps, dOff, out);
          } else {
            for (int i = 0; i < in; i++) {
              System.arraycopy(w, base + i * kTot, taps, dOff + i * out, out);
            }
          }
        }
      });
      int chunk = Math.max(1, (in + 15) / 16);
      int parts = (in + chunk - 1) / chunk;
      ctx.parallelFor(g.groups() * parts, task -> {
        int gi = task / parts;
        int i0 = task % parts * chunk;
        for (int i = i0; i < Math.min(in, i0 + chunk); i++) {
          kern.filterTransform(m, taps, gi * 9 * per + i * out, per, u, gi * nn * per + i * out,
              per, out);
        }
      });
    } finally {
      ScratchPool.give(taps);
    }
    return u;
  }

  // ---- forward (and the input gradient, a forward of dy)

  /**
   * Bands (a tile row of one image) per block: as many as fit the budget next to the GEMM
   * workers' buffers, at most {@code blockTiles} tiles, one at least.
   */
  private int bandsPerBlock(long perBand, int tilesW, int bands, ExecContext ctx) {
    long free = ctx.workspaceFloats()
        - (long) ctx.threads() * Sgemm.workspaceFloatsPerWorker(gemmContext(ctx));
    long fit = Math.max(1, free / Math.max(1, perBand));
    long want = Math.max(1, blockTiles / tilesW);
    return (int) Math.max(1, Math.min(bands, Math.min(fit, want)));
  }

  private void forward(Plane pl, float[] src, float[] w, boolean transposed, ConvGeometry g,
      float[] bias, float[] dst, ExecContext ctx) {
    int n = m + 2;
    int nn = n * n;
    int tilesH = pl.tilesH(m);
    int tilesW = pl.tilesW(m);
    int bands = pl.n() * tilesH;
    boolean nchw = pl.layout() == Layout.NCHW;
    // per band: transformed tiles and products; per worker: copies of a band and an edge tile
    long perBand = (long) nn * tilesW * (pl.in() + pl.out());
    long perWorker = (nchw ? (long) n * pl.w() * pl.in() + (long) m * pl.q() * pl.out() : 0)
        + (long) nn * pl.in();
    ExecContext one = gemmContext(ctx);
    int block = bandsPerBlock(perBand + ctx.threads() * perWorker / Math.max(1, bands), tilesW,
        bands, ctx);
    int maxTiles = block * tilesW;
    float[] u = transformFilters(g, w, transposed, pl.in(), pl.out(), ctx);
    int per = pl.in() * pl.out();
    try (ScratchPool.Lease vl = ScratchPool.lease(Math.toIntExact((long) nn * maxTiles * pl.in()));
        ScratchPool.Lease ml = ScratchPool.lease(
            Math.toIntExact((long) nn * maxTiles * pl.out()))) {
      float[] v = vl.array();
      float[] mm = ml.array();
      WinogradKernels kern = ctx.kernels().winograd();
      ArrayKernels arrays = ctx.kernels().arrays();
      for (int b0 = 0; b0 < bands; b0 += block) {
        int first = b0;
        int count = Math.min(block, bands - b0);
        int tiles = count * tilesW;
        for (int gi = 0; gi < pl.groups(); gi++) {
          int group = gi;
          ctx.parallelFor(count, t -> inputBand(pl, src, group, first + t, t * tilesW, tiles, v,
              kern, arrays));
          ctx.parallelFor(nn, xi -> products(tiles, pl.in(), pl.out(), v, xi * tiles * pl.in(),
              u, (group * nn + xi) * per, mm, xi * tiles * pl.out(), one));
          ctx.parallelFor(count, t -> outputBand(pl, mm, group, first + t, t * tilesW, tiles,
              bias, dst, kern, arrays));
        }
      }
    } finally {
      ScratchPool.give(u);
    }
  }

  /**
   * {@code M = V U} ({@code tiles x in} times {@code in x out}, row-major) summed over channel
   * blocks of at most {@link #DEPTH_BLOCK} in order: the first block stored, each next one
   * added onto it.
   */
  private static void products(int tiles, int in, int out, float[] v, int vOff, float[] u,
      int uOff, float[] mm, int mOff, ExecContext one) {
    int blocks = (in + DEPTH_BLOCK - 1) / DEPTH_BLOCK;
    int depth = (in + blocks - 1) / blocks;
    for (int c0 = 0; c0 < in; c0 += depth) {
      int d = Math.min(depth, in - c0);
      StridedMatrix a = StridedMatrix.rowMajor(v, vOff + c0, in);
      StridedMatrix b = StridedMatrix.rowMajor(u, uOff + c0 * out, out);
      if (c0 == 0) {
        Sgemm.multiply(tiles, out, d, a, b, mm, mOff, out, one);
      } else {
        Sgemm.multiplyAdd(tiles, out, d, a, b, mm, mOff, out, one);
      }
    }
  }

  /**
   * Transforms the input tiles of band {@code band} (image {@code band / tilesH}, tile row
   * {@code band % tilesH}) of group {@code gi} into {@code v[xi][t0 + tc][c]}.
   */
  private void inputBand(Plane pl, float[] src, int gi, int band, int t0, int tiles, float[] v,
      WinogradKernels kern, ArrayKernels arrays) {
    int n = m + 2;
    int in = pl.in();
    int img = band / pl.tilesH(m);
    int top = band % pl.tilesH(m) * m - pl.padTop();
    int ctot = pl.groups() * in;
    float[] edge = ScratchPool.take(n * n * in);
    float[] stage = null;
    try {
      if (pl.layout() == Layout.NHWC) {
        int rp = pl.w() * ctot;
        Rows rows = new Rows(src, img * pl.h() * rp + gi * in, rp, ctot, 0, pl.h(), pl.w());
        for (int tc = 0; tc < pl.tilesW(m); tc++) {
          transformInput(rows, top, tc * m - pl.padLeft(), in, edge, v, (t0 + tc) * in,
              tiles * in, kern);
        }
      } else {
        stage = ScratchPool.take(n * pl.w() * in);
        Rows rows = stageRows(src, pl.h(), pl.w(), (img * ctot + gi * in), in, top, n, stage,
            arrays);
        for (int tc = 0; tc < pl.tilesW(m); tc++) {
          transformInput(rows, top, tc * m - pl.padLeft(), in, edge, v, (t0 + tc) * in,
              tiles * in, kern);
        }
      }
    } finally {
      ScratchPool.give(edge);
      if (stage != null) {
        ScratchPool.give(stage);
      }
    }
  }

  /**
   * Rows of an image, channels innermost: element {@code (row, col, c)} at
   * {@code a[off + row*rp + col*cp + c]} for rows in {@code [rowLo, rowHi)} and columns in
   * {@code [0, cols)}; everything else reads as zero.
   */
  private record Rows(float[] a, int off, int rp, int cp, int rowLo, int rowHi, int cols) {}

  /**
   * Copies rows {@code [top, top + count)} of an NCHW image (first channel {@code c0} of
   * {@code in}) into {@code stage}, channels innermost, rows outside the image as zeros.
   */
  private static Rows stageRows(float[] src, int h, int w, int c0, int in, int top, int count,
      float[] stage, ArrayKernels arrays) {
    int plane = h * w;
    int lo = Math.max(0, top);
    int hi = Math.min(h, top + count);
    if (lo > top) {
      Arrays.fill(stage, 0, Math.min(count, lo - top) * w * in, 0f);
    }
    if (hi < top + count) {
      Arrays.fill(stage, Math.max(0, hi - top) * w * in, count * w * in, 0f);
    }
    if (lo < hi) {
      arrays.transpose(src, c0 * plane + lo * w, plane, 1, in, (hi - lo) * w, stage,
          (lo - top) * w * in, in);
    }
    return new Rows(stage, -top * w * in, w * in, in, top, top + count, w);
  }

  /**
   * Whether the {@code size x size} tile at {@code (top, left)} of {@code rows} reaches outside
   * them; if so, it is copied into {@code edge} ({@code [i][j][ch]}) with zeros there.
   */
  private static boolean copiedToEdge(Rows rows, int top, int left, int size, int ch, float[] edge) {
    if (top >= rows.rowLo() && top + size <= rows.rowHi() && left >= 0
        && left + size <= rows.cols()) {
      return false;
    }
    Arrays.fill(edge, 0, size * size * ch, 0f);
    for (int i = 0; i < size; i++) {
      int row = top + i;
      if (row < rows.rowLo() || row >= rows.rowHi()) {
        continue;
      }
      for (int j = 0; j < size; j++) {
        int col = left + j;
        if (col >= 0 && col < rows.cols()) {
          System.arraycopy(rows.a(), rows.off() + row * rows.rp() + col * rows.cp(), edge,
              (i * size + j) * ch, ch);
        }
      }
    }
    return true;
  }

  private void transformInput(Rows rows, int top, int left, int ch, float[] edge, float[] v,
      int vOff, int vStride, WinogradKernels kern) {
    int n = m + 2;
    if (!copiedToEdge(rows, top, left, n, ch, edge)) {
      kern.inputTransform(m, rows.a(), rows.off() + top * rows.rp() + left * rows.cp(), rows.rp(),
          rows.cp(), v, vOff, vStride, ch);
    } else {
      kern.inputTransform(m, edge, 0, n * ch, ch, v, vOff, vStride, ch);
    }
  }

  private void transformGradient(Rows rows, int top, int left, int ch, float[] edge, float[] z,
      int zOff, int zStride, WinogradKernels kern) {
    if (!copiedToEdge(rows, top, left, m, ch, edge)) {
      kern.gradientTransform(m, rows.a(), rows.off() + top * rows.rp() + left * rows.cp(),
          rows.rp(), rows.cp(), z, zOff, zStride, ch);
    } else {
      kern.gradientTransform(m, edge, 0, m * ch, ch, z, zOff, zStride, ch);
    }
  }

  /** The output transform of band {@code band}'s tiles of group {@code gi}, into {@code dst}. */
  private void outputBand(Plane pl, float[] mm, int gi, int band, int t0, int tiles,
      float[] bias, float[] dst, WinogradKernels kern, ArrayKernels arrays) {
    int out = pl.out();
    int img = band / pl.tilesH(m);
    int p0 = band % pl.tilesH(m) * m;
    int rows = Math.min(m, pl.p() - p0);
    int ktot = pl.groups() * out;
    int ss = tiles * out;
    if (pl.layout() == Layout.NHWC) {
      int rp = pl.q() * ktot;
      int base = (img * pl.p() + p0) * rp + gi * out;
      for (int tc = 0; tc < pl.tilesW(m); tc++) {
        kern.outputTransform(m, mm, (t0 + tc) * out, ss, bias, gi * out, dst,
            base + tc * m * ktot, rp, ktot, rows, Math.min(m, pl.q() - tc * m), out);
      }
      return;
    }
    float[] stage = ScratchPool.take(m * pl.q() * out);
    try {
      for (int tc = 0; tc < pl.tilesW(m); tc++) {
        kern.outputTransform(m, mm, (t0 + tc) * out, ss, bias, gi * out, stage, tc * m * out,
            pl.q() * out, out, rows, Math.min(m, pl.q() - tc * m), out);
      }
      int plane = pl.p() * pl.q();
      arrays.transpose(stage, 0, out, 1, rows * pl.q(), out, dst,
          (img * ktot + gi * out) * plane + p0 * pl.q(), plane);
    } finally {
      ScratchPool.give(stage);
    }
  }

  // ---- the weight gradient

  private void weightGradient(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    int n = m + 2;
    int nn = n * n;
    int cg = g.cg();
    int kg = g.kg();
    int tilesH = (g.p() + m - 1) / m;
    int tilesW = (g.q() + m - 1) / m;
    int bands = g.n() * tilesH;
    boolean nchw = g.layout() == Layout.NCHW;
    long acc = (long) nn * kg * cg;
    long perBand = (long) nn * tilesW * (cg + kg);
    long perWorker = (nchw ? (long) n * g.w() * cg + (long) m * g.q() * kg : 0)
        + (long) nn * (cg + kg);
    ExecContext one = gemmContext(ctx);
    int block = bandsPerBlock(perBand + (acc + ctx.threads() * perWorker) / Math.max(1, bands),
        tilesW, bands, ctx);
    int maxTiles = block * tilesW;
    Plane pl = new Plane(g.layout(), g.n(), g.groups(), cg, kg, g.h(), g.w(), g.p(), g.q(),
        g.padTop(), g.padLeft());
    try (ScratchPool.Lease vl = ScratchPool.lease(Math.toIntExact((long) nn * maxTiles * cg));
        ScratchPool.Lease zl = ScratchPool.lease(Math.toIntExact((long) nn * maxTiles * kg));
        ScratchPool.Lease al = ScratchPool.lease(Math.toIntExact(acc))) {
      float[] v = vl.array();
      float[] z = zl.array();
      float[] sums = al.array();
      WinogradKernels kern = ctx.kernels().winograd();
      ArrayKernels arrays = ctx.kernels().arrays();
      for (int gi = 0; gi < g.groups(); gi++) {
        int group = gi;
        for (int b0 = 0; b0 < bands; b0 += block) {
          int first = b0;
          int count = Math.min(block, bands - b0);
          int tiles = count * tilesW;
          ctx.parallelFor(count, t -> {
            inputBand(pl, x, group, first + t, t * tilesW, tiles, v, kern, arrays);
            gradientBand(pl, dy, group, first + t, t * tilesW, tiles, z, kern, arrays);
          });
          boolean firstBlock = b0 == 0;
          ctx.parallelFor(nn, xi -> {
            StridedMatrix a = new StridedMatrix(z, xi * tiles * kg, 1, kg); // Z^T: kg x tiles
            StridedMatrix b = StridedMatrix.rowMajor(v, xi * tiles * cg, cg); // tiles x cg
            if (firstBlock) {
              Sgemm.multiply(kg, cg, tiles, a, b, sums, xi * kg * cg, cg, one);
            } else {
              Sgemm.multiplyAdd(kg, cg, tiles, a, b, sums, xi * kg * cg, cg, one);
            }
          });
        }
        filterGradient(g, group, sums, dw, ctx);
      }
    }
  }

  /** Transforms band {@code band}'s tiles of {@code dy} (group {@code gi}) into {@code z}. */
  private void gradientBand(Plane pl, float[] dy, int gi, int band, int t0, int tiles,
      float[] z, WinogradKernels kern, ArrayKernels arrays) {
    int out = pl.out();
    int img = band / pl.tilesH(m);
    int p0 = band % pl.tilesH(m) * m;
    int ktot = pl.groups() * out;
    float[] edge = ScratchPool.take(m * m * out);
    float[] stage = null;
    try {
      Rows rows;
      if (pl.layout() == Layout.NHWC) {
        int rp = pl.q() * ktot;
        rows = new Rows(dy, img * pl.p() * rp + gi * out, rp, ktot, 0, pl.p(), pl.q());
      } else {
        stage = ScratchPool.take(m * pl.q() * out);
        rows = stageRows(dy, pl.p(), pl.q(), img * ktot + gi * out, out, p0, m, stage, arrays);
      }
      for (int tc = 0; tc < pl.tilesW(m); tc++) {
        transformGradient(rows, p0, tc * m, out, edge, z, (t0 + tc) * out, tiles * out, kern);
      }
    } finally {
      ScratchPool.give(edge);
      if (stage != null) {
        ScratchPool.give(stage);
      }
    }
  }

  /**
   * {@code dW = G^T S G} for group {@code gi}, {@code S} at {@code sums[xi][k][c]}: transformed
   * across input channels on vector lanes into {@code taps[tap][k][c]}, then stored in the
   * weight layout.
   */
  private void filterGradient(ConvGeometry g, int gi, float[] sums, float[] dw,
      ExecContext ctx) {
    int cg = g.cg();
    int kg = g.kg();
    int per = kg * cg;
    WinogradKernels kern = ctx.kernels().winograd();
    ArrayKernels arrays = ctx.kernels().arrays();
    float[] taps = ScratchPool.take(9 * per);
    try {
      int chunk = Math.max(1, (kg + 15) / 16);
      int parts = (kg + chunk - 1) / chunk;
      ctx.parallelFor(parts, task -> {
        for (int k = task * chunk; k < Math.min(kg, task * chunk + chunk); k++) {
          kern.filterGradientTransform(m, sums, k * cg, per, taps, k * cg, per, cg);
        }
      });
      if (g.layout() == Layout.NCHW) { // OIHW: dw[k][c][tap]
        arrays.transpose(taps, 0, per, 1, 9, per, dw, gi * per * 9, 9);
      } else { // HWIO: dw[tap][c][k]
        ctx.parallelFor(9, tap -> arrays.transpose(taps, tap * per, cg, 1, kg, cg, dw,
            tap * cg * g.k() + gi * kg, g.k()));
      }
    } finally {
      ScratchPool.give(taps);
    }
  }
}
