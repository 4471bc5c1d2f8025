package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;

/**
 * The input planes of one group, zero-padded and split into {@code strideH x strideW}
 * phases, so that every kernel tap meets the inputs of all output pixels as one contiguous
 * run. Padded element {@code (pr, pc)} of channel {@code ci} lives at
 * {@code ci*channelSize + ((pr%sh)*sw + pc%sw)*rows*cols + (pr/sh)*cols + pc/sw}. Output
 * {@code (p, q)} reads padded {@code (p*sh + r*dh, q*sw + s*dw)} through tap {@code (r, s)},
 * which is phase {@code ((r*dh)%sh, (s*dw)%sw)} at {@code (p + r*dh/sh, q + s*dw/sw)}: flat
 * index {@code p*cols + q} plus a constant per tap. So outputs are computed as one flat run of
 * pitch {@code cols}; columns {@code Q..cols-1} of each row are junk and never stored.
 *
 * <p>Positions outside the image are never written, so a buffer stays valid padding for every
 * task once it was zeroed (new arrays are).
 */
record PhasePlanes(int cg, int sh, int sw, int rows, int cols) {

  static PhasePlanes of(ConvGeometry g) {
    int paddedH = g.h() + g.padTop() + g.padBottom();
    int paddedW = g.w() + g.padLeft() + g.padRight();
    return new PhasePlanes(g.cg(), g.strideH(), g.strideW(),
        (paddedH + g.strideH() - 1) / g.strideH(), (paddedW + g.strideW() - 1) / g.strideW());
  }

  int channelSize() {
    return sh * sw * rows * cols;
  }

  /** Floats of the {@code C/G} planes. */
  int size() {
    return cg * channelSize();
  }

  /** Length of the flat output run: {@code P} rows of pitch {@code cols}, the last one cut at Q. */
  int outLen(ConvGeometry g) {
    return (g.p() - 1) * cols + g.q();
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
              + ((rd % sh) * sw + sd % sw) * rows * cols + (rd / sh) * cols + sd / sw;
        }
      }
    }
    return off;
  }

  /** Copies the channels of group {@code grp} of image {@code n} of {@code x} into {@code buf}. */
  void load(ConvGeometry g, float[] x, int n, int grp, float[] buf) {
    int rowStride = inRowStride(g);
    int colStride = inColStride(g);
    for (int ci = 0; ci < cg; ci++) {
      int src0 = g.xIndex(n, grp * cg + ci, 0, 0);
      int dst0 = ci * channelSize();
      for (int ih = 0; ih < g.h(); ih++) {
        int pr = ih + g.padTop();
        int dstRow = dst0 + (pr % sh) * sw * rows * cols + (pr / sh) * cols;
        int src = src0 + ih * rowStride;
        if (sw == 1) {
          gather(x, src, colStride, buf, dstRow + g.padLeft(), g.w());
          continue;
        }
        for (int iw = 0; iw < g.w(); iw++) {
          int pc = iw + g.padLeft();
          buf[dstRow + (pc % sw) * rows * cols + pc / sw] = x[src + iw * colStride];
        }
      }
    }
  }

  /** {@code dst[d + i] = src[s + i*step]} for {@code i < len}. */
  static void gather(float[] src, int s, int step, float[] dst, int d, int len) {
    if (step == 1) {
      System.arraycopy(src, s, dst, d, len);
      return;
    }
    for (int i = 0; i < len; i++) {
      dst[d + i] = src[s + i * step];
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
