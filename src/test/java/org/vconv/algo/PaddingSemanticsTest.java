package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Conv2d;
import org.vconv.ConvSpec;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.Tensor;

/**
 * One NaN in dy at output (p, q) of filter k: every tap of dw[k] then multiplies it, either by
 * a real input (nonzero here) or by a padded zero (0 * NaN), so all of dw[k] is NaN and every
 * other filter's gradient stays finite, whatever the algorithm and wherever (p, q) lies:
 * interior, top/bottom border, left/right border or corner; dense and depthwise, with padding
 * that leaves every window on the input and padding that leaves some wholly off it.
 */
class PaddingSemanticsTest {
  /** Pad 3 leaves border windows wholly on padding: dy there meets no input at all. */
  private static final Padding[] PADDINGS = {Padding.of(1), Padding.of(0, 2, 1, 0),
      Padding.SAME, Padding.of(3)};

  @Test
  void nonFiniteDyPoisonsExactlyItsFiltersWeightGradient() {
    int checked = 0;
    for (Layout layout : Layout.values()) {
      for (Padding pad : PADDINGS) {
        for (int groups : new int[] {1, 3}) { // dense, and depthwise (3 channels)
          checked += checkEverySpot(layout, pad, groups);
        }
      }
    }
    assertEquals(2 * PADDINGS.length * 2 * 6 * Algorithm.values().length, checked);
  }

  private static int checkEverySpot(Layout layout, Padding pad, int groups) {
    ConvSpec spec = ConvSpec.builder().padding(pad).layout(layout).groups(groups).build();
    int n = 2, c = groups == 1 ? 2 : 3, h = 6, w = 7, k = 3, r = 3, s = 3;
    int cg = c / groups;
    Tensor x = layout == Layout.NCHW ? nonzero(n, c, h, w) : nonzero(n, h, w, c);
    Tensor wt = layout == Layout.NCHW ? nonzero(k, cg, r, s) : nonzero(r, s, cg, k);
    int[] ys = Conv2d.of(spec).outputShape(x.shape(), wt.shape());
    int p = layout == Layout.NCHW ? ys[2] : ys[1];
    int q = layout == Layout.NCHW ? ys[3] : ys[2];
    int[][] spots = {{p / 2, q / 2}, {0, q / 2}, {p - 1, q / 2}, {p / 2, 0}, {p / 2, q - 1},
        {0, q - 1}};
    int checked = 0;
    for (int[] at : spots) {
      for (Algorithm alg : Algorithm.values()) {
        Tensor dy = nonzero(ys);
        int kk = 1;
        int idx = layout == Layout.NCHW ? ((1 * k + kk) * p + at[0]) * q + at[1]
            : ((1 * p + at[0]) * q + at[1]) * k + kk;
        dy.data()[idx] = Float.NaN;
        Tensor dw = Conv2d.of(spec).withAlgorithm(alg).backward(dy, x, wt).weight();
        for (int ki = 0; ki < k; ki++) {
          for (int ci = 0; ci < cg; ci++) {
            for (int ri = 0; ri < r; ri++) {
              for (int si = 0; si < s; si++) {
                float v = layout == Layout.NCHW ? dw.get(ki, ci, ri, si) : dw.get(ri, si, ci, ki);
                String where = alg + " " + layout + " pad " + pad + " groups " + groups
                    + " NaN at " + at[0] + "," + at[1] + ": dw[k=" + ki + ", c=" + ci + ", r="
                    + ri + ", s=" + si + "]";
                assertEquals(ki == kk, Float.isNaN(v), where);
              }
            }
          }
        }
        checked++;
      }
    }
    return checked;
  }

  /**
   * One infinite weight at tap (r, s) of filter 1: each output of filter 1 is NaN where that
   * tap lies on padding (0 * Inf) and infinite where it meets the (positive) input; the other
   * filters stay finite. On shapes whose output is smaller than the weight (the facade then
   * scans the output to see that the weights are finite) and larger, including a 1x1 input
   * whose corner taps meet only padding (a finite output then proves nothing).
   */
  @Test
  void infiniteWeightOnPaddingMakesExactlyThoseOutputsNaN() {
    int[][] shapes = { // n, c, h, w, k, stride, pad
        {1, 8, 3, 3, 8, 1, 1}, {1, 8, 1, 1, 8, 1, 1}, {1, 8, 5, 4, 8, 2, 1},
        {2, 2, 6, 7, 3, 1, 2}};
    int checked = 0;
    for (int[] sh : shapes) {
      ConvSpec spec = ConvSpec.builder().stride(sh[5]).padding(sh[6]).build();
      Tensor x = nonzero(sh[0], sh[1], sh[2], sh[3]);
      for (int tap = 0; tap < 9; tap++) {
        for (Algorithm alg : Algorithm.values()) {
          Tensor wt = nonzero(sh[4], sh[1], 3, 3);
          wt.data()[((1 * sh[1]) * 3 + tap / 3) * 3 + tap % 3] = Float.POSITIVE_INFINITY;
          Tensor y = Conv2d.of(spec).withAlgorithm(alg).forward(x, wt, null);
          for (int n = 0; n < y.dim(0); n++) {
            for (int k = 0; k < y.dim(1); k++) {
              for (int p = 0; p < y.dim(2); p++) {
                for (int q = 0; q < y.dim(3); q++) {
                  float v = y.get(n, k, p, q);
                  int ih = p * sh[5] - sh[6] + tap / 3;
                  int iw = q * sh[5] - sh[6] + tap % 3;
                  boolean onPadding = ih < 0 || ih >= sh[2] || iw < 0 || iw >= sh[3];
                  String where = alg + " " + Arrays.toString(sh) + " tap " + tap
                      + ": y[" + n + ", " + k + ", " + p + ", " + q + "] = " + v;
                  if (k != 1) {
                    assertTrue(Float.isFinite(v), where);
                  } else {
                    assertTrue(onPadding ? Float.isNaN(v) : Float.isInfinite(v), where);
                  }
                }
              }
            }
          }
          checked++;
        }
      }
    }
    assertEquals(shapes.length * 9 * Algorithm.values().length, checked);
  }

  private static Tensor nonzero(int... shape) {
    Tensor t = Tensor.zeros(shape);
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < t.size(); i++) {
      t.data()[i] = (float) (0.5 + rnd.nextDouble()); // in [0.5, 1.5): never zero
    }
    assertTrue(t.size() > 0);
    return t;
  }
}
