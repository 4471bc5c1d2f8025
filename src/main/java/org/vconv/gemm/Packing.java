package org.vconv.gemm;

import java.util.Arrays;
import org.vconv.simd.GemmKernels;

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
      int off, GemmKernels kernels) {
    assert rows >= 1 && kc >= 1 && width >= 1 && row0 >= 0 && k0 >= 0 && off >= 0;
    assert off + (long) (rows + width - 1) / width * width * kc <= dst.length;
    if (src instanceof StridedMatrix s) {
      if (s.rowStride() == 1) {
        packAdjacentRows(s, row0, rows, k0, kc, width, dst, off);
        return;
      }
      if (s.colStride() == 1) {
        packAdjacentDepth(s, row0, rows, k0, kc, width, dst, off, kernels);
        return;
      }
    }
    src.pack(row0, rows, k0, kc, width, dst, off);
  }

  /**
   * Row stride 1 (B row-major seen as {@code n x k}, or A column-major): the {@code width}
   * values of one depth step are adjacent in the source. Depth steps are the outer loop, so the
   * source is read row by row in address order (prefetch- and TLB-friendly: one B row per step
   * instead of one page per step), scattered into the panels (which stay in L2).
   */
  static void packAdjacentRows(StridedMatrix s, int row0, int rows, int k0, int kc, int width,
      float[] dst, int off) {
    float[] data = s.data();
    int cs = s.colStride();
    int full = rows / width;
    int live = rows - full * width;
    int panel = width * kc;
    for (int kk = 0; kk < kc; kk++) {
      int src = s.offset() + row0 + (k0 + kk) * cs;
      int d = off + kk * width;
      for (int t = 0; t < full; t++, src += width, d += panel) {
        System.arraycopy(data, src, dst, d, width);
      }
      if (live > 0) { // the last panel: live values, then zeros
        System.arraycopy(data, src, dst, d, live);
        Arrays.fill(dst, d + live, d + width, 0f);
      }
    }
  }

  /**
   * Column stride 1 (A row-major, or B column-major seen as {@code n x k}): every row is
   * contiguous along the depth, so each panel is a transpose. The kernels' vector transpose
   * packs it where they have one faster than a copy ({@link GemmKernels#packAdjacentDepth};
   * rows in address order only), else {@link #copyRows}; padding rows get zeros.
   */
  private static void packAdjacentDepth(StridedMatrix s, int row0, int rows, int k0, int kc,
      int width, float[] dst, int off, GemmKernels kernels) {
    float[] data = s.data();
    int rs = s.rowStride();
    for (int t = 0, r = 0; r < rows; t++, r += width) {
      int live = Math.min(width, rows - r);
      int base = off + t * width * kc;
      int from = s.offset() + (row0 + r) * rs + k0;
      if (rs <= 0 || !kernels.packAdjacentDepth(data, from, rs, live, kc, dst, base, width)) {
        copyRows(data, from, rs, live, kc, dst, base, width);
      }
      if (live < width) { // zero rows past the end
        for (int kk = 0, d = base; kk < kc; kk++, d += width) {
          Arrays.fill(dst, d + live, d + width, 0f);
        }
      }
    }
  }

  /**
   * One panel's {@code live} rows, {@code data[from + i*rs + kk]} into
   * {@code dst[base + kk*width + i]}. Four rows are read side by side (four sequential
   * streams) and written as four adjacent floats per step; leftover rows go one by one. Four
   * at a time turns the strided writes of row by row (one float per panel row) into runs of
   * four, and it fits any width.
   */
  private static void copyRows(float[] data, int from, int rs, int live, int kc, float[] dst,
      int base, int width) {
    int i = 0;
    for (; i + 4 <= live; i += 4) {
      int s0 = from + i * rs;
      int s1 = s0 + rs;
      int s2 = s1 + rs;
      int s3 = s2 + rs;
      for (int kk = 0, d = base + i; kk < kc; kk++, d += width) {
        dst[d] = data[s0 + kk];
        dst[d + 1] = data[s1 + kk];
        dst[d + 2] = data[s2 + kk];
        dst[d + 3] = data[s3 + kk];
      }
    }
    for (; i < live; i++) {
      int s0 = from + i * rs;
      for (int kk = 0, d = base + i; kk < kc; kk++, d += width) {
        dst[d] = data[s0 + kk];
      }
    }
  }
}
