package org.vconv.im2col;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.simd.ArrayKernels;

/**
 * The adjoint of {@link Im2col}: adds a tile's column matrix (same layout as
 * {@link Im2col#gatherInto}) into the input gradient {@code dx}. Padding taps are skipped.
 *
 * <p>Accumulation order: every {@code dx} element receives its contributions sorted by output
 * pixel and then kernel tap ({@code p, r, s} for NCHW; {@code p, q, r, s} for NHWC). The loops
 * are ordered so this holds inside a tile, and tiles of one image are scattered in row order,
 * so the result does not depend on where the tile boundaries fall (the workspace budget).
 */
public final class Col2im {
  private Col2im() {}

  /**
   * {@code dx += col2im(src)} for group {@code group} over the global output rows
   * {@code [row0, row1)}; each tap's run of a row goes through {@code arrays}. The caller owns
   * the group's planes of the images the tile touches: no other thread writes them meanwhile.
   */
  public static void scatterAdd(ConvGeometry g, float[] src, int sOff, int group, int row0,
      int row1, float[] dx, ArrayKernels arrays) {
    assert 0 <= group && group < g.groups() : "group";
    assert 0 <= row0 && row0 < row1 && row1 <= g.n() * g.p() : "tile rows";
    assert sOff >= 0 && sOff + Im2col.tileFloats(g, row1 - row0) <= src.length : "src";
    if (g.layout() == Layout.NCHW) {
      scatterAddNchw(g, src, sOff, group, row0, row1, 0, g.cg(), dx, arrays);
    } else {
      scatterAddNhwc(g, src, sOff, group, row0, row1, dx, arrays);
    }
  }

  /**
   * {@link #scatterAdd} for channels {@code [c0, c1)} of the group alone (NCHW), whose rows
   * {@code src} holds from {@code sOff}: channel {@code c0 + i}'s taps from row {@code i*R*S}.
   * The channels' {@code dx} elements get the same adds in the same order as from a whole
   * matrix, so a matrix scattered in channel blocks gives the same bits.
   */
  public static void scatterAddChannels(ConvGeometry g, float[] src, int sOff, int group,
      int row0, int row1, int c0, int c1, float[] dx, ArrayKernels arrays) {
    assert g.layout() == Layout.NCHW : "NCHW";
    assert 0 <= group && group < g.groups() : "group";
    assert 0 <= row0 && row0 < row1 && row1 <= g.n() * g.p() : "tile rows";
    assert 0 <= c0 && c0 < c1 && c1 <= g.cg() : "channels";
    assert sOff >= 0 && sOff + (long) (c1 - c0) * g.r() * g.s() * (row1 - row0) * g.q()
        <= src.length : "src";
    scatterAddNchw(g, src, sOff, group, row0, row1, c0, c1, dx, arrays);
  }

  private static void scatterAddNchw(ConvGeometry g, float[] src, int sOff, int group,
      int row0, int row1, int c0, int c1, float[] dx, ArrayKernels arrays) {
    int q = g.q();
    int t = (row1 - row0) * q;
    int sw = g.strideW();
    // each kernel column's valid outputs and their first input column, once per tile: per
    // row and tap, the divisions would cost as much as the adds at stride 2
    int[] qLo = new int[g.s()];
    int[] len = new int[g.s()];
    int[] iw = new int[g.s()];
    for (int si = 0; si < g.s(); si++) {
      int tapW = si * g.dilW();
      qLo[si] = ValidRange.first(g.padLeft(), tapW, sw, q);
      len[si] = ValidRange.end(g.w(), g.padLeft(), tapW, sw, q) - qLo[si];
      iw[si] = ValidRange.input(qLo[si], g.padLeft(), tapW, sw);
    }
    // Channels never share dx elements, so channel-outer keeps one dx plane hot. Then taps,
    // each over the tile's rows of an image in one call: an element gets its adds from
    // (p, r) pairs with p*sh + r*dilH fixed, so kernel rows backwards are output rows
    // forwards, and the (p, r, s) order holds.
    for (int ci = c0; ci < c1; ci++) {
      int c = group * g.cg() + ci;
      for (int gr0 = row0; gr0 < row1; ) { // the tile's rows of one image
        int n = gr0 / g.p();
        int gr1 = Math.min(row1, (n + 1) * g.p());
        int p0 = gr0 - n * g.p();
        int p1 = gr1 - n * g.p();
        for (int ri = g.r() - 1; ri >= 0; ri--) {
          int tapH = ri * g.dilH();
          int pLo = Math.max(p0, ValidRange.first(g.padTop(), tapH, g.strideH(), g.p()));
          int pHi = Math.min(p1, ValidRange.end(g.h(), g.padTop(), tapH, g.strideH(), g.p()));
          if (pLo >= pHi) {
            continue;
          }
          int ih = ValidRange.input(pLo, g.padTop(), tapH, g.strideH());
          int dxRow = g.xIndex(n, c, ih, 0);
          int from = sOff + (gr0 - row0 + pLo - p0) * q + ((ci - c0) * g.r() + ri) * g.s() * t;
          if (sw <= 2 && g.s() > 1) { // this thread owns the rows; the taps in one pass,
            // each row loaded and stored once rather than once per tap
            arrays.addTaps(sw, src, from, t, q, dx, dxRow, g.strideH() * g.w(), g.w(), iw,
                qLo, len, pHi - pLo);
            continue;
          }
          for (int si = 0; si < g.s(); si++, from += t) {
            if (len[si] > 0) { // else all padding: the computed index may be out of bounds
              // this thread owns the rows
              arrays.addIntoStrided(src, from + qLo[si], q, dx, dxRow + iw[si],
                  g.strideH() * g.w(), sw, len[si], pHi - pLo);
            }
          }
        }
        gr0 = gr1;
      }
    }
  }

  private static void scatterAddNhwc(ConvGeometry g, float[] src, int sOff, int group,
      int row0, int row1, float[] dx, ArrayKernels arrays) {
    int q = g.q();
    int cg = g.cg();
    int sCg = g.s() * cg;
    int ld = g.r() * sCg;
    boolean merge = g.groups() == 1 && g.dilW() == 1;
    for (int t = 0, pixels = (row1 - row0) * q; t < pixels; t++) {
      int gr = row0 + t / q;
      int n = gr / g.p();
      int p = gr - n * g.p();
      int iw0 = ValidRange.input(t % q, g.padLeft(), 0, g.strideW());
      int sLo = ValidRange.first(-iw0, 0, g.dilW(), g.s());
      int sHi = ValidRange.end(g.w(), -iw0, 0, g.dilW(), g.s());
      for (int ri = 0; ri < g.r(); ri++) {
        int ih = ValidRange.input(p, g.padTop(), ri * g.dilH(), g.strideH());
        if (ih < 0 || ih >= g.h()) {
          continue;
        }
        int row = sOff + t * ld + ri * sCg;
        int to = g.xIndex(n, group * cg, ih, iw0);
        if (merge && sLo < sHi) {
          // one run: each dx element in it receives exactly one tap, so the order holds
          arrays.addInto(src, row + sLo * cg, dx, to + sLo * cg, (sHi - sLo) * cg);
        } else {
          for (int si = sLo; si < sHi; si++) {
            arrays.addInto(src, row + si * cg, dx, to + si * g.dilW() * g.c(), cg);
          }
        }
      }
    }
  }
}
