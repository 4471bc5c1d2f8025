package org.vconv.simd;

/**
 * Element-wise kernels of one instruction set for the network layers of {@code org.vconv.nn}
 * (activations). Both providers give the same bits.
 */
public interface LayerKernels {

  /**
   * Overwrites {@code y[i] = x[i] < 0 ? 0 : x[i]} for {@code i < len}: ReLU, keeping NaN (as
   * PyTorch does). {@code y} may be {@code x}.
   */
  void reluInto(float[] x, float[] y, int len);

  /**
   * Overwrites {@code dx[i] = y[i] > 0 ? dy[i] : 0} for {@code i < len}: ReLU's input
   * gradient from its output {@code y}. {@code dx} may be {@code dy}.
   */
  void reluGradientInto(float[] y, float[] dy, float[] dx, int len);
}
