package org.vconv.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The layer kernels of the loaded provider against their definitions, bit for bit, at every
 * length around two vector widths, with NaN, infinities and signed zeros among the values;
 * repeated until C2 has compiled the SIMD bodies.
 */
class LayerKernelsTest {
  private static final float[] SPECIAL = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE};

  private static float[] values(Random rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rnd.nextInt(4) == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)]
          : (float) rnd.nextGaussian();
    }
    return a;
  }

  @Test
  void reluAndItsGradientMatchTheDefinitionOnTheLoadedProvider() {
    LayerKernels k = VectorProviders.get().layers();
    Random rnd = new Random(8);
    int checked = 0;
    for (int round = 0; round < 400; round++) {
      for (int len = 0; len <= 40; len++) {
        float[] x = values(rnd, len + 3);
        float[] dy = values(rnd, len + 3);
        float[] y = new float[len + 3];
        y[len] = 7f; // past the range: must stay
        k.reluInto(x, y, len);
        float[] dx = new float[len + 3];
        dx[len] = 7f;
        k.reluGradientInto(y, dy, dx, len);
        if (round % 100 == 99) {
          for (int i = 0; i < len; i++) {
            float want = x[i] < 0f ? 0f : x[i];
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(y[i]),
                "relu len " + len + " i " + i + " x " + x[i]);
            float g = y[i] > 0f ? dy[i] : 0f;
            assertEquals(Float.floatToRawIntBits(g), Float.floatToRawIntBits(dx[i]),
                "grad len " + len + " i " + i);
          }
          assertEquals(7f, y[len]);
          assertEquals(7f, dx[len]);
          checked++;
        }
      }
    }
    assertEquals(4 * 41, checked);
  }
}
