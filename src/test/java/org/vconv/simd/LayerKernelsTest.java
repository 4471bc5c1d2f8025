package org.vconv.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
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

  /**
   * 2x2 pooling of 1..3 rows of 0..40 outputs (every chunk and tail at 4, 8 and 16 lanes) in
   * rows of even and odd width, at offsets, on both providers: the maximum (Math.max: NaN wins,
   * +0 over -0; a NaN of any of the window's payloads) and the first of a, b, c, d with its
   * bits, bit for bit; ties are made common by drawing from few values. Arrays end at the last
   * element read, so a lane past them throws, and the outputs after the rows keep their values.
   */
  @Test
  void maxPoolRowsMatchTheDefinitionOnBothProviders() {
    float[] few = {1f, 2f, -0f, 0f, Float.NaN, Float.intBitsToFloat(0x7fc00001),
        Float.NEGATIVE_INFINITY};
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      LayerKernels k = vp.layers();
      Random rnd = new Random(9);
      for (int round = 0; round < 300; round++) {
        for (int q = 0; q <= 40; q++) {
          int w = 2 * q + (round % 2);
          int rows = 1 + round % 3;
          int r0 = rnd.nextInt(3);
          float[] x = new float[r0 + 2 * (rows - 1) * w + w + 2 * q];
          for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextBoolean() ? few[rnd.nextInt(few.length)] : (float) rnd.nextGaussian();
          }
          int o = rnd.nextInt(3);
          int end = o + rows * q;
          float[] y = new float[end + 1];
          int[] idx = new int[end + 1];
          y[end] = 7f;
          idx[end] = -7;
          int at = rnd.nextInt(100);
          k.maxPool2x2Rows(x, r0, w, y, idx, o, q, at, rows);
          if (round % 100 < 97 && round > 2) {
            continue;
          }
          for (int r = 0; r < rows; r++) {
            for (int j = 0; j < q; j++) {
              int i = r0 + 2 * r * w + 2 * j;
              int out = o + r * q + j;
              float[] win = {x[i], x[i + 1], x[i + w], x[i + w + 1]};
              int[] off = {0, 1, w, w + 1};
              float m = Math.max(Math.max(win[0], win[1]), Math.max(win[2], win[3]));
              if (Float.isNaN(m) && Float.isNaN(y[out])) {
                m = y[out]; // a NaN of any of the window's payloads: the index follows it
              }
              int first = 3;
              for (int t = 2; t >= 0; t--) {
                if (Float.floatToRawIntBits(win[t]) == Float.floatToRawIntBits(m)) {
                  first = t;
                }
              }
              String what = vp.name() + " q " + q + " w " + w + " row " + r + " j " + j;
              assertEquals(Float.floatToRawIntBits(m), Float.floatToRawIntBits(y[out]), what);
              assertEquals(at + 2 * r * w + 2 * j + off[first], idx[out], what);
            }
          }
          assertEquals(7f, y[end]);
          assertEquals(-7, idx[end]);
          checked++;
        }
      }
    }
    assertEquals(2 * 12 * 41, checked); // rounds 0..2 and the last 3 of each 100
  }
}
