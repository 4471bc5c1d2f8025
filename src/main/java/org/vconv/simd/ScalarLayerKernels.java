package org.vconv.simd;

/** {@link LayerKernels} in plain loops. */
final class ScalarLayerKernels implements LayerKernels {

  @Override
  public void reluInto(float[] x, float[] y, int len) {
    for (int i = 0; i < len; i++) {
      float v = x[i];
      y[i] = v < 0f ? 0f : v;
    }
  }

  @Override
  public void reluGradientInto(float[] y, float[] dy, float[] dx, int len) {
    for (int i = 0; i < len; i++) {
      dx[i] = y[i] > 0f ? dy[i] : 0f;
    }
  }

  /**
   * Without branches on the data: which of the four wins is data-dependent, and on ReLU
   * outputs branches on it were mispredicted so often that the loop cost as much as a
   * convolution pass. The position is found with integer arithmetic instead.
   */
  @Override
  public void maxPool2x2Rows(float[] x, int r0, int w, float[] y, int[] idx, int o, int q,
      int at, int rows) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < q; j++) {
        int i = r0 + 2 * r * w + 2 * j;
        float a = x[i];
        float b = x[i + 1];
        float c = x[i + w];
        float d = x[i + w + 1];
        float m = Math.max(Math.max(a, b), Math.max(c, d));
        int bits = Float.floatToRawIntBits(m);
        int isA = isZero(Float.floatToRawIntBits(a) ^ bits);
        int isB = isZero(Float.floatToRawIntBits(b) ^ bits);
        int isC = isZero(Float.floatToRawIntBits(c) ^ bits);
        // a: 0, else b: 1, else c: w, else (d, or a NaN of other bits): w + 1
        int k = (1 - isA) * (isB + (1 - isB) * (w + 1 - isC));
        y[o + r * q + j] = m;
        idx[o + r * q + j] = at + 2 * r * w + 2 * j + k;
      }
    }
  }

  /** 1 if {@code x == 0}, else 0. */
  private static int isZero(int x) {
    return ((x | -x) >>> 31) ^ 1;
  }
}
