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
  public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    float sum = 0f;
    for (int i = 0; i < len; i++) {
      sum += a[aOff + i] * b[bOff + i];
    }
    return sum;
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
  public boolean allFinite(float[] a, int off, int len) {
    int bad = 0;
    for (int i = off; i < off + len; i++) {
      // all exponent bits set (NaN, infinity) carries into the sign bit, nothing else does
      bad |= (Float.floatToRawIntBits(a[i]) & 0x7f800000) + 0x00800000;
    }
    return bad >= 0;
  }
}
