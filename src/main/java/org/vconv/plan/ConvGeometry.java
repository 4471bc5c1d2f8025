package org.vconv.plan;

import org.vconv.Layout;

/**
 * A fully resolved convolution problem: shapes, explicit pads, strides, dilation, groups and
 * layout. Created by the facade after validation, so every field is consistent; kernels
 * trust it and only {@code assert}.
 *
 * <p>Names follow the cuDNN convention: input {@code N x C x H x W}, weight {@code K x C/G x R
 * x S}, output {@code N x K x P x Q}.
 */
public record ConvGeometry(
    Layout layout,
    int n, int c, int h, int w,
    int k, int r, int s,
    int p, int q,
    int strideH, int strideW,
    int padTop, int padBottom, int padLeft, int padRight,
    int dilH, int dilW,
    int groups) {

  public ConvGeometry {
    assert c % groups == 0 && k % groups == 0 : "groups must divide channels";
    assert p == (h + padTop + padBottom - (long) (r - 1) * dilH - 1) / strideH + 1 : "p";
    assert q == (w + padLeft + padRight - (long) (s - 1) * dilW - 1) / strideW + 1 : "q";
    assert p > 0 && q > 0 && n > 0 : "empty output";
  }

  /** Output extent along one axis, or a value &lt;= 0 when the output is empty. */
  public static long outputExtent(int in, int padBefore, int padAfter, int kernel, int dil,
      int stride) {
    long span = (long) in + padBefore + padAfter - (long) (kernel - 1) * dil - 1;
    return span < 0 ? 0 : span / stride + 1;
  }

  /** Input channels per group. */
  public int cg() {
    return c / groups;
  }

  /** Output channels (filters) per group. */
  public int kg() {
    return k / groups;
  }

  /** Rows of the im2col matrix of one group: {@code C/G * R * S}. */
  public int crs() {
    return cg() * r * s;
  }

  public int pq() {
    return p * q;
  }

  public int hw() {
    return h * w;
  }

  public int inputSize() {
    return n * c * h * w;
  }

  public int weightSize() {
    return k * cg() * r * s;
  }

  public int outputSize() {
    return n * k * p * q;
  }

  /** True for a 1x1 kernel with stride 1 and no padding: the convolution is one plain GEMM. */
  public boolean isPointwise() {
    return r == 1 && s == 1 && strideH == 1 && strideW == 1
        && padTop == 0 && padBottom == 0 && padLeft == 0 && padRight == 0;
  }

  /** Index of input element (image, channel, row, column) in the layout. */
  public int xIndex(int ni, int ci, int hi, int wi) {
    return layout == Layout.NCHW
        ? ((ni * c + ci) * h + hi) * w + wi
        : ((ni * h + hi) * w + wi) * c + ci;
  }

  /** Index of output element (image, filter, row, column) in the layout. */
  public int yIndex(int ni, int ki, int pi, int qi) {
    return layout == Layout.NCHW
        ? ((ni * k + ki) * p + pi) * q + qi
        : ((ni * p + pi) * q + qi) * k + ki;
  }

  /** Index of weight element (filter, channel within group, kernel row, kernel column). */
  public int wIndex(int ki, int cgi, int ri, int si) {
    return layout == Layout.NCHW
        ? ((ki * cg() + cgi) * r + ri) * s + si
        : ((ri * s + si) * cg() + cgi) * k + ki;
  }

  /** Shape of the input in the layout. */
  public int[] inputShape() {
    return layout == Layout.NCHW ? new int[] {n, c, h, w} : new int[] {n, h, w, c};
  }

  /** Shape of the weight in the layout (OIHW or HWIO). */
  public int[] weightShape() {
    return layout == Layout.NCHW ? new int[] {k, cg(), r, s} : new int[] {r, s, cg(), k};
  }

  /** Shape of the output in the layout. */
  public int[] outputShape() {
    return layout == Layout.NCHW ? new int[] {n, k, p, q} : new int[] {n, p, q, k};
  }

  /** Floating-point operations of the forward pass (2 per multiply-add). */
  public double flops() {
    return 2.0 * n * k * p * q * cg() * r * s;
  }
}
