package org.vconv.algo;

import java.util.Arrays;
import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.ArrayKernels;

/**
 * Depthwise convolution ({@code C/G = K/G = 1}) in NHWC, vectorized over channels: a pixel's
 * channels are contiguous, and so are a tap's weights (HWIO), so every pass is a list of
 * (weight or pixel, pixel) offset pairs whose element-wise products {@link
 * ArrayKernels#tapProducts} sums over the channels in registers. Taps that fall on padding
 * are left out of the lists, which makes any stride, dilation and padding the same loop.
 *
 * <ul>
 *   <li>forward: per output row; each pixel starts from its bias and adds its valid taps.
 *   <li>input gradient: per input row, in gather form; each pixel adds the taps whose
 *       output lies on the stride grid.
 *   <li>weight gradient: per block of channels; for each tap, each output row adds its valid
 *       pixels, rows in order, so every weight is one fixed-order sum whatever the threads.
 * </ul>
 *
 * No scratch beyond two small offset lists per task.
 */
final class DepthwiseNhwc {
  private DepthwiseNhwc() {}

  /** Channels per weight-gradient task: four AVX-512 vectors, four independent sums. */
  private static final int CHANNEL_BLOCK = 64;

  static boolean applies(ConvGeometry g) {
    return g.layout() == Layout.NHWC && g.cg() == 1 && g.kg() == 1;
  }

  static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert applies(g);
    ArrayKernels ak = ctx.kernels().arrays();
    int c = g.c();
    try (Workspace unused = Workspace.none()) {
      ctx.parallelFor(g.n() * g.p(), row -> {
        int n = row / g.p();
        int p = row % g.p();
        int[] wOff = new int[g.r() * g.s()];
        int[] xOff = new int[g.r() * g.s()];
        for (int q = 0; q < g.q(); q++) {
          int yPix = g.yIndex(n, 0, p, q);
          if (bias == null) {
            Arrays.fill(y, yPix, yPix + c, 0f);
          } else {
            System.arraycopy(bias, 0, y, yPix, c);
          }
          int taps = 0;
          for (int r = 0; r < g.r(); r++) {
            int ih = p * g.strideH() - g.padTop() + r * g.dilH();
            if (ih < 0 || ih >= g.h()) {
              continue;
            }
            for (int s = 0; s < g.s(); s++) {
              int iw = q * g.strideW() - g.padLeft() + s * g.dilW();
              if (iw >= 0 && iw < g.w()) {
                wOff[taps] = g.wIndex(0, 0, r, s);
                xOff[taps++] = g.xIndex(n, 0, ih, iw);
              }
            }
          }
          ak.tapProducts(w, wOff, x, xOff, taps, y, yPix, c);
        }
      });
    }
  }

  static void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert applies(g);
    ArrayKernels ak = ctx.kernels().arrays();
    int c = g.c();
    try (Workspace unused = Workspace.none()) {
      ctx.parallelFor(g.n() * g.h(), row -> {
        int n = row / g.h();
        int ih = row % g.h();
        int[] wOff = new int[g.r() * g.s()];
        int[] dyOff = new int[g.r() * g.s()];
        for (int iw = 0; iw < g.w(); iw++) {
          int xPix = g.xIndex(n, 0, ih, iw);
          Arrays.fill(dx, xPix, xPix + c, 0f);
          int taps = 0;
          for (int r = 0; r < g.r(); r++) {
            int ph = ih + g.padTop() - r * g.dilH(); // = p * strideH when the tap reaches ih
            if (ph < 0 || ph % g.strideH() != 0 || ph / g.strideH() >= g.p()) {
              continue;
            }
            for (int s = 0; s < g.s(); s++) {
              int pw = iw + g.padLeft() - s * g.dilW();
              if (pw >= 0 && pw % g.strideW() == 0 && pw / g.strideW() < g.q()) {
                wOff[taps] = g.wIndex(0, 0, r, s);
                dyOff[taps++] = g.yIndex(n, 0, ph / g.strideH(), pw / g.strideW());
              }
            }
          }
          ak.tapProducts(w, wOff, dy, dyOff, taps, dx, xPix, c);
        }
      });
    }
  }

  static void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert applies(g);
    ArrayKernels ak = ctx.kernels().arrays();
    int blocks = (g.c() + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK;
    try (Workspace unused = Workspace.none()) {
      // all taps in one task: the rows of dy and x are read from memory once, then from cache
      ctx.parallelFor(blocks, block -> {
        int c0 = block * CHANNEL_BLOCK;
        int len = Math.min(CHANNEL_BLOCK, g.c() - c0);
        for (int tap = 0; tap < g.r() * g.s(); tap++) {
          int out = g.wIndex(c0, 0, tap / g.s(), tap % g.s());
          Arrays.fill(dw, out, out + len, 0f);
        }
        int[] dyOff = new int[g.q()];
        int[] xOff = new int[g.q()];
        for (int n = 0; n < g.n(); n++) {
          for (int p = 0; p < g.p(); p++) {
            for (int r = 0; r < g.r(); r++) {
              int ih = p * g.strideH() - g.padTop() + r * g.dilH();
              if (ih < 0 || ih >= g.h()) {
                continue;
              }
              for (int s = 0; s < g.s(); s++) {
                int pixels = 0;
                for (int q = 0; q < g.q(); q++) {
                  int iw = q * g.strideW() - g.padLeft() + s * g.dilW();
                  if (iw >= 0 && iw < g.w()) {
                    dyOff[pixels] = g.yIndex(n, c0, p, q);
                    xOff[pixels++] = g.xIndex(n, c0, ih, iw);
                  }
                }
                ak.tapProducts(dy, dyOff, x, xOff, pixels, dw, g.wIndex(c0, 0, r, s), len);
              }
            }
          }
        }
      });
    }
  }
}
