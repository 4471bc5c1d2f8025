package org.vconv.gemm;

import org.vconv.plan.ExecContext;

/**
 * Single-precision GEMM, C row-major with leading dimension {@code ldc}. {@code multiply}
 * overwrites C; {@code multiplyAdd} accumulates into it. Operands come either as
 * {@link StridedMatrix} views or as {@link PackSource}s (A as {@code m x k}, B transposed as
 * {@code n x k}).
 *
 * <p>PLACEHOLDER: naive loops; the packed BLIS-layered engine replaces the bodies.
 */
public final class Sgemm {
  private Sgemm() {}

  /** {@code C = A * B} with A {@code m x k}, B {@code k x n}. */
  public static void multiply(int m, int n, int k, StridedMatrix a, StridedMatrix b,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    multiply(m, n, k, (PackSource) a, b.transpose(), c, cOff, ldc, ctx);
  }

  /** {@code C += A * B} with A {@code m x k}, B {@code k x n}. */
  public static void multiplyAdd(int m, int n, int k, StridedMatrix a, StridedMatrix b,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    multiplyAdd(m, n, k, (PackSource) a, b.transpose(), c, cOff, ldc, ctx);
  }

  /** {@code C = A * Bt^T} with A {@code m x k} and Bt {@code n x k}. */
  public static void multiply(int m, int n, int k, PackSource a, PackSource bt,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    for (int i = 0; i < m; i++) {
      java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
    }
    multiplyAdd(m, n, k, a, bt, c, cOff, ldc, ctx);
  }

  /** {@code C += A * Bt^T} with A {@code m x k} and Bt {@code n x k}. */
  public static void multiplyAdd(int m, int n, int k, PackSource a, PackSource bt,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    if (m == 0 || n == 0 || k == 0) {
      return;
    }
    float[] pa = new float[m * k];
    float[] pb = new float[n * k];
    a.pack(0, m, 0, k, 1, pa, 0); // width 1: row i is pa[i*k ... ]
    bt.pack(0, n, 0, k, 1, pb, 0);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float acc = 0f;
        for (int p = 0; p < k; p++) {
          acc += pa[i * k + p] * pb[j * k + p];
        }
        c[cOff + i * ldc + j] += acc;
      }
    }
  }
}
