package org.vconv.gemm;

import java.util.Arrays;

/**
 * Packs GEMM operands into BLIS micro-panels (layout in {@link PackSource}). A
 * {@link StridedMatrix} with a unit stride takes a fast path; anything else packs itself.
 * {@link StridedMatrix#pack} stays the generic reference the fast paths are tested against.
 * Packing only copies, so which path ran never changes a result.
 */
final class Packing {
  private Packing() {}

  /** Packs rows {@code [row0, row0+rows)} x depth {@code [k0, k0+kc)} of {@code src}. */
  static void pack(PackSource src, int row0, int rows, int k0, int kc, int width, float[] dst,
      int off) {
    assert rows >= 1 && kc >= 1 && width >= 1 && row0 >= 0 && k0 >= 0 && off >= 0;
    assert off + (long) (rows + width - 1) / width * width * kc <= dst.length;
    if (src instanceof StridedMatrix s) {
      if (s.rowStride() == 1) {
        packAdjacentRows(s, row0, rows, k0, kc, width, dst, off);
        return;
      }
      if (s.colStride() == 1) {
        packAdjacentDepth(s, row0, rows, k0, kc, width, dst, off);
        return;
      }
    }
    src.pack(row0, rows, k0, kc, width, dst, off);
  }

  /**
   * Row stride 1 (B row-major seen as {@code n x k}, or A column-major): the {@code width}
   * values of one depth step are adjacent in the source, so each step is one copy.
   */
  static void packAdjacentRows(StridedMatrix s, int row0, int rows, int k0, int kc, int width,
      float[] dst, int off) {
    float[] data = s.data();
    int cs = s.colStride();
    for (int t = 0, r = 0; r < rows; t++, r += width) {
      int live = Math.min(width, rows - r);
      int src = s.offset() + (row0 + r) + k0 * cs;
      int d = off + t * width * kc;
      for (int kk = 0; kk < kc; kk++, src += cs, d += width) {
        System.arraycopy(data, src, dst, d, live);
        if (live < width) {
          Arrays.fill(dst, d + live, d + width, 0f);
        }
      }
    }
  }

  /**
   * Column stride 1 (A row-major, or B column-major seen as {@code n x k}): every row is
   * contiguous along the depth, so read each row in order and write it with stride
   * {@code width} into its slot of the panel (which stays in L1).
   */
  static void packAdjacentDepth(StridedMatrix s, int row0, int rows, int k0, int kc, int width,
      float[] dst, int off) {
    float[] data = s.data();
    int rs = s.rowStride();
    for (int t = 0, r = 0; r < rows; t++, r += width) {
      int live = Math.min(width, rows - r);
      int base = off + t * width * kc;
      for (int i = 0; i < live; i++) {
        int src = s.offset() + (row0 + r + i) * rs + k0;
        int d = base + i;
        for (int kk = 0; kk < kc; kk++) {
          dst[d + kk * width] = data[src + kk];
        }
      }
      for (int i = live; i < width; i++) { // zero rows past the end
        int d = base + i;
        for (int kk = 0; kk < kc; kk++) {
          dst[d + kk * width] = 0f;
        }
      }
    }
  }
}
