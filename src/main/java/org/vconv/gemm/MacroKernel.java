package org.vconv.gemm;

import org.vconv.simd.GemmKernels;

/**
 * The BLIS macro-kernel: one packed A block ({@code mc x kc}) times one packed B block
 * ({@code kc x nc}) into C, looping over B micro-panels (NR columns) outside and A
 * micro-panels (MR rows) inside, so a B micro-panel stays in L1 while the A block streams
 * from L2.
 *
 * <p>Edge tiles (fewer than MR rows or NR columns of C left) are computed into a scratch tile
 * and then copied or added into the valid part of C, so the micro-kernel never needs a mask
 * and never writes outside C. The arithmetic is the same as for a full tile: tile values are
 * the kernel's accumulators, and adding them is the same single addition.
 */
final class MacroKernel {
  private MacroKernel() {}

  /**
   * {@code C[0..mc, 0..nc) (=|+=) Ap * Bp}, Ap at {@code ap[aOff]}, Bp at {@code bp[bOff]}, C at
   * {@code c[cOff]} with row stride {@code ldc}.
   * {@code overwrite}: store the product (C is never read); otherwise add it to C.
   * {@code tile} holds at least {@code mr * nr} floats.
   */
  static void run(GemmKernels kernels, int mc, int nc, int kc, float[] ap, int aOff, float[] bp,
      int bOff, float[] c, int cOff, int ldc, boolean overwrite, float[] tile) {
    int mr = kernels.mr();
    int nr = kernels.nr();
    assert mc >= 1 && nc >= 1 && kc >= 1 && tile.length >= mr * nr;
    for (int jr = 0; jr < nc; jr += nr) {
      int cols = Math.min(nr, nc - jr);
      int bt = bOff + jr * kc; // panel jr/nr starts at (jr/nr) * nr * kc
      for (int ir = 0; ir < mc; ir += mr) {
        int rows = Math.min(mr, mc - ir);
        int at = aOff + ir * kc; // panel ir/mr starts at (ir/mr) * mr * kc
        int ct = cOff + ir * ldc + jr;
        if (rows == mr && cols == nr) {
          if (overwrite) {
            kernels.multiplyTile(kc, ap, at, bp, bt, c, ct, ldc);
          } else {
            kernels.multiplyAddTile(kc, ap, at, bp, bt, c, ct, ldc);
          }
        } else {
          kernels.multiplyTile(kc, ap, at, bp, bt, tile, 0, nr);
          storeEdge(tile, nr, rows, cols, c, ct, ldc, overwrite);
        }
      }
    }
  }

  /** Copies ({@code overwrite}) or adds the valid {@code rows x cols} corner of the tile. */
  private static void storeEdge(float[] tile, int nr, int rows, int cols, float[] c, int ct,
      int ldc, boolean overwrite) {
    for (int i = 0; i < rows; i++) {
      int t = i * nr;
      int d = ct + i * ldc;
      if (overwrite) {
        System.arraycopy(tile, t, c, d, cols);
      } else {
        for (int j = 0; j < cols; j++) {
          c[d + j] += tile[t + j];
        }
      }
    }
  }
}
