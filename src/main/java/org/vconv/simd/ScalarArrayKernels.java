package org.vconv.simd;

/** Plain-loop {@link ArrayKernels}. */
final class ScalarArrayKernels implements ArrayKernels {

  @Override
  public void addInto(float[] src, int sOff, float[] dst, int dOff, int len) {
    for (int i = 0; i < len; i++) {
      dst[dOff + i] += src[sOff + i];
    }
  }

  @Override
  public void gatherStrided(float[] src, int sOff, int sPitch, int stride, float[] dst,
      int dOff, int dPitch, int len, int rows) {
    gatherRows(src, sOff, sPitch, stride, dst, dOff, dPitch, len, rows);
  }

  /** {@link #gatherStrided} in plain loops: also the SIMD provider's path at strides not 2. */
  static void gatherRows(float[] src, int sOff, int sPitch, int stride, float[] dst, int dOff,
      int dPitch, int len, int rows) {
    for (int r = 0; r < rows; r++, sOff += sPitch, dOff += dPitch) {
      if (stride == 1) { // a run: the copy im2col and the slab took before there was a stride
        System.arraycopy(src, sOff, dst, dOff, len);
        continue;
      }
      for (int i = 0; i < len; i++) {
        dst[dOff + i] = src[sOff + i * stride];
      }
    }
  }

  @Override
  public void addIntoStrided(float[] src, int sOff, int sPitch, float[] dst, int dOff,
      int dPitch, int stride, int len, int rows) {
    assert rows <= 1 || len == 0 || dPitch >= (len - 1) * stride + 1 : "rows overlap";
    for (int r = 0; r < rows; r++, sOff += sPitch, dOff += dPitch) {
      if (stride == 1) { // a run: the loop C2 can vectorize, as col2im had before
        addInto(src, sOff, dst, dOff, len);
        continue;
      }
      for (int i = 0; i < len; i++) {
        dst[dOff + i * stride] += src[sOff + i];
      }
    }
  }

  @Override
  public void addTaps(int stride, float[] src, int sOff, int tapPitch, int sPitch,
      float[] dst, int dOff, int dPitch, int width, int[] iw, int[] qLo, int[] len, int rows) {
    assert stride == 1 || stride == 2 : "stride " + stride;
    for (int r = 0; r < rows; r++) {
      for (int s = 0; s < iw.length; s++) {
        int from = sOff + s * tapPitch + r * sPitch + qLo[s];
        int to = dOff + r * dPitch + iw[s];
        for (int i = 0; i < len[s]; i++) {
          dst[to + stride * i] += src[from + i];
        }
      }
    }
  }

  @Override
  public void transpose(float[] src, int sOff, int sStride, int cStep, int rows, int cols,
      float[] dst, int dOff, int dStride) {
    transposeRows(src, sOff, sStride, cStep, 0, rows, cols, dst, dOff, dStride);
  }

  /**
   * {@link #transpose} of the source rows {@code [r0, rows)} only. The inner loop runs along
   * whichever side has its rows further apart, so that those far rows are each read or written
   * in address order: one float to each of 32 output planes in turn (VGG's are 4 KiB-aliased)
   * thrashes L1, as would reading one float from each of 32 input planes.
   */
  static void transposeRows(float[] src, int sOff, int sStride, int cStep, int r0, int rows,
      int cols, float[] dst, int dOff, int dStride) {
    if (dStride > sStride) {
      for (int c = 0; c < cols; c++) {
        for (int r = r0; r < rows; r++) {
          dst[dOff + c * dStride + r] = src[sOff + r * sStride + c * cStep];
        }
      }
      return;
    }
    for (int r = r0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[dOff + c * dStride + r] = src[sOff + r * sStride + c * cStep];
      }
    }
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int len) {
    for (int i = 0; i < len; i++) {
      y[yOff + i] += a * x[xOff + i];
    }
  }

  @Override
  public void multiplyAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff,
      int len) {
    for (int i = 0; i < len; i++) {
      y[yOff + i] += a[aOff + i] * b[bOff + i];
    }
  }

  @Override
  public void tapSums(float[] src, int sOff, int[] off, int taps, float[] w, int wOff,
      int wStride, int outs, float[] dst, int dOff, int dStride, int len) {
    for (int j = 0; j < outs; j++) {
      int wj = wOff + j * wStride;
      int dj = dOff + j * dStride;
      for (int i = 0; i < len; i++) {
        float sum = dst[dj + i];
        for (int t = 0; t < taps; t++) {
          sum += w[wj + t] * src[sOff + off[t] + i];
        }
        dst[dj + i] = sum;
      }
    }
  }

  @Override
  public int dotLanes() {
    return 1;
  }

  @Override
  public void tapDots(float[] a, int aOff, int aStride, int outs, float[] src, int sOff,
      int[] off, int taps, int len, float[] acc, int accOff) {
    for (int j = 0; j < outs; j++) {
      int aj = aOff + j * aStride;
      for (int t = 0; t < taps; t++) {
        int st = sOff + off[t];
        float sum = 0f;
        for (int i = 0; i < len; i++) {
          sum += a[aj + i] * src[st + i];
        }
        acc[accOff + j * taps + t] += sum;
      }
    }
  }

  @Override
  public void tapProducts(float[] a, int[] aOff, float[] b, int[] bOff, int taps, float[] dst,
      int dOff, int len) {
    for (int i = 0; i < len; i++) {
      float sum = dst[dOff + i];
      for (int t = 0; t < taps; t++) {
        sum += a[aOff[t] + i] * b[bOff[t] + i];
      }
      dst[dOff + i] = sum;
    }
  }

  @Override
  public int planeSumsScratch(PlaneTaps pt) {
    return 0;
  }

  @Override
  public void planeSums(float[] src, int sOff, PlaneTaps pt, float[] w, int wOff, float bias,
      float[] dst, int dOff, float[] scratch) {
    int cols = pt.s();
    int[] off = new int[pt.taps()];
    int qA = 0; // columns [qA, qB) are reached by every kernel column
    int qB = pt.dstW();
    for (int j = 0; j < cols; j++) {
      qA = Math.max(qA, pt.colFrom(j));
      qB = Math.min(qB, pt.colTo(j));
      for (int i = 0; i < pt.r(); i++) {
        off[i * cols + j] = pt.tapOffset(i, j);
      }
    }
    qB = Math.max(qA, qB);
    for (int p = 0; p < pt.dstH(); p++) {
      int i0 = pt.kernelRowFrom(p);
      int i1 = pt.kernelRowTo(p);
      int s0 = sOff + p * pt.srcW();
      int d0 = dOff + p * pt.dstW();
      for (int q = 0; q < pt.dstW(); q++) {
        if (q == qA && q < qB) { // the columns every kernel column reaches: no tests
          for (; q < qB; q++) {
            float sum = bias;
            for (int t = i0 * cols; t < i1 * cols; t++) {
              sum += w[wOff + t] * src[s0 + off[t] + q];
            }
            dst[d0 + q] = sum;
          }
          if (q == pt.dstW()) {
            break;
          }
        }
        float sum = bias;
        for (int t = i0 * cols; t < i1 * cols; t++) {
          int j = t % cols;
          if (q >= pt.colFrom(j) && q < pt.colTo(j)) {
            sum += w[wOff + t] * src[s0 + off[t] + q];
          }
        }
        dst[d0 + q] = sum;
      }
    }
  }

  @Override
  public void planeDots(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt, float[] acc,
      int accOff) {
    for (int i = 0; i < pt.r(); i++) {
      for (int j = 0; j < pt.s(); j++) {
        int q0 = pt.colFrom(j);
        int q1 = pt.colTo(j);
        int o = sOff + pt.tapOffset(i, j);
        float sum = 0f;
        for (int p = pt.rowFrom(i); p < pt.rowTo(i); p++) {
          int ap = aOff + p * pt.dstW();
          int sp = o + p * pt.srcW();
          for (int q = q0; q < q1; q++) {
            sum += a[ap + q] * src[sp + q];
          }
        }
        acc[accOff + i * pt.s() + j] += sum;
      }
    }
  }

  /**
   * Eight independent chains over the elements {@code i mod 8}, added pairwise at the end, so
   * the adds do not wait on one another.
   */
  @Override
  public double sumDouble(float[] a, int off, int len) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      int at = off + i;
      s0 += a[at];
      s1 += a[at + 1];
      s2 += a[at + 2];
      s3 += a[at + 3];
      s4 += a[at + 4];
      s5 += a[at + 5];
      s6 += a[at + 6];
      s7 += a[at + 7];
    }
    for (; i < len; i++) {
      s0 += a[off + i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  @Override
  public boolean allFinite(float[] a, int off, int len) {
    int bad = 0;
    for (int i = off; i < off + len; i++) {
      // all exponent bits set (NaN, infinity) carries into the sign bit, nothing else does
      bad |= (Float.floatToRawIntBits(a[i]) & 0x7f800000) + 0x00800000;
    }
    return bad >= 0;
  }

  @Override
  public void sumLanes(float[] src, int sOff, int lanes, float[] dst, int dOff, int count) {
    sumLanesScalar(src, sOff, lanes, dst, dOff, 0, count);
  }

  /** {@link #sumLanes} for {@code i} in {@code [from, count)}. */
  static void sumLanesScalar(float[] src, int sOff, int lanes, float[] dst, int dOff, int from,
      int count) {
    for (int i = from; i < count; i++) {
      float sum = 0f;
      for (int l = 0; l < lanes; l++) {
        sum += src[sOff + i * lanes + l];
      }
      dst[dOff + i] = sum;
    }
  }

  @Override
  public void scatterStrided(float[] src, int sOff, int sPitch, float[] dst, int dOff,
      int dPitch, int stride, int len, int rows) {
    scatterRows(src, sOff, sPitch, dst, dOff, dPitch, stride, len, rows);
  }

  static void scatterRows(float[] src, int sOff, int sPitch, float[] dst, int dOff, int dPitch,
      int stride, int len, int rows) {
    for (int r = 0; r < rows; r++, sOff += sPitch, dOff += dPitch) {
      if (stride == 1) {
        System.arraycopy(src, sOff, dst, dOff, len);
        continue;
      }
      for (int i = 0; i < len; i++) {
        dst[dOff + i * stride] = src[sOff + i];
      }
    }
  }
}
