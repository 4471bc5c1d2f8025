package org.vconv.gemm;

import org.vconv.simd.GemmKernels;

/**
 * {@code C = A * Bt^T} one block of rows at a time, each handed to a {@link Sink} while it is
 * still in cache: the input gradient's col2im reads its column matrix that way (scattered from
 * L2 instead of L3). A is packed once for many calls ({@link #packA}); each call packs all of
 * B once, then per block of rows runs the macro-kernel over every column and depth block into
 * one block-sized C. One thread; the caller parallelizes across calls.
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
      Packing.pack(a, row0, rows, pc, kc, kernels.mr(), dst, off + pc * mPad + row0 * kc);
    }
  }

  /** Floats of {@link #multiply}'s buffer: all of B packed and one block of C. */
  public static long bufferFloats(int m, int n, int k, int rowBlock, GemmKernels kernels) {
    return (long) padded(n, kernels.nr()) * k + (long) Math.min(m, rowBlock) * n;
  }

  /**
   * {@code C = A * Bt^T} with A ({@code m x k}) packed by {@link #packA} at {@code ap[apOff]}
   * and Bt {@code n x k}, in blocks of {@code rowBlock} rows (a multiple of MR), each passed
   * to {@code sink} in order; {@code buf[bufOff...]} holds {@link #bufferFloats}.
   */
  public static void multiply(int m, int n, int k, float[] ap, int apOff, PackSource bt,
      int rowBlock, float[] buf, int bufOff, Sink sink, GemmKernels kernels) {
    int mr = kernels.mr();
    int nr = kernels.nr();
    assert m >= 1 && n >= 1 && k >= 1 && rowBlock >= mr && rowBlock % mr == 0;
    assert bufOff >= 0 && bufOff + bufferFloats(m, n, k, rowBlock, kernels) <= buf.length;
    Blocking bl = blocking(kernels);
    int mPad = padded(m, mr);
    int nPad = padded(n, nr);
    int kcMax = bl.depthBlockSize(k);
    int cAt = bufOff + nPad * k;
    float[] tile = new float[mr * nr];
    for (int pc = 0; pc < k; pc += kcMax) { // B's depth block pc at pc * nPad
      Packing.pack(bt, 0, n, pc, Math.min(kcMax, k - pc), nr, buf, bufOff + pc * nPad);
    }
    for (int i0 = 0; i0 < m; i0 += rowBlock) {
      int mc = Math.min(rowBlock, m - i0);
      for (int pc = 0; pc < k; pc += kcMax) { // depth blocks in order: Sgemm's sums
        int kc = Math.min(kcMax, k - pc);
        MacroKernel.run(kernels, mc, n, kc, ap, apOff + pc * mPad + i0 * kc, buf,
            bufOff + pc * nPad, buf, cAt, n, pc == 0, tile);
      }
      sink.rows(i0, i0 + mc, buf, cAt);
    }
  }
}
