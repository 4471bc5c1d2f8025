package org.vconv.simd;

/** Plain-loop {@link ArrayKernels}. */
final class ScalarArrayKernels implements ArrayKernels {

  @Override
  public void addInto(float[] src, int sOff, float[] dst, int dOff, int len) {
    for (int i = 0; i < len; i++) {
      dst[dOff + i] += src[sOff + i];
    }
  }
}
