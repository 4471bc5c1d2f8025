package org.vconv.simd;

/**
 * Element-wise array kernels of one instruction set, used by im2col, col2im and the direct
 * grouped convolution (the tap kernels).
 */
public interface ArrayKernels {

  /** {@code dst[dOff + i] += src[sOff + i]} for {@code i < len}. */
  void addInto(float[] src, int sOff, float[] dst, int dOff, int len);

  /**
   * {@code dst[dOff + i] = src[sOff + i*stride]} for {@code i < len}, {@code stride >= 1}:
   * im2col's and the slab's gather at a convolution stride.
   */
  default void gatherStrided(float[] src, int sOff, int stride, float[] dst, int dOff,
      int len) {
    gatherStrided(src, sOff, 0, stride, dst, dOff, 0, len, 1);
  }

  /**
   * {@code dst[dOff + r*dPitch + i] = src[sOff + r*sPitch + i*stride]} for {@code r < rows},
   * {@code i < len}: the gather over a plane's rows at once (the SIMD provider makes its tail
   * masks once per call, not once per row), also the copy of a plane's rows between pitches
   * ({@code stride} 1) for the direct grouped convolution. Destination rows must not overlap,
   * nor the source.
   */
  void gatherStrided(float[] src, int sOff, int sPitch, int stride, float[] dst, int dOff,
      int dPitch, int len, int rows);

  /**
   * {@code dst[dOff + r*dPitch + i*stride] = src[sOff + r*sPitch + i]} for {@code r < rows},
   * {@code i < len}, {@code stride >= 1}: {@link #addIntoStrided}'s overwriting twin, the
   * direct input gradient's store of one phase of a strided plane. The elements between keep
   * their values, but the SIMD provider may load and store them back, so no other thread may
   * write them meanwhile. Rows must not overlap.
   */
  void scatterStrided(float[] src, int sOff, int sPitch, float[] dst, int dOff, int dPitch,
      int stride, int len, int rows);

  /**
   * {@code dst[dOff + r*dPitch + i*stride] += src[sOff + r*sPitch + i]} for {@code r < rows},
   * {@code i < len}, {@code stride >= 1}: col2im's scatter of one kernel tap at a convolution
   * stride, over a tile's rows at once (one call per row and tap cost as much as the adds).
   * Each element gets its one add, as in a plain loop. Rows must not overlap ({@code dPitch}
   * at least a row's span). The elements between keep their values, but the SIMD provider may
   * load and store them back, so no other thread may write them meanwhile.
   */
  void addIntoStrided(float[] src, int sOff, int sPitch, float[] dst, int dOff, int dPitch,
      int stride, int len, int rows);

  /**
   * Col2im of one kernel row's taps over rows at stride 1 or 2: for {@code r < rows}, then taps
   * {@code s < iw.length} in order, {@code i < len[s]}: {@code dst[dOff + r*dPitch + iw[s] +
   * stride*i] += src[sOff + s*tapPitch + r*sPitch + qLo[s] + i]}. Each element gets its adds in
   * tap order, the bits of one {@link #addIntoStrided} per tap, while each row of {@code dst} is
   * loaded and stored once, not once per tap (which at stride 1 would also reload what the
   * previous tap just stored). Rows are {@code [dOff + r*dPitch, + width)}: every
   * {@code iw[s] + stride*i} lies in {@code [0, width)}, and {@code dPitch >= width}. Their
   * elements that get no add keep their values, but the SIMD provider may load and store them
   * back.
   */
  void addTaps(int stride, float[] src, int sOff, int tapPitch, int sPitch, float[] dst,
      int dOff, int dPitch, int width, int[] iw, int[] qLo, int[] len, int rows);

  /**
   * {@code dst[dOff + c*dStride + r] = src[sOff + r*sStride + c*cStep]} for {@code r < rows},
   * {@code c < cols}: a block transposed (packing {@code dy} for the implicit GEMM's weight
   * pass; with {@code cStep} > 1, one tap of OIHW filters for a weight panel). Source and
   * destination must not overlap.
   */
  void transpose(float[] src, int sOff, int sStride, int cStep, int rows, int cols, float[] dst,
      int dOff, int dStride);

  /** {@code y[yOff + i] += a * x[xOff + i]} for {@code i < len}. */
  void axpy(float a, float[] x, int xOff, float[] y, int yOff, int len);

  /** {@code y[yOff + i] += a[aOff + i] * b[bOff + i]} for {@code i < len}. */
  void multiplyAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int len);

  /**
   * Tap sums, added to {@code outs} rows of {@code len} floats:
   * {@code dst[dOff + j*dStride + i] += sum over t < taps of w[wOff + j*wStride + t] *
   * src[sOff + off[t] + i]} for {@code j < outs}, {@code i < len}, summed in tap order onto
   * the element's value (in the SIMD provider each term is fused into the running sum, so
   * every element gets the same bits whichever part of the loop computes it). The rows keep
   * their sums in registers across all taps: one load of {@code src} per tap and vector,
   * shared by all rows, and one load and store of {@code dst} per vector.
   */
  void tapSums(float[] src, int sOff, int[] off, int taps, float[] w, int wOff, int wStride,
      int outs, float[] dst, int dOff, int dStride, int len);

  /** How many partial sums {@link #tapDots} keeps per dot product: the lanes (1 for scalar). */
  int dotLanes();

  /**
   * Tap dot products, accumulated as partial sums: with {@code L = dotLanes()}, adds to
   * {@code acc[accOff + (j*taps + t)*L + l]} the partial {@code l} of
   * {@code sum over i < len of a[aOff + j*aStride + i] * src[sOff + off[t] + i]} for
   * {@code j < outs}, {@code t < taps}. Which terms land in which partial depends only on
   * {@code len}, so summing the partials of several calls and then the {@code L} partials in
   * order gives a result fixed by the calls' lengths and order.
   */
  void tapDots(float[] a, int aOff, int aStride, int outs, float[] src, int sOff, int[] off,
      int taps, int len, float[] acc, int accOff);

  /**
   * Products of tap pairs, added to one row: {@code dst[dOff + i] += sum over t < taps of
   * a[aOff[t] + i] * b[bOff[t] + i]} for {@code i < len}, summed in tap order onto the
   * element's value (fused in the SIMD provider, as in {@link #tapSums}). The row's sums stay
   * in registers across the taps. Used over channels (NHWC depthwise): taps are kernel taps
   * or pixels.
   */
  void tapProducts(float[] a, int[] aOff, float[] b, int[] bOff, int taps, float[] dst,
      int dOff, int len);

  /**
   * One plane's stride-1 correlation, overwriting {@code dst}: for every result
   * {@code (p, q)}, {@code dst[dOff + p*dstW + q] = bias + sum over taps (i, j) inside the
   * source of w[wOff + i*s + j] * src[sOff + (p + i*dilH - padTop)*srcW + q + j*dilW -
   * padLeft]}. The order is the provider's, the same for every element: the scalar provider
   * adds the taps to the bias in tap order; the SIMD provider sums each kernel column's taps
   * (kernel rows in order, fused, from zero) and adds the columns' sums to the bias in order,
   * which lets its 3x3 kernel drop a column's wrapped lanes with one select. A tap on
   * padding may add {@code 0 * w}: nothing for a finite weight, NaN for a non-finite one; no
   * value outside the plane reaches a result. {@code scratch}, null or at least
   * {@link #planeSumsScratch}{@code (pt)} floats, lets the SIMD provider run the plane from a
   * padded copy (same bits); its contents before and after mean nothing.
   */
  void planeSums(float[] src, int sOff, PlaneTaps pt, float[] w, int wOff, float bias,
      float[] dst, int dOff, float[] scratch);

  /** Floats of scratch {@link #planeSums} can use on {@code pt}: 0 when it runs in place. */
  int planeSumsScratch(PlaneTaps pt);

  /**
   * One plane's tap dot products, accumulated as partial sums: with {@code L = dotLanes()},
   * adds to {@code acc[accOff + t*L + l]}, for tap {@code t = i*s + j}, the partial {@code l}
   * of {@code sum over results (p, q) that the tap reaches inside the source of
   * a[aOff + p*dstW + q] * src[sOff + (p + i*dilH - padTop)*srcW + q + j*dilW - padLeft]}.
   * Which terms land in which partial, and their order, depend only on {@code pt}.
   */
  void planeDots(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt, float[] acc,
      int accOff);

  /** Whether {@code a[off, off + len)} holds no NaN or infinity. */
  boolean allFinite(float[] a, int off, int len);

  /**
   * The one reduction of {@link #tapDots}' and {@link #planeDots}' partials, in lane order:
   * {@code dst[dOff + i] = ((0f + src[sOff + i*lanes]) + src[sOff + i*lanes + 1]) + ...}, up
   * to partial {@code lanes - 1}, for {@code i < count}. Every provider adds in this order.
   */
  void sumLanes(float[] src, int sOff, int lanes, float[] dst, int dOff, int count);

  /**
   * The sum of {@code a[off, off + len)} in double. The order of the adds is the provider's
   * and depends only on {@code len}: independent partial sums over the elements, combined in a
   * fixed order at the end.
   */
  double sumDouble(float[] a, int off, int len);
}
