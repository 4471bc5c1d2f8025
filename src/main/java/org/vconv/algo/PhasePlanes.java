package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.simd.ArrayKernels;

/**
 * The input planes of one group for a batch of images, zero-padded and split into
 * {@code strideH x strideW} phases, so that every kernel tap meets the inputs of all output
 * pixels of all the images as one contiguous run. Padded element {@code (pr, pc)} of channel
 * {@code ci}, image {@code b} of the batch lives at {@code ci*channelSize + phase*batch*S +
 * b*S + (pr/sh)*cols + pc/sw} with {@code phase = (pr%sh)*sw + pc%sw} and
 * {@code S = rows*cols}. Output {@code (p, q)} reads padded {@code (p*sh + r*dh,
 * q*sw + s*dw)} through tap {@code (r, s)}, which is phase {@code ((r*dh)%sh, (s*dw)%sw)} at
 * {@code (p + r*dh/sh, q + s*dw/sw)}: flat index {@code b*S + p*cols + q} plus a constant per
 * tap. So outputs are computed as one flat run of row pitch {@code cols} and image pitch
 * {@code S}; the columns past {@code Q} and rows past {@code P} are junk and never stored.
 *
 * <p>At stride 1 neighbours share their padding: a row's right padding is the next row's left
 * padding and an image's bottom rows the next image's top rows, all zeros, so {@code cols} is
 * {@code W + max(padLeft, padRight)} and {@code rows} {@code H + max(padTop, padBottom)}
 * (padded coordinates past {@code cols} continue on the next row). The junk is that much
 * smaller: 3x3 padding 1 on 7x7 planes computes 64 positions per 49 outputs, not 81. The last
 * image's bottom padding lies in {@code slack} zero floats after each channel's images.
 * This holds while every output still lies within a row and an image ({@code Q <= cols},
 * {@code P <= rows}), that is while the smaller pad of each axis is within the kernel's
 * extent; other shapes, and strided ones, keep both pads per row.
 *
 * <p>Positions outside the images are never written, so a buffer stays valid padding for
 * every task once it was zeroed (new arrays are).
 */
record PhasePlanes(int cg, int sh, int sw, int rows, int cols, int batch, int slack) {

  static PhasePlanes of(ConvGeometry g, int batch) {
    int pt = g.padTop();
    int pb = g.padBottom();
    int pl = g.padLeft();
    int pr = g.padRight();
    if (g.strideH() == 1 && g.strideW() == 1 && Math.min(pt, pb) <= (g.r() - 1) * g.dilH()
        && Math.min(pl, pr) <= (g.s() - 1) * g.dilW()) {
      int cols = g.w() + Math.max(pl, pr);
      return new PhasePlanes(g.cg(), 1, 1, g.h() + Math.max(pt, pb), cols, batch,
          (pt + pb + 1) * cols);
    }
    int paddedH = g.h() + pt + pb;
    int paddedW = g.w() + pl + pr;
    return new PhasePlanes(g.cg(), g.strideH(), g.strideW(),
        (paddedH + g.strideH() - 1) / g.strideH(), (paddedW + g.strideW() - 1) / g.strideW(),
        batch, 0);
  }

  /** Floats of one phase of one image: the image pitch of the flat runs. */
  static int imagePitch(ConvGeometry g) {
    return of(g, 1).imagePitch();
  }

  int imagePitch() {
    return rows * cols;
  }

  int channelSize() {
    return sh * sw * batch * rows * cols + slack;
  }

  /** Floats of the {@code C/G} planes. */
  int size() {
    return cg * channelSize();
  }

  /** Length of the flat output run of {@code images} images: the last one cut after (P-1, Q-1). */
  int outLen(ConvGeometry g, int images) {
    return (images - 1) * imagePitch() + (g.p() - 1) * cols + g.q();
  }

  /** Offset of tap {@code t = (ci*R + r)*S + s}: the OIHW order of one filter's weights. */
  int[] tapOffsets(ConvGeometry g) {
    int[] off = new int[g.crs()];
    for (int ci = 0; ci < cg; ci++) {
      for (int r = 0; r < g.r(); r++) {
        for (int s = 0; s < g.s(); s++) {
          int rd = r * g.dilH();
          int sd = s * g.dilW();
          off[(ci * g.r() + r) * g.s() + s] = ci * channelSize()
              + ((rd % sh) * sw + sd % sw) * batch * imagePitch() + (rd / sh) * cols + sd / sw;
        }
      }
    }
    return off;
  }

  /**
   * Copies group {@code grp} of images {@code n0 .. n0+images-1} of {@code x} into buf: each
   * phase of each plane as rows at once, strided columns on the provider's gather.
   */
  void load(ConvGeometry g, float[] x, int n0, int images, int grp, float[] buf,
      ArrayKernels ak) {
    assert images <= batch;
    int rowStride = inRowStride(g);
    int colStride = inColStride(g);
    int phaseSize = batch * imagePitch();
    for (int ci = 0; ci < cg; ci++) {
      for (int b = 0; b < images; b++) {
        int src0 = g.xIndex(n0 + b, grp * cg + ci, 0, 0);
        int dst0 = ci * channelSize() + b * imagePitch();
        for (int ph = 0; ph < sh; ph++) { // row phase ph holds ih = ih0, ih0 + sh, ...
          int ih0 = Math.floorMod(ph - g.padTop(), sh);
          if (ih0 >= g.h()) {
            continue;
          }
          int rowCount = (g.h() - ih0 + sh - 1) / sh;
          int dstRow = dst0 + ph * sw * phaseSize + (ih0 + g.padTop()) / sh * cols;
          int src = src0 + ih0 * rowStride;
          for (int pw = 0; pw < sw; pw++) { // column phase pw holds iw = iw0, iw0 + sw, ...
            int iw0 = Math.floorMod(pw - g.padLeft(), sw);
            if (iw0 < g.w()) {
              ak.gatherStrided(x, src + iw0 * colStride, sh * rowStride, sw * colStride, buf,
                  dstRow + pw * phaseSize + (iw0 + g.padLeft()) / sw, cols,
                  (g.w() - iw0 + sw - 1) / sw, rowCount);
            }
          }
        }
      }
    }
  }

  /** {@code dst[d + i*step] = src[s + i]} for {@code i < len}. */
  static void scatter(float[] src, int s, float[] dst, int d, int step, int len) {
    if (step == 1) {
      System.arraycopy(src, s, dst, d, len);
      return;
    }
    for (int i = 0; i < len; i++) {
      dst[d + i * step] = src[s + i];
    }
  }

  /** Distance between input rows (same column) in the layout. */
  static int inRowStride(ConvGeometry g) {
    return g.layout() == Layout.NCHW ? g.w() : g.w() * g.c();
  }

  /** Distance between neighbouring input columns in the layout. */
  static int inColStride(ConvGeometry g) {
    return g.layout() == Layout.NCHW ? 1 : g.c();
  }

  /** Distance between output rows (same column) in the layout. */
  static int outRowStride(ConvGeometry g) {
    return g.layout() == Layout.NCHW ? g.q() : g.q() * g.k();
  }

  /** Distance between neighbouring output columns in the layout. */
  static int outColStride(ConvGeometry g) {
    return g.layout() == Layout.NCHW ? 1 : g.k();
  }
}
