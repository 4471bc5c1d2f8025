package org.vconv;

/** How a convolution is computed. All give the same results up to float rounding. */
public enum Algorithm {
  /** The fastest correct algorithm for the shape (the default). */
  AUTO,
  /** Plain loops with double accumulation: slow and obviously right; the tests' reference. */
  DIRECT,
  /** im2col gather + GEMM; col2im scatter-accumulate for the input gradient. */
  IM2COL_GEMM,
  /**
   * One GEMM per kernel offset (r, s) on shifted views of the input, as in the notebook's
   * backward baseline; no im2col buffer.
   */
  KERNEL_OFFSET,
  /**
   * Stride-1 NCHW only (other shapes run as {@link #IM2COL_GEMM}): GEMM packed straight from a
   * zero-padded copy of the input, no im2col pass; the input gradient is the same forward on
   * {@code dy} with flipped weights, no col2im.
   */
  IMPLICIT_GEMM
}
