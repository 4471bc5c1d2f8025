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
}
