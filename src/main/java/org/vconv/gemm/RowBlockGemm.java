package org.vconv.gemm;

import org.vconv.simd.GemmKernels;

/**
 * {@code C = A * Bt^T} one block of rows at a time, each handed to a {@link Sink} while it is
 * still in cache: the input gradient's col2im reads its column matrix that way (scattered from
 * L2 instead of L3). A is packed once for many calls ({@link #packA}); each call packs all of
 * B once, then per block of rows runs the macro-kernel over every column and depth block into
 * one block-sized C, on one thread. For several threads a caller packs B once
 * ({@link #packB}) and hands out blocks of rows ({@link #multiplyRows}), which are
 * independent.
 *
 * <p>The sums are {@link Sgemm}'s: the same balanced depth blocks of {@link Blocking#KC}, each
 * accumulated from zero by the micro-kernel and stored (first) or added, so every element of C
 * is bitwise what {@code Sgemm.multiply} gives.
 */
public final class RowBlockGemm {
  private RowBlockGemm() {}

  /** Takes rows {@code [i0, i1)} of C, row {@code i} at {@code c[cOff + (i - i0) * n]}. */
  @FunctionalInterface
  public interface Sink {
    void rows(int i0, int i1, float[] c, int cOff);
  }

  private static Blocking blocking(GemmKernels kernels) {
    return Blocking.of(kernels, Long.MAX_VALUE); // depth blocks depend on k alone
  }

  private static int padded(int len, int unit) {
    return Math.ceilDiv(len, unit) * unit;
  }

  /** Floats of an {@code m x k} A packed by {@link #packA}. */
  public static long packedAFloats(int m, int k, GemmKernels kernels) {
    return (long) padded(m, kernels.mr()) * k;
  }

  /**
   * Packs rows {@code [row0, row0 + rows)} of A ({@code m x k}, rows a multiple of MR apart
   * from 0 unless they end at m) into {@code dst[off...]}: depth block {@code pc} at
   * {@code pc * mPad}, its rows from {@code row0 * kc}. Disjoint row ranges may be packed from
   * several threads.
   */
  public static void packA(int m, int k, PackSource a, int row0, int rows, GemmKernels kernels,
      float[] dst, int off) {
    assert row0 % kernels.mr() == 0 && row0 + rows <= m && rows >= 1;
    assert off + packedAFloats(m, k, kernels) <= dst.length;
    Blocking bl = blocking(kernels);
    int mPad = padded(m, kernels.mr());
    int kcMax = bl.depthBlockSize(k);
    for (int pc = 0; pc < k; pc += kcMax) {
      int kc = Math.min(kcMax, k - pc);
      Packing.pack(a, row0, rows, pc, kc, kernels.mr(), dst, off + pc * mPad + row0 * kc,
          kernels);
    }
  }

  /** Floats of {@link #multiply}'s buffer: all of B packed and one block of C. */
  public static long bufferFloats(int m, int n, int k, int rowBlock, GemmKernels kernels) {
    return packedBFloats(n, k, kernels) + (long) Math.min(m, rowBlock) * n;
  }

  /** Floats of a Bt ({@code n x k}) packed by {@link #packB}. */
  public static long packedBFloats(int n, int k, GemmKernels kernels) {
    return (long) padded(n, kernels.nr()) * k;
  }

  /** Packs all of Bt ({@code n x k}) into {@code buf[off...]} for {@link #multiplyRows}. */
  public static void packB(int n, int k, PackSource bt, float[] buf, int off,
      GemmKernels kernels) {
    assert n >= 1 && k >= 1 && off >= 0 && off + packedBFloats(n, k, kernels) <= buf.length;
    int nPad = padded(n, kernels.nr());
    int kcMax = blocking(kernels).depthBlockSize(k);
    for (int pc = 0; pc < k; pc += kcMax) { // B's depth block pc at pc * nPad
      Packing.pack(bt, 0, n, pc, Math.min(kcMax, k - pc), kernels.nr(), buf, off + pc * nPad,
          kernels);
    }
  }

  /**
   * Rows {@code [i0, i1)} of {@code C = A * Bt^T} (A packed by {@link #packA} at
   * {@code ap[apOff]}, Bt by {@link #packB} at {@code bp[bpOff]}) into {@code c[cOff...]}, row
   * {@code i} at {@code cOff + (i - i0) * n}; {@code i0} a multiple of MR. Blocks of rows are
   * independent: several threads may compute different ones from the same packed operands.
   */
  public static void multiplyRows(int m, int n, int k, float[] ap, int apOff, float[] bp,
      int bpOff, int i0, int i1, float[] c, int cOff, float[] tile, GemmKernels kernels) {
    int mr = kernels.mr();
    assert 0 <= i0 && i0 < i1 && i1 <= m && i0 % mr == 0 && tile.length >= mr * kernels.nr();
    int mPad = padded(m, mr);
    int nPad = padded(n, kernels.nr());
    int kcMax = blocking(kernels).depthBlockSize(k);
    for (int pc = 0; pc < k; pc += kcMax) { // depth blocks in order: Sgemm's sums
      int kc = Math.min(kcMax, k - pc);
      MacroKernel.run(kernels, i1 - i0, n, kc, ap, apOff + pc * mPad + i0 * kc, bp,
          bpOff + pc * nPad, c, cOff, n, pc == 0, tile);
    }
  }

  /**
   * {@code C = A * Bt^T} with A ({@code m x k}) packed by {@link #packA} at {@code ap[apOff]}
   * and Bt {@code n x k}, in blocks of {@code rowBlock} rows (a multiple of MR), each passed
   * to {@code sink} in order; {@code buf[bufOff...]} holds {@link #bufferFloats}.
   */
  public static void multiply(int m, int n, int k, float[] ap, int apOff, PackSource bt,
      int rowBlock, float[] buf, int bufOff, Sink sink, GemmKernels kernels) {
    int mr = kernels.mr();
    assert m >= 1 && n >= 1 && k >= 1 && rowBlock >= mr && rowBlock % mr == 0;
    assert bufOff >= 0 && bufOff + bufferFloats(m, n, k, rowBlock, kernels) <= buf.length;
    int cAt = Math.toIntExact(bufOff + packedBFloats(n, k, kernels));
    float[] tile = new float[mr * kernels.nr()];
    packB(n, k, bt, buf, bufOff, kernels);
    for (int i0 = 0; i0 < m; i0 += rowBlock) {
      int i1 = Math.min(m, i0 + rowBlock);
      multiplyRows(m, n, k, ap, apOff, buf, bufOff, i0, i1, buf, cAt, tile, kernels);
      sink.rows(i0, i1, buf, cAt);
    }
  }
}
