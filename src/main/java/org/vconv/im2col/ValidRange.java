package org.vconv.im2col;

/**
 * Clipping of one spatial axis: for a kernel tap at offset {@code tap = k * dilation}, the
 * output indices {@code o} in {@code [0, out)} whose input index {@code o * stride - pad + tap}
 * lies inside {@code [0, in)} form one contiguous range {@code [first, end)}; outside it the
 * tap reads padding. Padding is never materialized: gathers write zeros there, scatters skip
 * it. Both bounds lie in {@code [0, out]} and {@code first <= end}, so an empty range is
 * {@code first == end} and {@code [0, first)}, {@code [end, out)} are always valid to fill.
 */
public final class ValidRange {
  private ValidRange() {}

  /** The smallest {@code o} in {@code [0, out]} with {@code o * stride - pad + tap >= 0}. */
  public static int first(int pad, int tap, int stride, int out) {
    return Math.min(out, Math.max(0, Math.ceilDiv(pad - tap, stride)));
  }

  /** One past the largest valid {@code o}, never below {@link #first}. */
  public static int end(int in, int pad, int tap, int stride, int out) {
    int e = Math.min(out, Math.floorDiv(in - 1 + pad - tap, stride) + 1);
    return Math.max(e, first(pad, tap, stride, out));
  }

  /** The input index of output {@code o} at this tap (may lie in the padding). */
  public static int input(int o, int pad, int tap, int stride) {
    return o * stride - pad + tap;
  }
}
