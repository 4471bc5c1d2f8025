package org.vconv;

/**
 * How a convolution is computed. All give the same results up to float rounding. Which path
 * each pass of a shape runs, and why, is {@link Conv2d#plan}'s answer.
 */
public enum Algorithm {
  /**
   * The fastest correct algorithm for the shape (the default), chosen per pass by the
   * planner's rules and the tuning table of the kernels in use.
   */
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
   * NCHW, not 1x1 (other shapes run as {@link #IM2COL_GEMM}): GEMM that reads the im2col
   * matrix in place from a zero-padded copy of the input (split into phases at stride > 1), no
   * im2col pass. The forward and the weight gradient take any stride; the input gradient, at
   * stride 1, is the same forward on {@code dy} with flipped weights, no col2im (at other
   * strides it runs as {@link #IM2COL_GEMM}). So do the input gradient with non-finite weights
   * and the weight gradient with a non-finite input: the copy's padding would turn them into NaN
   * where the definition has no product.
   */
  IMPLICIT_GEMM,
  /**
   * NCHW, not 1x1 (other shapes run as {@link #IM2COL_GEMM}): implicit GEMM whose micro-tile
   * rows are images of the batch at one output pixel, with the taps that fall in the padding
   * skipped; made for batches of small images. The input gradient is computed the same way
   * from {@code dy} (a gather: exactly col2im's products, at any stride). The weight gradient,
   * and passes whose scratch exceeds the budget, run as {@link #IM2COL_GEMM}.
   */
  IMAGE_BLOCKED_GEMM,
  /**
   * 3x3, stride 1, dilation 1 (other shapes run as {@link #IM2COL_GEMM}): Winograd's minimal
   * filtering F(2x2, 3x3), 2.25 times fewer products than the direct sum, in all three passes
   * and both layouts; F(4x4, 3x3) (4 times fewer, less accurate) only when
   * {@code -Dvconv.winogradTile=4} asks for it. Non-finite inputs or weights run as
   * {@link #IM2COL_GEMM}: the transforms' differences would turn them into NaN where the
   * definition has none.
   */
  WINOGRAD
}
