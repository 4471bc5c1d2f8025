package org.vconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.nd.DepthSlices;
import org.vconv.testutil.Close;
import org.vconv.testutil.RandomTensors;

/**
 * 3-D convolution cuts its output depth slices into runs that read the same depth taps inside
 * the input ({@link DepthSlices#spans}), so border slices skip the taps in the depth padding.
 * The runs checked directly, and every pass against a direct 3-D sum in double on shapes that
 * make one run, two, runs of a single tap and slices that read no input at all (their output
 * is the bias), or stay one run with zero slices (few taps in the padding), at depth stride and
 * dilation 2, grouped, in both layouts.
 */
class DepthSpansTest {

  @Test
  void spansGroupTheSlicesThatReadTheSameTaps() {
    // depth 2 under a pad of 1, 3 taps: slice 0 reads taps 1-2, slice 1 taps 0-1
    assertEquals(List.of(new DepthSlices.Span(0, 1, 1, 3), new DepthSlices.Span(1, 2, 0, 2)),
        slices(2, 3, 1, 1, 1, 2).spans());
    // depth 1, pad 1: the middle tap only
    assertEquals(List.of(new DepthSlices.Span(0, 1, 1, 2)), slices(1, 3, 1, 1, 1, 1).spans());
    // depth 4, pad 3 in front: no tap, one tap, two taps, then all three
    assertEquals(List.of(new DepthSlices.Span(0, 1, 3, 3), new DepthSlices.Span(1, 2, 2, 3),
        new DepthSlices.Span(2, 3, 1, 3), new DepthSlices.Span(3, 5, 0, 3)),
        slices(4, 3, 1, 1, 3, 5).spans());
    // no depth padding: one run of every tap
    assertEquals(List.of(new DepthSlices.Span(0, 6, 0, 3)), slices(8, 3, 1, 1, 0, 6).spans());
    assertEquals(33, slices(2, 3, 1, 1, 1, 2).paddedPercent());
    assertEquals(4, slices(16, 3, 1, 1, 1, 16).paddedPercent());
    assertEquals(0, slices(8, 3, 1, 1, 0, 6).paddedPercent());
  }

  /**
   * The border slices run apart where a third of the taps fall in the padding (R3D-18's depth
   * of 2), not where a twenty-fourth do (a depth of 16): the plan says which.
   */
  @Test
  void borderSlicesRunApartOnlyWhereTheirTapsAreMuchOfTheWork() {
    ConvNd conv = ConvNd.of(ConvNdSpec.builder(3).padding(1).build());
    String shallow = conv.plan(new int[] {1, 8, 2, 6, 6}, new int[] {8, 8, 3, 3, 3}).toString();
    String deep = conv.plan(new int[] {1, 8, 16, 6, 6}, new int[] {8, 8, 3, 3, 3}).toString();
    assertTrue(shallow.contains("2 runs of slices"), shallow);
    assertFalse(deep.contains("runs of slices"), deep);
  }

  private static DepthSlices slices(int d, int taps, int stride, int dil, int pad, int out) {
    return new DepthSlices(1, 2, d, 4, 4, 1, taps, stride, dil, pad, out, 2, 16, false);
  }

  @Test
  void everyPassMatchesTheDirectSumOnBorderSlices() {
    int[][] cases = { // D, pad front, pad back, stride, dilation (depth); kernel depth 3
        {2, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, {4, 3, 0, 1, 1}, {5, 2, 2, 2, 2}, {3, 0, 0, 1, 1},
        {3, 2, 4, 1, 1}};
    int checked = 0;
    for (int[] c : cases) {
      for (boolean last : new boolean[] {false, true}) {
        check(10L * checked, c[0], c[1], c[2], c[3], c[4], last);
        checked++;
      }
    }
    assertEquals(2 * cases.length, checked);
  }

  /** One configuration, its operands drawn from seeds {@code seed} to {@code seed + 3}. */
  private static void check(long seed, int d, int pf, int pb, int sd, int dd, boolean last) {
    int n = 2;
    int ch = 4;
    int k = 6;
    int groups = 2;
    int h = 5;
    int w = 4;
    int t = 3;
    int r = 3;
    int s = 2;
    ConvNdSpec spec = ConvNdSpec.builder(3).stride(sd, 1, 2).dilation(dd, 1, 1)
        .padding(pf, pb, 1, 0, 1, 1).groups(groups).channelsLast(last).build();
    Ref ref = new Ref(n, ch, d, h, w, k, groups, t, r, s, new int[] {sd, 1, 2},
        new int[] {dd, 1, 1}, new int[] {pf, 1, 1}, new int[] {pb, 0, 1}, last);
    Tensor x = RandomTensors.uniform(seed, ref.xShape());
    Tensor wt = RandomTensors.uniform(seed + 1, ref.wShape());
    Tensor b = RandomTensors.uniform(seed + 2, k);
    ConvNd conv = ConvNd.of(spec);
    Tensor y = conv.forward(x, wt, b);
    Tensor dy = RandomTensors.uniform(seed + 3, y.shape());
    Gradients g = conv.backward(dy, x, wt);
    ref.run(x.data(), wt.data(), b.data(), dy.data());
    String what = spec + " input " + java.util.Arrays.toString(ref.xShape());
    int cg = ch / groups;
    assertNull(Close.compare(y.data(), ref.y, ref.yMag, (long) cg * t * r * s + 1),
        what + " forward");
    assertNull(Close.compare(g.input().data(), ref.dx, ref.dxMag, (long) k / groups * t * r * s),
        what + " input gradient");
    assertNull(Close.compare(g.weight().data(), ref.dw, ref.dwMag, ref.outVolume()),
        what + " weight gradient");
    assertNull(Close.compare(g.bias().data(), ref.db, ref.dbMag, ref.outVolume()),
        what + " bias gradient");
  }

  /** The direct 3-D sums in double, with the sums of the absolute products beside them. */
  private static final class Ref {
    final int n;
    final int c;
    final int k;
    final int groups;
    final int[] in;
    final int[] kern;
    final int[] out = new int[3];
    final int[] stride;
    final int[] dil;
    final int[] padBefore;
    final boolean last;
    float[] y;
    double[] yMag;
    float[] dx;
    double[] dxMag;
    float[] dw;
    double[] dwMag;
    float[] db;
    double[] dbMag;

    Ref(int n, int c, int d, int h, int w, int k, int groups, int t, int r, int s, int[] stride,
        int[] dil, int[] padBefore, int[] padAfter, boolean last) {
      this.n = n;
      this.c = c;
      this.k = k;
      this.groups = groups;
      this.in = new int[] {d, h, w};
      this.kern = new int[] {t, r, s};
      this.stride = stride;
      this.dil = dil;
      this.padBefore = padBefore;
      this.last = last;
      for (int i = 0; i < 3; i++) {
        out[i] = (in[i] + padBefore[i] + padAfter[i] - dil[i] * (kern[i] - 1) - 1) / stride[i]
            + 1;
      }
    }

    int[] xShape() {
      return last ? new int[] {n, in[0], in[1], in[2], c} : new int[] {n, c, in[0], in[1], in[2]};
    }

    int[] wShape() {
      int cg = c / groups;
      return last ? new int[] {kern[0], kern[1], kern[2], cg, k}
          : new int[] {k, cg, kern[0], kern[1], kern[2]};
    }

    long outVolume() {
      return (long) n * out[0] * out[1] * out[2];
    }

    private int xi(int b, int cc, int[] p) {
      return last ? (((b * in[0] + p[0]) * in[1] + p[1]) * in[2] + p[2]) * c + cc
          : (((b * c + cc) * in[0] + p[0]) * in[1] + p[1]) * in[2] + p[2];
    }

    private int yi(int b, int kk, int[] p) {
      return last ? (((b * out[0] + p[0]) * out[1] + p[1]) * out[2] + p[2]) * k + kk
          : (((b * k + kk) * out[0] + p[0]) * out[1] + p[1]) * out[2] + p[2];
    }

    private int wi(int kk, int cc, int[] tap) {
      int cg = c / groups;
      return last ? (((tap[0] * kern[1] + tap[1]) * kern[2] + tap[2]) * cg + cc) * k + kk
          : (((kk * cg + cc) * kern[0] + tap[0]) * kern[1] + tap[1]) * kern[2] + tap[2];
    }

    void run(float[] x, float[] w, float[] bias, float[] dyf) {
      int cg = c / groups;
      int kg = k / groups;
      int ys = (int) outVolume() * k;
      double[] yd = new double[ys];
      yMag = new double[ys];
      double[] dxd = new double[x.length];
      dxMag = new double[x.length];
      double[] dwd = new double[w.length];
      dwMag = new double[w.length];
      double[] dbd = new double[k];
      dbMag = new double[k];
      int[] o = new int[3];
      int[] tap = new int[3];
      int[] p = new int[3];
      for (int b = 0; b < n; b++) {
        for (int kk = 0; kk < k; kk++) {
          for (o[0] = 0; o[0] < out[0]; o[0]++) {
            for (o[1] = 0; o[1] < out[1]; o[1]++) {
              for (o[2] = 0; o[2] < out[2]; o[2]++) {
                int yIdx = yi(b, kk, o);
                double dy = dyf[yIdx];
                yd[yIdx] = bias[kk];
                yMag[yIdx] = Math.abs(bias[kk]);
                dbd[kk] += dy;
                dbMag[kk] += Math.abs(dy);
                for (int cc = 0; cc < cg; cc++) {
                  for (tap[0] = 0; tap[0] < kern[0]; tap[0]++) {
                    for (tap[1] = 0; tap[1] < kern[1]; tap[1]++) {
                      for (tap[2] = 0; tap[2] < kern[2]; tap[2]++) {
                        boolean inside = true;
                        for (int a = 0; a < 3; a++) {
                          p[a] = o[a] * stride[a] - padBefore[a] + tap[a] * dil[a];
                          inside &= p[a] >= 0 && p[a] < in[a];
                        }
                        if (!inside) {
                          continue;
                        }
                        int xIdx = xi(b, kk / kg * cg + cc, p);
                        int wIdx = wi(kk, cc, tap);
                        yd[yIdx] += (double) w[wIdx] * x[xIdx];
                        yMag[yIdx] += Math.abs((double) w[wIdx] * x[xIdx]);
                        dxd[xIdx] += w[wIdx] * dy;
                        dxMag[xIdx] += Math.abs(w[wIdx] * dy);
                        dwd[wIdx] += x[xIdx] * dy;
                        dwMag[wIdx] += Math.abs(x[xIdx] * dy);
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      y = toFloat(yd);
      dx = toFloat(dxd);
      dw = toFloat(dwd);
      db = toFloat(dbd);
    }

    private static float[] toFloat(double[] a) {
      float[] f = new float[a.length];
      for (int i = 0; i < a.length; i++) {
        f[i] = (float) a[i];
      }
      return f;
    }
  }

}
