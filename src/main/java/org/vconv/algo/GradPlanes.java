package org.vconv.algo;

import org.vconv.plan.ConvGeometry;
import org.vconv.simd.ArrayKernels;

/**
 * The output-gradient planes of one group for a batch of images, for the input gradient, in
 * gather form. Padded input
 * row {@code pr = a*sh + ph} receives from output row {@code p = a - r*dh/sh} through every
 * kernel row {@code r} with {@code (r*dh) % sh == ph} (columns alike), so each of the
 * {@code sh x sw} phases of {@code dx} is a stride-1 correlation of {@code dy} with the taps of
 * that phase. {@code dy} is copied, zero-padded, to {@code dyB(u, v) = dy(u + a0 - rs,
 * v + b0 - ss)} of pitch {@code pitch}; phase output {@code (a, b)} is flat index
 * {@code (a-a0)*pitch + (b-b0)} and reads tap {@code (r, s)} of filter {@code kk} at that index
 * plus {@code kk*batch*planeSize + (rs - r*dh/sh)*pitch + ss - s*dw/sw}. Junk columns of the run
 * are never stored; a phase without taps sums to zero. The images of a batch follow each other
 * at pitch {@code planeSize} inside each filter's block, so one run covers them all.
 *
 * @param a0 first padded row index {@code pr/sh} of any phase that holds a row of {@code dx}
 * @param a1 last such index
 * @param b0 first {@code pc/sw} likewise
 * @param b1 last one
 * @param rs largest row shift {@code (R-1)*dh/sh}
 * @param ss largest column shift
 */
record GradPlanes(int kg, int sh, int sw, int a0, int a1, int b0, int b1, int rs, int ss,
    int batch) {

  static GradPlanes of(ConvGeometry g, int batch) {
    int sh = g.strideH();
    int sw = g.strideW();
    return new GradPlanes(g.kg(), sh, sw, g.padTop() / sh, (g.padTop() + g.h() - 1) / sh,
        g.padLeft() / sw, (g.padLeft() + g.w() - 1) / sw, (g.r() - 1) * g.dilH() / sh,
        (g.s() - 1) * g.dilW() / sw, batch);
  }

  int pitch() {
    return b1 - b0 + 1 + ss;
  }

  /** Floats of one image's plane: the image pitch of the flat runs. */
  int planeSize() {
    return (a1 - a0 + 1 + rs) * pitch();
  }

  /** Floats of the {@code K/G} planes of the batch. */
  int size() {
    return kg * batch * planeSize();
  }

  int phases() {
    return sh * sw;
  }

  /** Length of the flat run of one phase over {@code images} images. */
  int phaseLen(int images) {
    return (images - 1) * planeSize() + (a1 - a0) * pitch() + b1 - b0 + 1;
  }

  /** Taps of phase {@code ph*sw + pw}, in the order (kk, r, s): their source offsets. */
  int[][] tapOffsets(ConvGeometry g) {
    int[][] off = new int[phases()][];
    for (int phase = 0; phase < phases(); phase++) {
      int[] taps = new int[kg * g.r() * g.s()];
      int n = 0;
      for (int kk = 0; kk < kg; kk++) {
        for (int r = 0; r < g.r(); r++) {
          for (int s = 0; s < g.s(); s++) {
            if (phaseOf(g, r, s) == phase) {
              taps[n++] = kk * batch * planeSize() + (rs - r * g.dilH() / sh) * pitch()
                  + ss - s * g.dilW() / sw;
            }
          }
        }
      }
      off[phase] = java.util.Arrays.copyOf(taps, n);
    }
    return off;
  }

  private int phaseOf(ConvGeometry g, int r, int s) {
    return (r * g.dilH() % sh) * sw + s * g.dilW() % sw;
  }

  /**
   * The weights in tap order: group {@code grp}, phase, then input channel {@code ci}, the
   * taps of {@link #tapOffsets}; phase {@code f} of a group starts at {@code phaseStart[f]}.
   */
  float[] weights(ConvGeometry g, float[] w, int[] phaseStart) {
    // each phase's taps in (r, s) order, as offsets in w: wIndex is linear in each argument
    int[][] tapAt = new int[phases()][];
    for (int phase = 0; phase < phases(); phase++) {
      int[] at = new int[g.r() * g.s()];
      int n = 0;
      for (int r = 0; r < g.r(); r++) {
        for (int s = 0; s < g.s(); s++) {
          if (phaseOf(g, r, s) == phase) {
            at[n++] = g.wIndex(0, 0, r, s);
          }
        }
      }
      tapAt[phase] = java.util.Arrays.copyOf(at, n);
    }
    float[] out = new float[w.length];
    int at = 0;
    for (int grp = 0; grp < g.groups(); grp++) {
      for (int phase = 0; phase < phases(); phase++) {
        phaseStart[phase] = at - grp * g.cg() * kg * g.r() * g.s();
        int[] taps = tapAt[phase];
        for (int ci = 0; ci < g.cg(); ci++) {
          for (int kk = 0; kk < kg; kk++) {
            int base = g.wIndex(grp * kg + kk, ci, 0, 0);
            for (int t : taps) {
              out[at++] = w[base + t];
            }
          }
        }
      }
    }
    return out;
  }

  /** Copies the {@code dy} planes of group {@code grp}, images n0.., into buf. */
  void load(ConvGeometry g, float[] dy, int n0, int images, int grp, float[] buf,
      ArrayKernels ak) {
    assert images <= batch;
    int rowStride = PhasePlanes.outRowStride(g);
    int colStride = PhasePlanes.outColStride(g);
    int pLo = Math.max(0, a0 - rs);
    int pHi = Math.min(g.p(), a1 + 1);
    int qLo = Math.max(0, b0 - ss);
    int qHi = Math.min(g.q(), b1 + 1);
    for (int kk = 0; kk < kg; kk++) {
      for (int b = 0; b < images; b++) {
        int src0 = g.yIndex(n0 + b, grp * kg + kk, 0, 0);
        int dst0 = (kk * batch + b) * planeSize() + qLo - b0 + ss;
        if (pLo < pHi && qLo < qHi) { // the plane's rows at once
          ak.gatherStrided(dy, src0 + pLo * rowStride + qLo * colStride, rowStride, colStride,
              buf, dst0 + (pLo - a0 + rs) * pitch(), pitch(), qHi - qLo, pHi - pLo);
        }
      }
    }
  }

  /** Stores the run of phase {@code ph*sw + pw} at {@code out} as channel c of dx[n0..]. */
  void store(ConvGeometry g, float[] buf, int out, int phase, float[] dx, int n0, int images,
      int c, ArrayKernels ak) {
    int ph = phase / sw;
    int pw = phase % sw;
    int rowStride = PhasePlanes.inRowStride(g);
    int colStride = PhasePlanes.inColStride(g);
    // a, b with 0 <= a*sh + ph - padTop < H (columns alike)
    int aLo = Math.ceilDiv(g.padTop() - ph, sh);
    int aHi = Math.floorDiv(g.padTop() + g.h() - 1 - ph, sh);
    int bLo = Math.ceilDiv(g.padLeft() - pw, sw);
    int bHi = Math.floorDiv(g.padLeft() + g.w() - 1 - pw, sw);
    if (bHi < bLo) {
      return;
    }
    for (int b = 0; b < images; b++) {
      int dst0 = g.xIndex(n0 + b, c, 0, 0) + (bLo * sw + pw - g.padLeft()) * colStride;
      int src0 = out + b * planeSize() + bLo - b0;
      // NCHW: the phase's rows of the plane at once; the elements between, which the SIMD
      // store may rewrite, are this channel's other phases, stored by this task. NHWC: they
      // are other channels, maybe another task's, so element by element.
      if (colStride == 1 && aLo <= aHi) {
        ak.scatterStrided(buf, src0 + (aLo - a0) * pitch(), pitch(), dx,
            dst0 + (aLo * sh + ph - g.padTop()) * rowStride, sh * rowStride, sw,
            bHi - bLo + 1, aHi - aLo + 1);
        continue;
      }
      for (int a = aLo; a <= aHi; a++) {
        int ih = a * sh + ph - g.padTop();
        PhasePlanes.scatter(buf, src0 + (a - a0) * pitch(), dx, dst0 + ih * rowStride,
            sw * colStride, bHi - bLo + 1);
      }
    }
  }
}
