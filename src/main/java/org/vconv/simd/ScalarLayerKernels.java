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
}
