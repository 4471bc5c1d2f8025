package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.plan.ExecContext;
import org.vconv.simd.GemmKernels;
import org.vconv.simd.VectorProvider;

/**
 * The micro-kernels alone, on packed panels, against a double reference; and under C2: many
 * thousands of calls compared bitwise with the first (interpreted) one, since the interpreter
 * runs the Vector API's Java fallback (fma per lane, one rounding) and C2 the instructions.
 */
class GemmKernelsTest {

  private static float[] random(int n, Random rnd) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    return v;
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
          float[] c = GemmCheck.nanArray(cOff + mr * ldc + 2);
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
          double gamma = (kc + 1) * 0x1p-24 / (1 - (kc + 1) * 0x1p-24); // see GemmCheck
          for (int at = 0; at < c.length; at++) {
            int i = (at - cOff) / ldc;
            int j = (at - cOff) % ldc;
            if (at < cOff || i >= mr || j >= nr) {
              assertEquals(Float.floatToRawIntBits(before[at]), Float.floatToRawIntBits(c[at]),
                  "wrote outside the tile at " + at);
              continue;
            }
            double sum = add ? before[at] : 0;
            double abs = Math.abs(sum);
            for (int q = 0; q < kc; q++) {
              double x = (double) a[aOff + q * mr + i] * b[bOff + q * nr + j];
              sum += x;
              abs += Math.abs(x);
            }
            if (!(Math.abs(c[at] - sum) <= gamma * abs)) {
              fail(p.name() + " kc " + kc + " add " + add + " [" + i + "][" + j + "] = " + c[at]
                  + ", expected " + sum);
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
   * (checked once by hand with -XX:+PrintCompilation); every result must equal the first.
   */
  @Test
  void compiledCodeGivesTheSameBitsAsTheInterpreter() {
    Random rnd = new Random(42);
    int calls = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      int mr = g.mr();
      int nr = g.nr();
      int kc = 48;
      float[] a = random(kc * mr, rnd);
      float[] b = random(kc * nr, rnd);
      float[] c0 = random(mr * nr, rnd);
      float[] firstSet = null;
      float[] firstAdd = null;
      for (int it = 0; it < 12_000; it++, calls++) {
        float[] c = GemmCheck.nanArray(mr * nr);
        g.multiplyTile(kc, a, 0, b, 0, c, 0, nr);
        float[] d = c0.clone();
        g.multiplyAddTile(kc, a, 0, b, 0, d, 0, nr);
        if (firstSet == null) {
          firstSet = c;
          firstAdd = d;
        } else if (!java.util.Arrays.equals(firstSet, c) || !java.util.Arrays.equals(firstAdd,
            d)) {
          GemmCheck.assertBitwise(p.name() + " tile call " + it, firstSet, c);
          GemmCheck.assertBitwise(p.name() + " tile call " + it, firstAdd, d);
        }
      }
      // the whole engine on a small shape with edge tiles in m, n and two depth blocks
      int m = mr + 3;
      int n = nr + 5;
      int k = Blocking.KC + 9;
      StridedMatrix sa = StridedMatrix.rowMajor(random(m * k, rnd), 0, k);
      StridedMatrix sb = StridedMatrix.rowMajor(random(k * n, rnd), 0, n);
      ExecContext ctx = GemmCheck.ctx(p, 1);
      float[] first = null;
      for (int it = 0; it < 3_000; it++, calls++) {
        float[] c = GemmCheck.nanArray(m * n);
        Sgemm.multiply(m, n, k, sa, sb, c, 0, n, ctx);
        if (first == null) {
          first = c;
        } else if (!java.util.Arrays.equals(first, c)) {
          GemmCheck.assertBitwise(p.name() + " sgemm call " + it, first, c);
        }
      }
    }
    assertEquals(GemmCheck.providers().size() * 15_000, calls);
  }
}
