package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.simd.GemmKernels;
import org.vconv.simd.VectorProvider;

/**
 * {@link RowBlockGemm} gives {@link Sgemm#multiply}'s bits, block after block in order, over
 * sizes that hit every tail: m, n, k at 1, the micro-tile's sides and one off, primes, and k
 * past {@link Blocking#KC} (two depth blocks).
 */
class RowBlockGemmTest {

  @Test
  void blocksMatchSgemmBitwise() {
    Random rnd = new Random(17);
    int checked = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels kernels = p.gemm();
      int mr = kernels.mr();
      int nr = kernels.nr();
      int[] ms = {1, mr - 1, mr, mr + 1, 3 * mr + 5, 37};
      int[] ns = {1, nr - 1, nr + 1, 2 * nr + 3, 29};
      int[] ks = {1, 7, 256, 300};
      for (int m : ms) {
        for (int n : ns) {
          for (int k : ks) {
            if (m < 1 || n < 1) {
              continue;
            }
            int rowBlock = mr * (1 + rnd.nextInt(3));
            check(p, m, n, k, rowBlock, rnd);
            checked++;
          }
        }
      }
    }
    assertTrue(checked >= 100, "cases: " + checked);
  }

  private static void check(VectorProvider p, int m, int n, int k, int rowBlock, Random rnd) {
    GemmKernels kernels = p.gemm();
    float[] a = GemmCheck.random(m * k, rnd);
    float[] b = GemmCheck.random(k * n, rnd);
    StridedMatrix av = StridedMatrix.rowMajor(a, 0, k);
    StridedMatrix bv = StridedMatrix.rowMajor(b, 0, n);
    float[] want = new float[m * n];
    Sgemm.multiply(m, n, k, av, bv, want, 0, n, GemmCheck.ctx(p, 1));

    int off = 3;
    float[] ap = GemmCheck.nanArray(off + (int) RowBlockGemm.packedAFloats(m, k, kernels));
    for (int r0 = 0; r0 < m; r0 += 2 * kernels.mr()) { // packed in parts, as threads would
      RowBlockGemm.packA(m, k, av, r0, Math.min(2 * kernels.mr(), m - r0), kernels, ap, off);
    }
    int bufFloats = (int) RowBlockGemm.bufferFloats(m, n, k, rowBlock, kernels);
    float[] buf = GemmCheck.nanArray(5 + bufFloats);
    float[] got = GemmCheck.nanArray(m * n);
    int[] next = {0};
    RowBlockGemm.multiply(m, n, k, ap, off, bv.transpose(), rowBlock, buf, 5,
        (i0, i1, c, cOff) -> {
          assertEquals(next[0], i0, "blocks in order");
          assertEquals(Math.min(m, i0 + rowBlock), i1, "block end");
          System.arraycopy(c, cOff, got, i0 * n, (i1 - i0) * n);
          next[0] = i1;
        }, kernels);
    assertEquals(m, next[0], "every row handed over");
    String what = p.name() + " m " + m + " n " + n + " k " + k + " block " + rowBlock;
    for (int i = 0; i < want.length; i++) {
      assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
          () -> what + ": bits differ from Sgemm");
    }
  }
}
