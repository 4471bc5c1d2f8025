package org.vconv.testutil;

import java.util.Arrays;
import org.vconv.Layout;

/**
 * A convolution written from the definition in the test tree, independent of vconv's main
 * code: it enumerates every (input, weight, output) index triple the convolution multiplies
 * together, and contracts any two of the three tensors over it. The tests use it for the
 * magnitudes that their error bounds need ({@code conv(|x|, |w|)} and the like), never as the
 * expected answer (that comes from PyTorch).
 */
public record RefConv(Layout layout, int n, int c, int h, int w, int k, int r, int s,
    int strideH, int strideW, int padTop, int padBottom, int padLeft, int padRight,
    int dilH, int dilW, int groups) {

  public RefConv {
    // fields are not assigned yet in a compact constructor: check with the parameters
    if (c % groups != 0 || k % groups != 0
        || extent(h, padTop, padBottom, r, dilH, strideH) <= 0
        || extent(w, padLeft, padRight, s, dilW, strideW) <= 0) {
      throw new IllegalArgumentException("not a convolution: groups " + groups + ", c " + c
          + ", k " + k + ", h " + h + ", w " + w + ", kernel " + r + "x" + s);
    }
  }

  private static int extent(int in, int before, int after, int kernel, int dil, int stride) {
    return Math.floorDiv(in + before + after - (kernel - 1) * dil - 1, stride) + 1;
  }

  /**
   * From shapes in {@code layout} (input NCHW/NHWC, weight OIHW/HWIO), explicit pads
   * {@code {top, bottom, left, right}}, strides and dilations {@code {h, w}}.
   */
  public static RefConv of(Layout layout, int[] x, int[] wt, int[] stride, int[] pads,
      int[] dilation, int groups) {
    boolean nchw = layout == Layout.NCHW;
    return new RefConv(layout, x[0], nchw ? x[1] : x[3], nchw ? x[2] : x[1], nchw ? x[3] : x[2],
        nchw ? wt[0] : wt[3], nchw ? wt[2] : wt[0], nchw ? wt[3] : wt[1],
        stride[0], stride[1], pads[0], pads[1], pads[2], pads[3], dilation[0], dilation[1],
        groups);
  }

  public int p() {
    return extent(h, padTop, padBottom, r, dilH, strideH);
  }

  public int q() {
    return extent(w, padLeft, padRight, s, dilW, strideW);
  }

  public int[] outputShape() {
    return layout == Layout.NCHW ? new int[] {n, k, p(), q()} : new int[] {n, p(), q(), k};
  }

  public int inputSize() {
    return n * c * h * w;
  }

  public int weightSize() {
    return k * (c / groups) * r * s;
  }

  public int outputSize() {
    return n * k * p() * q();
  }

  /** Terms in one forward sum: {@code C/G * R * S}. */
  public long forwardTerms() {
    return (long) (c / groups) * r * s;
  }

  /** At most this many terms in one input-gradient sum: {@code K/G * R * S}. */
  public long backwardDataTerms() {
    return (long) (k / groups) * r * s;
  }

  /** Terms in one weight- or bias-gradient sum: {@code N * P * Q}. */
  public long backwardWeightTerms() {
    return (long) n * p() * q();
  }

  /** Receives one multiplied triple: flat indices into x, w and y. */
  public interface Tap {
    void at(int xi, int wi, int yi);
  }

  /** Calls {@code tap} once for every product the convolution sums (padding excluded). */
  public void forEachTap(Tap tap) {
    int cg = c / groups;
    int kg = k / groups;
    int pp = p();
    int qq = q();
    for (int ni = 0; ni < n; ni++) {
      for (int ki = 0; ki < k; ki++) {
        int c0 = ki / kg * cg;
        for (int pi = 0; pi < pp; pi++) {
          for (int qi = 0; qi < qq; qi++) {
            int yi = layout == Layout.NCHW
                ? ((ni * k + ki) * pp + pi) * qq + qi
                : ((ni * pp + pi) * qq + qi) * k + ki;
            for (int ci = 0; ci < cg; ci++) {
              for (int ri = 0; ri < r; ri++) {
                int hi = pi * strideH - padTop + ri * dilH;
                if (hi < 0 || hi >= h) {
                  continue;
                }
                for (int si = 0; si < s; si++) {
                  int wi = qi * strideW - padLeft + si * dilW;
                  if (wi < 0 || wi >= w) {
                    continue;
                  }
                  int xi = layout == Layout.NCHW
                      ? ((ni * c + c0 + ci) * h + hi) * w + wi
                      : ((ni * h + hi) * w + wi) * c + c0 + ci;
                  int wti = layout == Layout.NCHW
                      ? ((ki * cg + ci) * r + ri) * s + si
                      : ((ri * s + si) * cg + ci) * k + ki;
                  tap.at(xi, wti, yi);
                }
              }
            }
          }
        }
      }
    }
  }

  /** {@code conv(x, w)} in double. */
  public double[] forward(double[] x, double[] wt) {
    double[] y = new double[outputSize()];
    forEachTap((xi, wi, yi) -> y[yi] += x[xi] * wt[wi]);
    return y;
  }

  /** The input gradient {@code dL/dx} for {@code dL/dy = dy}, in double. */
  public double[] backwardData(double[] dy, double[] wt) {
    double[] dx = new double[inputSize()];
    forEachTap((xi, wi, yi) -> dx[xi] += dy[yi] * wt[wi]);
    return dx;
  }

  /** The weight gradient {@code dL/dw} for {@code dL/dy = dy}, in double. */
  public double[] backwardWeight(double[] dy, double[] x) {
    double[] dw = new double[weightSize()];
    forEachTap((xi, wi, yi) -> dw[wi] += dy[yi] * x[xi]);
    return dw;
  }

  /** Adds {@code bias[k]} to every output of channel k, in place. */
  public double[] addBias(double[] y, double[] bias) {
    int pq = p() * q();
    for (int i = 0; i < y.length; i++) {
      y[i] += bias[channelOf(i, pq)];
    }
    return y;
  }

  /** The bias gradient: {@code dy} summed over batch and space, in double. */
  public double[] biasGradient(double[] dy) {
    double[] db = new double[k];
    int pq = p() * q();
    for (int i = 0; i < dy.length; i++) {
      db[channelOf(i, pq)] += dy[i];
    }
    return db;
  }

  private int channelOf(int yi, int pq) {
    return layout == Layout.NCHW ? yi / pq % k : yi % k;
  }

  /** Element-wise {@code |a|} widened to double (NaN stays NaN). */
  public static double[] abs(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = Math.abs((double) a[i]);
    }
    return d;
  }

  /** {@code a} widened to double. */
  public static double[] widen(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  /** Sum of {@code a[i] * b[i]} in double. */
  public static double dot(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths " + a.length + " != " + b.length);
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  @Override
  public String toString() {
    return layout + " x[" + n + "," + c + "," + h + "," + w + "] w[" + k + "," + c / groups + ","
        + r + "," + s + "] stride " + strideH + "," + strideW + " pads "
        + Arrays.toString(new int[] {padTop, padBottom, padLeft, padRight}) + " dilation "
        + dilH + "," + dilW + " groups " + groups;
  }
}
