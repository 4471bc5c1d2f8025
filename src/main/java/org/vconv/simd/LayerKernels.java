package org.vconv.simd;

/**
 * Element-wise kernels of one instruction set for the network layers of {@code org.vconv.nn}
 * (activations, pooling). Both providers give the same bits, but for a NaN's payload.
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

  /**
   * {@code rows} output rows of 2x2, stride-2 max pooling: for output row {@code r < rows} and
   * {@code j < q}, over {@code a = x[i]}, {@code b = x[i + 1]}, {@code c = x[i + w]},
   * {@code d = x[i + w + 1]} with {@code i = r0 + 2r*w + 2j}, overwrites {@code y[o + r*q + j]}
   * with {@code Math.max(Math.max(a, b), Math.max(c, d))} (NaN propagates, with the payload of
   * any NaN of the four; +0 over -0) and {@code idx[o + r*q + j]} with {@code at + 2r*w + 2j}
   * plus the offset of the first of a, b, c whose bits equal the maximum's (0, 1, w), else
   * {@code w + 1}. A plane's rows in one call: the SIMD provider makes its masks once.
   */
  void maxPool2x2Rows(float[] x, int r0, int w, float[] y, int[] idx, int o, int q, int at,
      int rows);
}
