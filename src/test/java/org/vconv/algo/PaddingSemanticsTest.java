package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
