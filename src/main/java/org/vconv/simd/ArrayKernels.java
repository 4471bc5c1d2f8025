package org.vconv.simd;

/** Element-wise array kernels of one instruction set, used by im2col and col2im. */
public interface ArrayKernels {

  /** {@code dst[dOff + i] += src[sOff + i]} for {@code i < len}. */
  void addInto(float[] src, int sOff, float[] dst, int dOff, int len);
}
