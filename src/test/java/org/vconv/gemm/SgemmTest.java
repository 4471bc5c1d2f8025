package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vconv.gemm.GemmCheck.assertProduct;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.vconv.gemm.GemmCheck.COut;
import org.vconv.gemm.GemmCheck.Layout;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;

/**
 * Sgemm on both providers, bitwise against the documented reduction order and within a
 * rigorous bound of a double-precision reference ({@link GemmCheck#assertProduct}), over sizes
 * that hit every tail in m, n and k, every operand layout, offsets, {@code ldc > n}, overwrite
 * (C full of NaN, which must not leak) and accumulate.
 */
class SgemmTest {

  private int ran;

  /** Runs multiply and multiplyAdd on one shape; layouts rotate with the case number. */
  private void check(VectorProvider p, int threads, int m, int n, int k, Random rnd) {
    Layout la = Layout.values()[ran % Layout.values().length];
    Layout lb = Layout.values()[(ran / Layout.values().length) % Layout.values().length];
    StridedMatrix a = GemmCheck.view(m, k, la, rnd);
    StridedMatrix b = GemmCheck.view(k, n, lb, rnd);
    ExecContext ctx = GemmCheck.ctx(p, threads);
    String what = p.name() + " " + m + "x" + n + "x" + k + " A " + la + " B " + lb + " t"
        + threads;

    COut c = GemmCheck.cOut(m, n, false, rnd); // NaN inside: overwrite must not read it
    float[] before = c.data().clone();
    Sgemm.multiply(m, n, k, a, b, c.data(), c.off(), c.ldc(), ctx);
    assertProduct("multiply " + what, m, n, k, a, b, before, c, true, GemmCheck.fused(p));

    c = GemmCheck.cOut(m, n, true, rnd);
    before = c.data().clone();
    Sgemm.multiplyAdd(m, n, k, a, b, c.data(), c.off(), c.ldc(), ctx);
    assertProduct("multiplyAdd " + what, m, n, k, a, b, before, c, false,
        GemmCheck.fused(p));
    ran++;
  }

  @Test
  void everyTailOfMandN() {
    int[] sizes = GemmCheck.tailSizes();
    Random rnd = new Random(11);
    int expected = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      for (int m : sizes) {
        for (int n : sizes) {
          for (int k : new int[] {1, 13}) {
            check(p, 1, m, n, k, rnd);
            expected++;
          }
        }
      }
    }
    assertTrue(sizes.length >= 9, "sizes " + Arrays.toString(sizes));
    assertEquals(GemmCheck.providers().size() * sizes.length * sizes.length * 2, ran);
  }

  @Test
  void everyTailOfK() {
    int kc = Blocking.KC;
    int[] ks = IntStream.concat(Arrays.stream(GemmCheck.tailSizes()),
        IntStream.of(kc - 1, kc, kc + 1, 2 * kc + 3, 3 * kc + 1)).toArray();
    Random rnd = new Random(12);
    int expected = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      int mr = p.gemm().mr();
      int nr = p.gemm().nr();
      for (int k : ks) {
        for (int[] mn : new int[][] {{1, 1}, {mr + 1, nr + 1}, {2 * mr, nr - 1}, {13, 31}}) {
          check(p, 1, mn[0], mn[1], k, rnd);
          expected++;
        }
      }
    }
    assertEquals(expected, ran);
  }

  @Test
  void largerThanTheCacheBlocks() {
    Random rnd = new Random(13);
    int expected = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      int mr = p.gemm().mr();
      int nr = p.gemm().nr();
      check(p, 1, Blocking.MC + mr + 3, 3 * nr + 5, Blocking.KC + 45, rnd); // > MC, > KC
      check(p, 2, Blocking.MC + 1, 2 * nr + 1, 2 * Blocking.KC + 7, rnd);
      check(p, 3, 97, Blocking.NC + nr + 1, 9, rnd); // > NC
      check(p, 1, 2 * mr + 1, 2 * Blocking.NC + 5, 40, rnd); // > NC on one thread: A shared
      expected += 4;
    }
    assertEquals(expected, ran);
  }

  @Test
  void zeroSizes() {
    for (VectorProvider p : GemmCheck.providers()) {
      ExecContext ctx = GemmCheck.ctx(p, 2);
      Random rnd = new Random(14);
      StridedMatrix a = GemmCheck.view(5, 3, Layout.ROW_MAJOR, rnd);
      // k = 0: multiply writes zeros (the empty sum), multiplyAdd leaves C alone
      float[] c = GemmCheck.nanArray(5 * 4);
      Sgemm.multiply(5, 4, 0, a, a, c, 0, 4, ctx);
      for (float v : c) {
        assertEquals(0f, v);
      }
      Arrays.fill(c, 2f);
      Sgemm.multiplyAdd(5, 4, 0, a, a, c, 0, 4, ctx);
      for (float v : c) {
        assertEquals(2f, v);
      }
      // m = 0 or n = 0: nothing to write, C untouched
      float[] d = GemmCheck.nanArray(3);
      Sgemm.multiply(0, 3, 3, a, a, d, 0, 3, ctx);
      Sgemm.multiply(3, 0, 3, a, a, d, 0, 0, ctx);
      for (float v : d) {
        assertTrue(Float.isNaN(v));
      }
    }
  }

  @Test
  void facadeRejectsBadArguments() {
    ExecContext ctx = ExecContext.sequential();
    float[] data = new float[12];
    StridedMatrix a = StridedMatrix.rowMajor(data, 0, 4); // 3 x 4
    float[] c = new float[9];
    assertThrows(IllegalArgumentException.class,
        () -> Sgemm.multiply(-1, 3, 4, a, a, c, 0, 3, ctx));
    assertThrows(IllegalArgumentException.class, // ldc < n
        () -> Sgemm.multiply(3, 3, 3, a, a, c, 0, 2, ctx));
    assertThrows(IllegalArgumentException.class, // C too short
        () -> Sgemm.multiply(3, 3, 3, a, a, c, 1, 3, ctx));
    assertThrows(IllegalArgumentException.class, // A 4 x 4 does not fit in 12 floats
        () -> Sgemm.multiplyAdd(4, 3, 4, a, a, new float[12], 0, 3, ctx));
    assertThrows(IllegalArgumentException.class, // negative stride reaching below 0
        () -> Sgemm.multiply(3, 3, 3, new StridedMatrix(data, 1, -4, 1), a, c, 0, 3, ctx));
    assertThrows(NullPointerException.class,
        () -> Sgemm.multiply(3, 3, 3, a, a, null, 0, 3, ctx));
  }
}
