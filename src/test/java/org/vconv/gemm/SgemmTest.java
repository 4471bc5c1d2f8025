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

  /**
   * B handed over already packed ({@link Sgemm#panelLayout}) gives the bits of B packed by the
   * GEMM, overwriting (C full of NaN) and accumulating, on 1-3 threads, on shapes with tails in
   * every dimension, several depth blocks and more columns than NC.
   */
  @Test
  void prepackedBGivesTheBitsOfPackingIt() {
    Random rnd = new Random(15);
    int checked = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      int mr = p.gemm().mr();
      int nr = p.gemm().nr();
      int[][] shapes = {{1, 1, 1}, {mr + 1, nr - 1, 13}, {3 * mr, nr + 1, Blocking.KC + 1},
          {512, 392, 600}, {97, Blocking.NC + nr + 5, 2 * Blocking.KC + 3}, {2 * mr, 17, 7}};
      for (int[] s : shapes) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        StridedMatrix a = GemmCheck.view(m, k, Layout.ROW_MAJOR, rnd);
        StridedMatrix b = GemmCheck.view(k, n, Layout.values()[checked % Layout.values().length],
            rnd);
        for (int threads = 1; threads <= 3; threads++) {
          ExecContext ctx = GemmCheck.ctx(p, threads);
          PanelLayout panels = Sgemm.panelLayout(n, k, ctx);
          int off = 3;
          float[] packed = GemmCheck.nanArray(off + Math.toIntExact(panels.floats()));
          for (int r = 0; r < k; r++) {
            for (int j = 0; j < panels.nPad(); j++) {
              packed[off + panels.index(r, j)] = j < n ? b.get(r, j) : 0f;
            }
          }
          String what = p.name() + " " + m + "x" + n + "x" + k + " t" + threads;
          float[] want = GemmCheck.nanArray(m * n);
          float[] got = GemmCheck.nanArray(m * n);
          Sgemm.multiply(m, n, k, a, b, want, 0, n, ctx);
          Sgemm.multiply(m, n, k, a, packed, off, panels, got, 0, n, ctx);
          GemmCheck.assertBitwise("multiply " + what, want, got);
          float[] c0 = GemmCheck.random(m * n, rnd);
          want = c0.clone();
          got = c0.clone();
          Sgemm.multiplyAdd(m, n, k, a, b, want, 0, n, ctx);
          Sgemm.multiplyAdd(m, n, k, a, packed, off, panels, got, 0, n, ctx);
          GemmCheck.assertBitwise("multiplyAdd " + what, want, got);
          checked++;
        }
      }
    }
    assertEquals(GemmCheck.providers().size() * 6 * 3, checked);
  }

  @Test
  void prepackedBIsCheckedAgainstTheCall() {
    ExecContext ctx = ExecContext.sequential();
    StridedMatrix a = StridedMatrix.rowMajor(new float[12], 0, 4); // 3 x 4
    PanelLayout panels = Sgemm.panelLayout(5, 4, ctx);
    float[] b = new float[Math.toIntExact(panels.floats())];
    float[] c = new float[15];
    Sgemm.multiply(3, 5, 4, a, b, 0, panels, c, 0, 5, ctx); // fits
    assertThrows(IllegalArgumentException.class, // packed for other sizes
        () -> Sgemm.multiply(3, 4, 4, a, b, 0, panels, c, 0, 5, ctx));
    assertThrows(IllegalArgumentException.class, // another blocking
        () -> Sgemm.multiply(3, 5, 4, a, b, 0, new PanelLayout(5, 4, panels.nr() + 1, 4), c, 0,
            5, ctx));
    assertThrows(IllegalArgumentException.class, // past the array's end
        () -> Sgemm.multiply(3, 5, 4, a, b, 1, panels, c, 0, 5, ctx));
    assertThrows(IllegalArgumentException.class, () -> Sgemm.panelLayout(0, 4, ctx));
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
