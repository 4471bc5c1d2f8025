package org.vconv.gemm;

/**
 * A batch of channel-major images, {@code [images][..., channels, ...][pixels]} (NCHW with
 * {@code pixels = H*W}), as the transposed B of a GEMM whose columns span the batch: a
 * {@link PackSource} of {@code N*pixels} rows (every image's pixels in turn) by channels
 * (depth); element (row {@code j}, channel {@code c}) is
 * {@code data[offset + (j / pixels) * imageStride + c * pixels + j % pixels]}.
 */
public record BatchedPlanes(float[] data, int offset, int imageStride, int pixels)
    implements PackSource {

  @Override
  public void pack(int row0, int rows, int k0, int kc, int width, float[] dst, int off) {
    int panels = (rows + width - 1) / width;
    for (int t = 0; t < panels; t++) {
      int base = off + t * width * kc;
      int first = row0 + t * width;
      int live = Math.min(width, rows - t * width);
      for (int kk = 0; kk < kc; kk++) {
        int d = base + kk * width;
        int plane = offset + (k0 + kk) * pixels;
        for (int i = 0; i < live; ) { // a channel's pixels are contiguous within an image
          int j = first + i;
          int run = Math.min(live - i, pixels - j % pixels);
          System.arraycopy(data, plane + j / pixels * imageStride + j % pixels, dst, d + i, run);
          i += run;
        }
        for (int i = live; i < width; i++) {
          dst[d + i] = 0f;
        }
      }
    }
  }
}
