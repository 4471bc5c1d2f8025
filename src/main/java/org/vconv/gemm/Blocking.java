package org.vconv.gemm;

import org.vconv.simd.GemmKernels;

/**
 * BLIS cache blocking of one GEMM call (see {@code flame/blis} docs/KernelsHowTo.md).
 *
 * <ul>
 *   <li>{@code mr x nr}: the micro-tile, from the kernels (sized to the register file).
 *   <li>{@code kc}: depth of a packed block. It is also where the reduction over k is cut, so
 *       it is a constant: never derived from the thread count or the workspace budget.
 *   <li>{@code mc}: rows of a packed A block ({@code mc x kc}), meant to stay in L2 while the
 *       B micro-panels stream through L1.
 *   <li>{@code nc}: columns of a packed B block ({@code kc x nc}).
 * </ul>
 * {@code mc} and {@code nc} only change which packed block a tile comes from, never the
 * arithmetic, so they shrink freely to fit a small workspace budget.
 */
record Blocking(int mr, int nr, int kc, int mc, int nc) {

  /** Depth of a packed block: a 512-bit B micro-panel (256 x 32 floats, 32 KiB) stays in L1. */
  static final int KC = 256;
  /** An A block of 256 x 256 floats is 256 KiB: a small part of a 2 MiB L2. */
  static final int MC = 256;
  /**
   * A B block of 256 x 512 floats is 512 KiB: it stays in L2 next to the A block and the C
   * block it updates, where a wider block would crowd them out of L2. A is packed once for all
   * column blocks when n > NC (see Sgemm).
   */
  static final int NC = 512;

  Blocking {
    assert mr >= 1 && nr >= 1 && kc >= 1 && mc % mr == 0 && nc % nr == 0 && mc > 0 && nc > 0;
  }

  /** The blocking for {@code kernels} within {@code budgetFloats} of workspace per worker. */
  static Blocking of(GemmKernels kernels, long budgetFloats) {
    int mr = kernels.mr();
    int nr = kernels.nr();
    int mc = Math.max(mr, MC / mr * mr);
    int nc = Math.max(nr, NC / nr * nr);
    // shrink the B block first (it is the larger), then the A block; stop at one panel each
    while (floats(mr, nr, KC, mc, nc) > budgetFloats && nc > nr) {
      nc = Math.max(nr, nc / 2 / nr * nr);
    }
    while (floats(mr, nr, KC, mc, nc) > budgetFloats && mc > mr) {
      mc = Math.max(mr, mc / 2 / mr * mr);
    }
    return new Blocking(mr, nr, KC, mc, nc);
  }

  /** Floats of workspace one worker uses at most: an A block, a B block and an edge tile. */
  long workspaceFloats() {
    return floats(mr, nr, kc, mc, nc);
  }

  private static long floats(int mr, int nr, int kc, int mc, int nc) {
    return (long) mc * kc + (long) kc * nc + (long) mr * nr;
  }

  /**
   * How many depth blocks a reduction of length {@code k} is cut into: {@code ceil(k / kc)}.
   * The blocks are balanced (see {@link #depthBlockSize}) so the last one is not a sliver.
   */
  int depthBlocks(int k) {
    return Math.max(1, (k + kc - 1) / kc);
  }

  /** The size of every depth block but possibly the last: {@code ceil(k / depthBlocks(k))}. */
  int depthBlockSize(int k) {
    int blocks = depthBlocks(k);
    return (k + blocks - 1) / blocks;
  }

  /** Splits {@code len} into {@code ceil(len / max)} near-equal parts, rounded up to a unit. */
  static int balanced(int len, int max, int unit) {
    int parts = (len + max - 1) / max;
    int part = (len + parts - 1) / parts;
    return Math.min(max, (part + unit - 1) / unit * unit);
  }
}
