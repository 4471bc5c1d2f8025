package org.vconv.gemm;

/**
 * A read-only view of a matrix inside a float array: element (i, j) is
 * {@code data[offset + i * rowStride + j * colStride]}. Transposing is swapping the strides,
 * so one GEMM serves every operand orientation the convolution passes need (BLIS's general
 * stride).
 *
 * <p>As a {@link PackSource} the view is {@code rows x depth}: pass A as is and B as
 * {@code b.transpose()}.
 */
public record StridedMatrix(float[] data, int offset, int rowStride, int colStride)
    implements PackSource {

  /** A row-major matrix with leading dimension {@code ld}. */
  public static StridedMatrix rowMajor(float[] data, int offset, int ld) {
    return new StridedMatrix(data, offset, ld, 1);
  }

  /** The transpose of this view (no copy). */
  public StridedMatrix transpose() {
    return new StridedMatrix(data, offset, colStride, rowStride);
  }

  public float get(int i, int j) {
    return data[offset + i * rowStride + j * colStride];
  }

  @Override
  public void pack(int row0, int rows, int k0, int kc, int width, float[] dst, int off) {
    int panels = (rows + width - 1) / width;
    for (int t = 0; t < panels; t++) {
      int base = off + t * width * kc;
      int live = Math.min(width, rows - t * width);
      for (int kk = 0; kk < kc; kk++) {
        int src = offset + (row0 + t * width) * rowStride + (k0 + kk) * colStride;
        int d = base + kk * width;
        for (int i = 0; i < live; i++) {
          dst[d + i] = data[src + i * rowStride];
        }
        for (int i = live; i < width; i++) {
          dst[d + i] = 0f;
        }
      }
    }
  }
}
