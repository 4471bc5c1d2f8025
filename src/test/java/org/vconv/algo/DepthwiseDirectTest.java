package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vconv.ConvSpec;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.GeometryResolver;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/** {@link DepthwiseDirect} against {@link DirectReference} on every parameter it meets. */
class DepthwiseDirectTest {
  private static final ConvAlgorithm REF = new DirectReference();
  private static final ConvAlgorithm DW = new DepthwiseDirect();

  record Case(int n, int c, int m, int h, int w, int r, int s, int sh, int sw, Padding pad,
      int dh, int dw, Layout layout) {}

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (Layout l : Layout.values()) {
      cases.add(new Case(2, 3, 1, 7, 17, 3, 3, 1, 1, Padding.of(1), 1, 1, l));
      cases.add(new Case(1, 5, 2, 9, 16, 3, 3, 2, 2, Padding.of(1), 1, 1, l));
      cases.add(new Case(2, 4, 1, 11, 15, 5, 3, 3, 2, Padding.of(2, 0, 1, 3), 1, 2, l));
      cases.add(new Case(1, 17, 1, 6, 33, 3, 1, 1, 3, Padding.SAME, 2, 1, l));
      cases.add(new Case(3, 16, 3, 5, 5, 1, 1, 1, 1, Padding.VALID, 1, 1, l));
      cases.add(new Case(1, 2, 1, 1, 1, 3, 3, 1, 1, Padding.of(1), 1, 1, l));
      cases.add(new Case(2, 33, 1, 8, 8, 2, 4, 2, 1, Padding.SAME, 1, 1, l));
    }
    return cases;
  }

  @Test
  void matchesReferenceOnEveryPassProviderAndThreadCount() {
    int checked = 0;
    for (Case cs : cases()) {
      ConvSpec spec = ConvSpec.builder().stride(cs.sh, cs.sw).padding(cs.pad)
          .dilation(cs.dh, cs.dw).groups(cs.c).layout(cs.layout).build();
      int k = cs.c * cs.m;
      int[] xs = cs.layout == Layout.NCHW ? new int[] {cs.n, cs.c, cs.h, cs.w}
          : new int[] {cs.n, cs.h, cs.w, cs.c};
      int[] ws = cs.layout == Layout.NCHW ? new int[] {k, 1, cs.r, cs.s}
          : new int[] {cs.r, cs.s, 1, k};
      ConvGeometry g = GeometryResolver.resolve(spec, xs, ws);
      assertTrue(DepthwiseDirect.applies(g));
      SplittableRandom rnd = new SplittableRandom(cs.hashCode());
      float[] x = random(rnd, g.inputSize());
      float[] w = random(rnd, g.weightSize());
      float[] b = random(rnd, g.k());
      float[] dy = random(rnd, g.outputSize());
      ExecContext one = new ExecContext(1, 1 << 20, VectorProviders.scalar());
      float[] y0 = new float[g.outputSize()];
      float[] dx0 = new float[g.inputSize()];
      float[] dw0 = new float[g.weightSize()];
      REF.forward(g, x, w, b, y0, one);
      REF.backwardData(g, dy, w, dx0, one);
      REF.backwardWeight(g, dy, x, dw0, one);
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        float[][] first = null;
        for (int threads : new int[] {1, 2, 3}) {
          ExecContext ctx = new ExecContext(threads, 1 << 20, kp);
          float[] y = garbage(g.outputSize());
          float[] dx = garbage(g.inputSize());
          float[] dwt = garbage(g.weightSize());
          DW.forward(g, x, w, b, y, ctx);
          DW.backwardData(g, dy, w, dx, ctx);
          DW.backwardWeight(g, dy, x, dwt, ctx);
          String what = cs + " on " + kp.name() + " x" + threads;
          // terms are products of values in [-1, 1]; float error grows with the sum's length
          assertClose(y0, y, 1e-6f * (g.r() * g.s() + 1), what + " forward");
          assertClose(dx0, dx, 1e-6f * g.r() * g.s() * g.kg(), what + " backwardData");
          assertClose(dw0, dwt, 1e-6f * g.n() * g.pq(), what + " backwardWeight");
          if (first == null) {
            first = new float[][] {y, dx, dwt};
          } else { // the thread count must not change a bit
            assertArrayEquals(first[0], y, what);
            assertArrayEquals(first[1], dx, what);
            assertArrayEquals(first[2], dwt, what);
          }
          checked++;
        }
      }
    }
    assertEquals(cases().size() * 2 * 3, checked);
  }

  static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }

  static float[] garbage(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, Float.NaN); // outputs are overwritten, never read
    return a;
  }

  static void assertClose(float[] expected, float[] actual, float tol, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
        throw new AssertionError(what + ": element " + i + " expected " + expected[i]
            + " got " + actual[i] + " (tolerance " + tol + ")");
      }
    }
  }
}
