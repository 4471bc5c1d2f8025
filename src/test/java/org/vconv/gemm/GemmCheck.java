package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/** Shared by the GEMM tests: providers, operand layouts, a double reference, the tolerance. */
final class GemmCheck {
  private GemmCheck() {}

  /** The kernels under test: the default (SIMD when available) and the scalar ones. */
  static List<VectorProvider> providers() {
    VectorProvider simd = VectorProviders.get();
    VectorProvider scalar = VectorProviders.scalar();
    return simd == scalar ? List.of(scalar) : List.of(simd, scalar);
  }

  static ExecContext ctx(VectorProvider p, int threads) {
    return new ExecContext(threads, ExecContext.DEFAULT_WORKSPACE_BYTES, p);
  }

  /**
   * Sizes that hit every tail of every provider: 1, lanes-1, lanes, lanes+1, MR-1, MR, MR+1,
   * NR-1, NR, NR+1 and some primes.
   */
  static int[] tailSizes() {
    TreeSet<Integer> s = new TreeSet<>(List.of(1, 2, 7, 13, 31, 97));
    for (VectorProvider p : providers()) {
      int lanes = p.vectorBitSize() / Float.SIZE;
      int mr = p.gemm().mr();
      int nr = p.gemm().nr();
      for (int base : new int[] {lanes, mr, nr}) {
        for (int d = -1; d <= 1; d++) {
          if (base + d >= 1) {
            s.add(base + d);
          }
        }
      }
    }
    return s.stream().mapToInt(Integer::intValue).toArray();
  }

  /** How an operand is stored. */
  enum Layout {
    ROW_MAJOR, COL_MAJOR, GENERAL, REVERSED_ROWS
  }

  /**
   * A {@code rows x cols} view in {@code layout} with an offset and padding, values uniform in
   * [-1, 1]; every array slot outside the view holds NaN, so reading one would show up in C.
   */
  static StridedMatrix view(int rows, int cols, Layout layout, Random rnd) {
    int off = 1 + rnd.nextInt(5);
    int ld;
    StridedMatrix v;
    float[] data;
    switch (layout) {
      case ROW_MAJOR -> {
        ld = cols + rnd.nextInt(3);
        data = nanArray(off + rows * ld);
        v = new StridedMatrix(data, off, ld, 1);
      }
      case COL_MAJOR -> {
        ld = rows + rnd.nextInt(3);
        data = nanArray(off + cols * ld);
        v = new StridedMatrix(data, off, 1, ld);
      }
      case GENERAL -> { // neither stride is 1: the generic packing path
        ld = 2 * cols + 1;
        data = nanArray(off + rows * ld);
        v = new StridedMatrix(data, off, ld, 2);
      }
      case REVERSED_ROWS -> { // negative row stride
        ld = cols + 1;
        data = nanArray(off + rows * ld);
        v = new StridedMatrix(data, off + (rows - 1) * ld, -ld, 1);
      }
      default -> throw new AssertionError(layout);
    }
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        data[v.offset() + i * v.rowStride() + j * v.colStride()] = rnd.nextFloat() * 2 - 1;
      }
    }
    return v;
  }

  /** {@code n} floats uniform in [-1, 1). */
  static float[] random(int n, Random rnd) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    return v;
  }

  static float[] nanArray(int n) {
    float[] a = new float[n];
    Arrays.fill(a, Float.NaN);
    return a;
  }

  /** C as a test holds it: {@code m x n} at {@code off} with row stride {@code ldc}. */
  record COut(float[] data, int off, int ldc) {}

  /** C at an offset with {@code ldc >= n}, NaN everywhere or random inside the window. */
  static COut cOut(int m, int n, boolean randomFill, Random rnd) {
    int off = rnd.nextInt(4);
    int ldc = n + rnd.nextInt(4);
    float[] d = nanArray(off + m * ldc + 3);
    if (randomFill) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          d[off + i * ldc + j] = rnd.nextFloat() * 2 - 1;
        }
      }
    }
    return new COut(d, off, ldc);
  }

  /** Whether {@code p}'s kernels fuse multiply and add (the SIMD ones do; scalar does not). */
  static boolean fused(VectorProvider p) {
    return !p.name().equals("scalar");
  }

  /**
   * The documented reduction order of one element, in float: k cut into {@code ceil(k/KC)}
   * balanced blocks; each block summed from zero in order of p (fused or multiply-then-add);
   * blocks added in order to C, or the first one stored when overwriting.
   */
  static float exactOrder(StridedMatrix a, StridedMatrix b, int i, int j, int k, float c0,
      boolean overwrite, boolean fused) {
    int blocks = (k + Blocking.KC - 1) / Blocking.KC;
    int q = (k + blocks - 1) / blocks;
    float c = c0;
    for (int p0 = 0; p0 < k; p0 += q) {
      float acc = 0f;
      for (int p = p0; p < Math.min(k, p0 + q); p++) {
        acc = fused ? Math.fma(a.get(i, p), b.get(p, j), acc) : acc + a.get(i, p) * b.get(p, j);
      }
      c = overwrite && p0 == 0 ? acc : c + acc;
    }
    return c;
  }

  /**
   * Checks {@code got} against {@code before + A*B} (or {@code A*B} when {@code overwrite}):
   * bitwise against the documented order ({@link #exactOrder}), within a rigorous bound of a
   * double reference, and that nothing outside the m x n window changed.
   *
   * <p>Tolerance: a float dot product of length k, summed in any fixed order with or without
   * fma, is within {@code gamma_k * sum|a||b|} of the exact value, {@code gamma_k = k*u / (1 -
   * k*u)}, {@code u = 2^-24} (Higham, Accuracy and Stability of Numerical Algorithms, 3.1).
   * Cutting k into blocks adds one rounding per block boundary and accumulating into C one
   * more, so no element path has more than k + 2 roundings: {@code gamma_(k+2) * (|c0| +
   * sum|a||b|)}. The bound is rigorous (the double reference adds ~1e-16 relative), so a pass is
   * never luck; a wrong or missing term is off by about {@code 1/k} of the sum, far above it.
   */
  static void assertProduct(String what, int m, int n, int k, StridedMatrix a, StridedMatrix b,
      float[] before, COut got, boolean overwrite, boolean fused) {
    double u = 0x1p-24;
    double gamma = (k + 2) * u / (1 - (k + 2) * u);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        int at = got.off() + i * got.ldc() + j;
        double c0 = overwrite ? 0 : before[at];
        double sum = c0;
        double abs = Math.abs(c0);
        for (int p = 0; p < k; p++) {
          double x = (double) a.get(i, p) * b.get(p, j);
          sum += x;
          abs += Math.abs(x);
        }
        float v = got.data()[at];
        if (!(Math.abs(v - sum) <= gamma * abs)) {
          fail(what + ": C[" + i + "][" + j + "] = " + v + ", expected " + sum + " +- "
              + gamma * abs);
        }
        float exact = exactOrder(a, b, i, j, k, before[at], overwrite, fused);
        if (Float.floatToRawIntBits(v) != Float.floatToRawIntBits(exact)) {
          fail(what + ": C[" + i + "][" + j + "] = " + v + ", the documented order gives "
              + exact);
        }
      }
    }
    for (int at = 0; at < before.length; at++) {
      int rel = at - got.off();
      boolean inside = rel >= 0 && rel / got.ldc() < m && rel % got.ldc() < n;
      if (!inside && Float.floatToRawIntBits(before[at])
          != Float.floatToRawIntBits(got.data()[at])) {
        fail(what + ": wrote outside C at " + at);
      }
    }
  }

  /** Bitwise equality of two float arrays. */
  static void assertBitwise(String what, float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        fail(what + ": differs at " + i + ": " + expected[i] + " vs " + actual[i]);
      }
    }
  }
}
