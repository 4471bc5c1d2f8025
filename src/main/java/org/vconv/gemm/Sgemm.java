package org.vconv.gemm;

import org.vconv.plan.ExecContext;

/**
 * Single-precision GEMM on strided operands, C row-major with leading dimension {@code ldc}.
 * {@code multiply} overwrites C; {@code multiplyAdd} accumulates into it.
 *
 * <p>PLACEHOLDER: naive loops; the packed BLIS-layered engine replaces the bodies.
 */
public final class Sgemm {
  private Sgemm() {}

  /** {@code C = A * B} with A {@code m x k}, B {@code k x n}. */
  public static void multiply(int m, int n, int k, StridedMatrix a, StridedMatrix b,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    for (int i = 0; i < m; i++) {
      java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
    }
    multiplyAdd(m, n, k, a, b, c, cOff, ldc, ctx);
  }

  /** {@code C += A * B} with A {@code m x k}, B {@code k x n}. */
  public static void multiplyAdd(int m, int n, int k, StridedMatrix a, StridedMatrix b,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        float aip = a.get(i, p);
        for (int j = 0; j < n; j++) {
          c[cOff + i * ldc + j] += aip * b.get(p, j);
        }
      }
    }
  }
}
