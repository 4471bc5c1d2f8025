package org.vconv.simd;

/** Element-wise array kernels of one instruction set, used by im2col, col2im and depthwise. */
public interface ArrayKernels {

  /** {@code dst[dOff + i] += src[sOff + i]} for {@code i < len}. */
  void addInto(float[] src, int sOff, float[] dst, int dOff, int len);

  /** {@code y[yOff + i] += a * x[xOff + i]} for {@code i < len}. */
  void axpy(float a, float[] x, int xOff, float[] y, int yOff, int len);

  /** {@code y[yOff + i] += a[aOff + i] * b[bOff + i]} for {@code i < len}. */
  void multiplyAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int len);

  /**
   * {@code sum a[aOff + i] * b[bOff + i]} over {@code i < len}, in an order fixed by the
   * provider (the same on every call), not necessarily left to right.
   */
  float dot(float[] a, int aOff, float[] b, int bOff, int len);
}
