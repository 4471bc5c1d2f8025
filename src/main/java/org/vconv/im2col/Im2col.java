package org.vconv.im2col;

import static org.vconv.plan.ExecContext.slice;

import java.util.Arrays;
import org.vconv.Layout;
import org.vconv.gemm.PanelLayout;
import org.vconv.plan.ConvGeometry;
import org.vconv.simd.ArrayKernels;

/**
 * Gathers the im2col matrix of one group over a tile of output pixels: the global output rows
 * {@code [row0, row1)}, where global row {@code n * P + p} is row {@code p} of image {@code n}
 * (a tile may span images). The tile holds {@code T = (row1 - row0) * Q} pixels in row-major
 * order, and the matrix is dense:
 *
 * <ul>
 *   <li>NCHW: {@code cols [C/G*R*S, T]}, row {@code (c*R + r)*S + s}, column = pixel, so
 *       {@code y_g [K/G, T] = W_g [K/G, CRS] x cols}.
 *   <li>NHWC: {@code rows [T, R*S*C/G]}, row = pixel, column {@code (r*S + s)*C/G + c} (the
 *       HWIO row order), so {@code y [T, K/G] = rows x W_g}.
 * </ul>
 *
 * Taps that fall into the padding are written as zeros; every element of the tile's matrix
 * is overwritten. Contiguous runs (NCHW at stride 1; NHWC channel runs) are copied with
 * {@link System#arraycopy}; NCHW's strided runs go through {@link ArrayKernels#gatherStrided}.
 */
public final class Im2col {
  private Im2col() {}

  /** Floats of one group's matrix for a tile of {@code rows} output rows. */
  public static long tileFloats(ConvGeometry g, int rows) {
    return (long) g.crs() * g.q() * rows;
  }

  /** Overwrites the whole matrix of the tile at {@code dst[dOff...]}. */
  public static void gatherInto(ConvGeometry g, float[] x, int group, int row0, int row1,
      float[] dst, int dOff, ArrayKernels arrays) {
    gatherInto(g, x, group, row0, row1, dst, dOff, 0, 1, arrays);
  }

  /**
   * Overwrites part {@code part} of {@code parts} of the tile's matrix (NCHW: a block of
   * matrix rows; NHWC: a block of pixels). The parts are disjoint and together cover the
   * matrix, so they may be gathered concurrently.
   */
  public static void gatherInto(ConvGeometry g, float[] x, int group, int row0, int row1,
      float[] dst, int dOff, int part, int parts, ArrayKernels arrays) {
    assert 0 <= group && group < g.groups() : "group";
    assert 0 <= row0 && row0 < row1 && row1 <= g.n() * g.p() : "tile rows";
    assert 0 <= part && part < parts : "part";
    assert dOff >= 0 && dOff + tileFloats(g, row1 - row0) <= dst.length : "dst too small";
    if (g.layout() == Layout.NCHW) {
      int depth = g.crs();
      gatherNchw(g, x, group, row0, row1, dst, dOff, slice(depth, part, parts),
          slice(depth, part + 1, parts), arrays);
    } else {
      int pixels = (row1 - row0) * g.q();
      gatherNhwc(g, x, group, row0, dst, dOff, slice(pixels, part, parts),
          slice(pixels, part + 1, parts));
    }
  }

  private static void gatherNchw(ConvGeometry g, float[] x, int group, int row0, int row1,
      float[] dst, int dOff, int d0, int d1, ArrayKernels arrays) {
    int t = (row1 - row0) * g.q();
    for (int d = d0; d < d1; d++) {
      gatherNchwRow(g, x, group, row0, row1, d, dst, dOff + d * t, arrays);
    }
  }

  /** Matrix row {@code d} (a tap of one channel), its column 0 at {@code dst[rowOff]}. */
  private static void gatherNchwRow(ConvGeometry g, float[] x, int group, int row0, int row1,
      int d, float[] dst, int rowOff, ArrayKernels arrays) {
    int q = g.q();
    int rs = g.r() * g.s();
    int sw = g.strideW();
    // unit strides and W == Q: a tap's rows are one run of x as well as of the matrix
    boolean runs = sw == 1 && g.strideH() == 1 && g.w() == q;
    int c = group * g.cg() + d / rs;
    int ri = d % rs / g.s();
    int si = d % g.s();
    int tapH = ri * g.dilH();
    int tapW = si * g.dilW();
    int qLo = ValidRange.first(g.padLeft(), tapW, sw, q);
    int qHi = ValidRange.end(g.w(), g.padLeft(), tapW, sw, q);
    if (runs && qLo < qHi) {
      gatherRuns(g, x, c, tapH, tapW - g.padLeft(), qLo, qHi, row0, row1, dst, rowOff);
      return;
    }
    for (int gr = row0; gr < row1; gr++) {
      int n = gr / g.p();
      int ih = ValidRange.input(gr - n * g.p(), g.padTop(), tapH, g.strideH());
      int seg = rowOff + (gr - row0) * q;
      if (ih < 0 || ih >= g.h()) {
        Arrays.fill(dst, seg, seg + q, 0f);
        continue;
      }
      Arrays.fill(dst, seg, seg + qLo, 0f);
      Arrays.fill(dst, seg + qHi, seg + q, 0f);
      if (qLo == qHi) {
        continue; // every tap of this kernel column is padding (its index may be negative)
      }
      int src = g.xIndex(n, c, ih, 0) + ValidRange.input(qLo, g.padLeft(), tapW, sw);
      arrays.gatherStrided(x, src, sw, dst, seg + qLo, qHi - qLo);
    }
  }

  /**
   * Gathers part {@code part} of {@code parts} of an NCHW tile's matrix (a block of its rows)
   * straight into the GEMM's micro-panels: element {@code (d, t)} to
   * {@code dst[dOff + layout.index(d, t)]}, the panel columns past T zeroed, the same values as
   * {@link #gatherInto}. {@code layout} is {@code Sgemm.panelLayout(T, C/G*R*S, ...)}. The GEMM
   * then packs no B: each value is written once instead of gathered, then read and written
   * again by packing (twice, when two row blocks of the GEMM each pack it). {@code scratch}
   * holds at least T floats, contents arbitrary.
   */
  public static void gatherPacked(ConvGeometry g, float[] x, int group, int row0, int row1,
      float[] dst, int dOff, PanelLayout layout, int part, int parts, float[] scratch,
      ArrayKernels arrays) {
    int t = (row1 - row0) * g.q();
    assert g.layout() == Layout.NCHW : "NCHW only";
    assert 0 <= group && group < g.groups() : "group";
    assert 0 <= row0 && row0 < row1 && row1 <= g.n() * g.p() : "tile rows";
    assert layout.n() == t && layout.k() == g.crs() : "layout";
    assert 0 <= part && part < parts : "part";
    assert dOff >= 0 && dOff + layout.floats() <= dst.length : "dst too small";
    assert scratch.length >= t : "scratch";
    int nr = layout.nr();
    int full = t / nr * nr;
    float[] row = scratch; // one matrix row, then cut into the panels
    for (int d = slice(g.crs(), part, parts); d < slice(g.crs(), part + 1, parts); d++) {
      gatherNchwRow(g, x, group, row0, row1, d, row, 0, arrays);
      int at = dOff + layout.rowStart(d);
      int stride = layout.panelStride(d);
      int j = 0;
      for (; j < full; j += nr, at += stride) {
        System.arraycopy(row, j, dst, at, nr);
      }
      if (j < t) {
        System.arraycopy(row, j, dst, at, t - j);
        Arrays.fill(dst, at + t - j, at + nr, 0f);
      }
    }
  }

  /**
   * Gathers part {@code part} of {@code parts} of an NCHW tile's matrix (a block of its
   * micro-panels) straight into the GEMM's B panels for the weight gradient, where B is the
   * matrix transposed ({@code cols^T}, {@code T x C/G*R*S}): element {@code (d, t)} to
   * {@code dst[dOff + layout.index(t, d)]}, rows of zeros past the matrix's last row, the same
   * values as {@link #gatherInto}. {@code layout} is {@code Sgemm.panelLayout(C/G*R*S, T, ...)}.
   * A panel's rows are gathered into a scratch block, then transposed into each depth block,
   * where the GEMM's own packing of {@code cols^T} would copy element by element.
   * {@code scratch} holds at least {@code nr * T} floats, contents arbitrary.
   */
  public static void gatherPackedTransposed(ConvGeometry g, float[] x, int group, int row0,
      int row1, float[] dst, int dOff, PanelLayout layout, int part, int parts, float[] scratch,
      ArrayKernels arrays) {
    int t = (row1 - row0) * g.q();
    int crs = g.crs();
    assert g.layout() == Layout.NCHW : "NCHW only";
    assert 0 <= group && group < g.groups() : "group";
    assert 0 <= row0 && row0 < row1 && row1 <= g.n() * g.p() : "tile rows";
    assert layout.n() == crs && layout.k() == t : "layout";
    assert 0 <= part && part < parts : "part";
    assert dOff >= 0 && dOff + layout.floats() <= dst.length : "dst too small";
    int nr = layout.nr();
    assert scratch.length >= nr * t : "scratch";
    int panels = layout.nPad() / nr;
    float[] block = scratch; // one panel's matrix rows
    for (int panel = slice(panels, part, parts); panel < slice(panels, part + 1, parts);
        panel++) {
      int d0 = panel * nr;
      int live = Math.min(nr, crs - d0);
      for (int i = 0; i < live; i++) {
        gatherNchwRow(g, x, group, row0, row1, d0 + i, block, i * t, arrays);
      }
      Arrays.fill(block, live * t, nr * t, 0f);
      for (int pc = 0; pc < t; pc += layout.kcMax()) {
        int kc = Math.min(layout.kcMax(), t - pc);
        arrays.transpose(block, pc, t, 1, nr, kc, dst, dOff + layout.index(pc, d0), nr);
      }
    }
  }

  /**
   * One matrix row (a tap of channel {@code c}) when strides are 1 and {@code W == Q}: the tap's
   * input rows for the tile's output rows of one image are one run of {@code x} with the
   * matrix row's pitch, so each image's valid rows take one copy. Columns {@code [0, qLo)} and
   * {@code [qHi, Q)} of each row then get their zeros (the copy filled them with neighbouring
   * pixels), and rows wholly in the padding are zero-filled. Per row and tap, the copies of a
   * 14x14 layer would be so short that the calls cost more than the floats.
   */
  private static void gatherRuns(ConvGeometry g, float[] x, int c, int tapH, int shift, int qLo,
      int qHi, int row0, int row1, float[] dst, int rowOff) {
    int q = g.q();
    int pLo = ValidRange.first(g.padTop(), tapH, 1, g.p());
    int pHi = ValidRange.end(g.h(), g.padTop(), tapH, 1, g.p());
    for (int gr = row0; gr < row1; ) {
      int n = gr / g.p();
      int end = Math.min(row1, (n + 1) * g.p());            // this image's rows of the tile
      int a = Math.min(end, Math.max(gr, n * g.p() + pLo)); // its valid rows [a, b)
      int b = Math.max(a, Math.min(end, n * g.p() + pHi));
      int seg = rowOff + (gr - row0) * q;
      Arrays.fill(dst, seg, seg + (a - gr) * q, 0f);
      Arrays.fill(dst, rowOff + (b - row0) * q, rowOff + (end - row0) * q, 0f);
      if (a < b) {
        int first = rowOff + (a - row0) * q; // row a's column 0 in the matrix
        int src = g.xIndex(n, c, a - n * g.p() - g.padTop() + tapH, 0) + shift;
        // from row a's first valid column to row b-1's last: inside the channel's plane
        System.arraycopy(x, src + qLo, dst, first + qLo, (b - a - 1) * q + qHi - qLo);
        for (int row = first; row < first + (b - a) * q; row += q) {
          for (int qq = 0; qq < qLo; qq++) {
            dst[row + qq] = 0f;
          }
          for (int qq = qHi; qq < q; qq++) {
            dst[row + qq] = 0f;
          }
        }
      }
      gr = end;
    }
  }

  private static void gatherNhwc(ConvGeometry g, float[] x, int group, int row0, float[] dst,
      int dOff, int t0, int t1) {
    int q = g.q();
    int cg = g.cg();
    int sCg = g.s() * cg;
    int ld = g.r() * sCg;
    // with one group and no column dilation, the taps of a kernel row are one run of x
    boolean merge = g.groups() == 1 && g.dilW() == 1;
    for (int t = t0; t < t1; t++) {
      int gr = row0 + t / q;
      int n = gr / g.p();
      int p = gr - n * g.p();
      int iw0 = ValidRange.input(t % q, g.padLeft(), 0, g.strideW());
      int sLo = ValidRange.first(-iw0, 0, g.dilW(), g.s());
      int sHi = ValidRange.end(g.w(), -iw0, 0, g.dilW(), g.s());
      for (int ri = 0; ri < g.r(); ri++) {
        int row = dOff + t * ld + ri * sCg;
        int ih = ValidRange.input(p, g.padTop(), ri * g.dilH(), g.strideH());
        if (ih < 0 || ih >= g.h()) {
          Arrays.fill(dst, row, row + sCg, 0f);
          continue;
        }
        Arrays.fill(dst, row, row + sLo * cg, 0f);
        Arrays.fill(dst, row + sHi * cg, row + sCg, 0f);
        int src = g.xIndex(n, group * cg, ih, iw0);
        if (merge && sLo < sHi) {
          System.arraycopy(x, src + sLo * cg, dst, row + sLo * cg, (sHi - sLo) * cg);
        } else {
          for (int si = sLo; si < sHi; si++) {
            System.arraycopy(x, src + si * g.dilW() * g.c(), dst, row + si * cg, cg);
          }
        }
      }
    }
  }
}
