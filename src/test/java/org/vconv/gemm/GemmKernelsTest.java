package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.plan.ExecContext;
import org.vconv.simd.GemmKernels;
import org.vconv.simd.VectorProvider;

/**
 * The micro-kernels alone on packed panels: bitwise against the documented reduction order
 * and within a rigorous bound of a double reference; then the same under C2, many thousands of
 * calls each compared bitwise with the documented order (the interpreter runs the Vector API's
 * Java fallback, C2 the instructions: both must give the same bits).
 */
class GemmKernelsTest {

  private static float[] random(int n, Random rnd) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    return v;
  }

  /** The tile the documented order gives: see {@link GemmKernels}. */
  private static float[] expectedTile(GemmKernels g, boolean fused, int kc, float[] a, int aOff,
      float[] b, int bOff, float[] c, int cOff, int ldc, boolean add) {
    float[] out = c.clone();
    for (int i = 0; i < g.mr(); i++) {
      for (int j = 0; j < g.nr(); j++) {
        float acc = 0f;
        for (int q = 0; q < kc; q++) {
          float x = a[aOff + q * g.mr() + i];
          float y = b[bOff + q * g.nr() + j];
          acc = fused ? Math.fma(x, y, acc) : acc + x * y;
        }
        int at = cOff + i * ldc + j;
        out[at] = add ? c[at] + acc : acc;
      }
    }
    return out;
  }

  @Test
  void tileMatchesTheReference() {
    Random rnd = new Random(41);
    int ran = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      int mr = g.mr();
      int nr = g.nr();
      for (int kc : new int[] {1, 2, 3, 7, 64, Blocking.KC, Blocking.KC + 1}) {
        for (boolean add : new boolean[] {false, true}) {
          int aOff = rnd.nextInt(5);
          int bOff = rnd.nextInt(5);
          float[] a = random(aOff + kc * mr, rnd);
          float[] b = random(bOff + kc * nr, rnd);
          int ldc = nr + rnd.nextInt(3);
          int cOff = 1 + rnd.nextInt(3);
          float[] c = GemmCheck.nanArray(cOff + mr * ldc + 2); // NaN: overwrite must not read
          for (int i = 0; i < mr && add; i++) {
            for (int j = 0; j < nr; j++) {
              c[cOff + i * ldc + j] = rnd.nextFloat() * 2 - 1;
            }
          }
          float[] before = c.clone();
          if (add) {
            g.multiplyAddTile(kc, a, aOff, b, bOff, c, cOff, ldc);
          } else {
            g.multiplyTile(kc, a, aOff, b, bOff, c, cOff, ldc);
          }
          String what = p.name() + " kc " + kc + " add " + add;
          GemmCheck.assertBitwise(what, expectedTile(g, GemmCheck.fused(p), kc, a, aOff, b, bOff,
              before, cOff, ldc, add), c); // also: nothing outside the tile written
          double gamma = (kc + 1) * 0x1p-24 / (1 - (kc + 1) * 0x1p-24); // see GemmCheck
          for (int i = 0; i < mr; i++) {
            for (int j = 0; j < nr; j++) {
              int at = cOff + i * ldc + j;
              double sum = add ? before[at] : 0;
              double abs = Math.abs(sum);
              for (int q = 0; q < kc; q++) {
                double x = (double) a[aOff + q * mr + i] * b[bOff + q * nr + j];
                sum += x;
                abs += Math.abs(x);
              }
              if (!(Math.abs(c[at] - sum) <= gamma * abs)) {
                fail(what + " [" + i + "][" + j + "] = " + c[at] + ", expected " + sum);
              }
            }
          }
          ran++;
        }
      }
    }
    assertEquals(GemmCheck.providers().size() * 7 * 2, ran);
  }

  /**
   * Enough calls for C2 (and OSR of the k loop) to compile the kernel and Sgemm's loops
   * (checked by hand with -XX:+PrintCompilation, this test run alone: tile8x2, tile3x3 under
   * -XX:UseAVX=2, and the scalar tile4x4 reach tier 4 well before the calls run out); every
   * result is compared bitwise with the documented order, so the interpreted, C1 and C2
   * versions are all checked.
   */
  @Test
  void compiledCodeGivesTheDocumentedBits() {
    Random rnd = new Random(42);
    int calls = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      boolean fused = GemmCheck.fused(p);
      int mr = g.mr();
      int nr = g.nr();
      int kc = 48;
      float[] a = random(kc * mr, rnd);
      float[] b = random(kc * nr, rnd);
      float[] c0 = random(mr * nr, rnd);
      float[] set = expectedTile(g, fused, kc, a, 0, b, 0, GemmCheck.nanArray(mr * nr), 0, nr,
          false);
      float[] add = expectedTile(g, fused, kc, a, 0, b, 0, c0, 0, nr, true);
      for (int it = 0; it < 12_000; it++, calls++) {
        float[] c = GemmCheck.nanArray(mr * nr);
        g.multiplyTile(kc, a, 0, b, 0, c, 0, nr);
        float[] d = c0.clone();
        g.multiplyAddTile(kc, a, 0, b, 0, d, 0, nr);
        if (!Arrays.equals(set, c) || !Arrays.equals(add, d)) {
          GemmCheck.assertBitwise(p.name() + " multiplyTile call " + it, set, c);
          GemmCheck.assertBitwise(p.name() + " multiplyAddTile call " + it, add, d);
        }
      }
      // the whole engine on a small shape with edge tiles in m and n and two depth blocks
      int m = mr + 3;
      int n = nr + 5;
      int k = Blocking.KC + 9;
      StridedMatrix sa = StridedMatrix.rowMajor(random(m * k, rnd), 0, k);
      StridedMatrix sb = StridedMatrix.rowMajor(random(k * n, rnd), 0, n);
      float[] expected = new float[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          expected[i * n + j] = GemmCheck.exactOrder(sa, sb, i, j, k, Float.NaN, true, fused);
        }
      }
      ExecContext ctx = GemmCheck.ctx(p, 1);
      for (int it = 0; it < 3_000; it++, calls++) {
        float[] c = GemmCheck.nanArray(m * n);
        Sgemm.multiply(m, n, k, sa, sb, c, 0, n, ctx);
        if (!Arrays.equals(expected, c)) {
          GemmCheck.assertBitwise(p.name() + " Sgemm call " + it, expected, c);
        }
      }
    }
    assertEquals(GemmCheck.providers().size() * 15_000, calls);
  }
}
