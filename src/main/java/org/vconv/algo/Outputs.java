package org.vconv.algo;

import java.util.Arrays;
import org.vconv.plan.ConvGeometry;

/** Overwriting initializers of output blocks before a GEMM accumulates into them; size asserts. */
final class Outputs {
  private Outputs() {}

  /**
   * Channel-major block ({@code NCHW}): row {@code k < kCount} of {@code len} floats at
   * {@code off + k * ld} becomes {@code bias[k0 + k]}, or 0 without bias.
   */
  static void fillChannelRows(float[] y, int off, int ld, int kCount, int len, float[] bias,
      int k0) {
    for (int k = 0; k < kCount; k++) {
      int at = off + k * ld;
      Arrays.fill(y, at, at + len, bias == null ? 0f : bias[k0 + k]);
    }
  }

  /**
   * Pixel-major block ({@code NHWC}): pixel {@code i < pixels} at {@code off + i * ld} gets
   * {@code bias[k0 .. k0 + kCount)}, or zeros without bias.
   */
  static void fillPixelRows(float[] y, int off, int ld, int pixels, int kCount, float[] bias,
      int k0) {
    for (int i = 0; i < pixels; i++) {
      int at = off + i * ld;
      if (bias == null) {
        Arrays.fill(y, at, at + kCount, 0f);
      } else {
        System.arraycopy(bias, k0, y, at, kCount);
      }
    }
  }

  /** Whether the arrays have the sizes of input, weight and output (for asserts). */
  static boolean sized(ConvGeometry g, float[] input, float[] weight, float[] output) {
    return input.length == g.inputSize() && weight.length == g.weightSize()
        && output.length == g.outputSize();
  }
}
