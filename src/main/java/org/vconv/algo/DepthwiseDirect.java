package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.ArrayKernels;

/**
 * Depthwise convolution ({@code groups == C}, {@code K = m * C}) computed directly. As a GEMM it
 * degenerates to {@code 1 x PQ x RS} products that no packing amortizes; here every inner loop
 * is a contiguous axpy or dot that the array kernels vectorize.
 *
 * <p>NCHW works on one padded input plane at a time, split into {@code strideW} column phases
 * so that for any stride and dilation the taps of one output row are a contiguous run:
 * padded column {@code q*sw + s*dw} is column {@code q + (s*dw)/sw} of phase {@code (s*dw)%sw}.
 * NHWC vectorizes over channels. Every task owns its outputs and sums in a fixed order, so
 * results do not depend on the thread count. Scratch: one padded plane per worker (the
 * minimum tile; a plane larger than the budget is still used).
 */
public final class DepthwiseDirect implements ConvAlgorithm {

  /** True when {@code g} is depthwise (one input channel per group). */
  public static boolean applies(ConvGeometry g) {
    return g.groups() == g.c() && g.cg() == 1;
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert applies(g);
    if (g.layout() == Layout.NCHW) {
      PhasePlane.Shape ps = PhasePlane.Shape.of(g);
      ArrayKernels ak = ctx.kernels().arrays();
      ctx.parallelFor(g.n() * g.c(), t -> {
        int n = t / g.c();
        int c = t % g.c();
        float[] plane = ps.load(x, (n * g.c() + c) * g.hw(), g);
        for (int mi = 0; mi < g.kg(); mi++) {
          int k = c * g.kg() + mi;
          for (int p = 0; p < g.p(); p++) {
            int yRow = ((n * g.k() + k) * g.p() + p) * g.q();
            java.util.Arrays.fill(y, yRow, yRow + g.q(), bias == null ? 0f : bias[k]);
            for (int r = 0; r < g.r(); r++) {
              for (int s = 0; s < g.s(); s++) {
                ak.axpy(w[(k * g.r() + r) * g.s() + s], plane,
                    ps.offset(p * g.strideH() + r * g.dilH(), s * g.dilW()), y, yRow, g.q());
              }
            }
          }
        }
      });
    } else {
      ctx.parallelFor(g.n() * g.p(), t -> forwardRowNhwc(g, x, w, bias, y, t / g.p(),
          t % g.p(), ctx.kernels().arrays()));
    }
  }

  private static void forwardRowNhwc(ConvGeometry g, float[] x, float[] w, float[] bias,
      float[] y, int n, int p, ArrayKernels ak) {
    int k = g.k();
    int m = g.kg();
    for (int q = 0; q < g.q(); q++) {
      int yPix = g.yIndex(n, 0, p, q);
      if (bias == null) {
        java.util.Arrays.fill(y, yPix, yPix + k, 0f);
      } else {
        System.arraycopy(bias, 0, y, yPix, k);
      }
      for (int r = 0; r < g.r(); r++) {
        int ih = p * g.strideH() - g.padTop() + r * g.dilH();
        if (ih < 0 || ih >= g.h()) {
          continue;
        }
        for (int s = 0; s < g.s(); s++) {
          int iw = q * g.strideW() - g.padLeft() + s * g.dilW();
          if (iw < 0 || iw >= g.w()) {
            continue;
          }
          int xPix = g.xIndex(n, 0, ih, iw);
          int wTap = (r * g.s() + s) * k;
          if (m == 1) {
            ak.multiplyAdd(w, wTap, x, xPix, y, yPix, k);
          } else {
            for (int c = 0; c < g.c(); c++) {
              ak.axpy(x[xPix + c], w, wTap + c * m, y, yPix + c * m, m);
            }
          }
        }
      }
    }
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert applies(g);
    if (g.layout() == Layout.NCHW) {
      PhasePlane.Shape ps = PhasePlane.Shape.of(g);
      ArrayKernels ak = ctx.kernels().arrays();
      ctx.parallelFor(g.n() * g.c(), t -> {
        int n = t / g.c();
        int c = t % g.c();
        float[] plane = ps.zeroed();
        // scatter form: each dy row adds into contiguous runs of the phase-split padded plane
        for (int mi = 0; mi < g.kg(); mi++) {
          int k = c * g.kg() + mi;
          for (int p = 0; p < g.p(); p++) {
            int dyRow = ((n * g.k() + k) * g.p() + p) * g.q();
            for (int r = 0; r < g.r(); r++) {
              for (int s = 0; s < g.s(); s++) {
                ak.axpy(w[(k * g.r() + r) * g.s() + s], dy, dyRow, plane,
                    ps.offset(p * g.strideH() + r * g.dilH(), s * g.dilW()), g.q());
              }
            }
          }
        }
        ps.store(plane, dx, (n * g.c() + c) * g.hw(), g);
      });
    } else {
      ctx.parallelFor(g.n(), n -> backwardDataImageNhwc(g, dy, w, dx, n,
          ctx.kernels().arrays()));
    }
  }

  private static void backwardDataImageNhwc(ConvGeometry g, float[] dy, float[] w, float[] dx,
      int n, ArrayKernels ak) {
    int k = g.k();
    int m = g.kg();
    int base = g.xIndex(n, 0, 0, 0);
    java.util.Arrays.fill(dx, base, base + g.hw() * g.c(), 0f);
    for (int p = 0; p < g.p(); p++) {
      for (int q = 0; q < g.q(); q++) {
        int dyPix = g.yIndex(n, 0, p, q);
        for (int r = 0; r < g.r(); r++) {
          int ih = p * g.strideH() - g.padTop() + r * g.dilH();
          if (ih < 0 || ih >= g.h()) {
            continue;
          }
          for (int s = 0; s < g.s(); s++) {
            int iw = q * g.strideW() - g.padLeft() + s * g.dilW();
            if (iw < 0 || iw >= g.w()) {
              continue;
            }
            int xPix = g.xIndex(n, 0, ih, iw);
            int wTap = (r * g.s() + s) * k;
            if (m == 1) {
              ak.multiplyAdd(w, wTap, dy, dyPix, dx, xPix, k);
            } else {
              for (int c = 0; c < g.c(); c++) {
                dx[xPix + c] += ak.dot(w, wTap + c * m, dy, dyPix + c * m, m);
              }
            }
          }
        }
      }
    }
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert applies(g);
    int taps = g.r() * g.s();
    if (g.layout() == Layout.NCHW) {
      PhasePlane.Shape ps = PhasePlane.Shape.of(g);
      ArrayKernels ak = ctx.kernels().arrays();
      // one task per channel: it owns dw of that channel's filters and sums n, p in order
      ctx.parallelFor(g.c(), c -> {
        double[] acc = new double[g.kg() * taps];
        for (int n = 0; n < g.n(); n++) {
          float[] plane = ps.load(x, (n * g.c() + c) * g.hw(), g);
          for (int mi = 0; mi < g.kg(); mi++) {
            int k = c * g.kg() + mi;
            for (int p = 0; p < g.p(); p++) {
              int dyRow = ((n * g.k() + k) * g.p() + p) * g.q();
              for (int r = 0; r < g.r(); r++) {
                for (int s = 0; s < g.s(); s++) {
                  acc[mi * taps + r * g.s() + s] += ak.dot(dy, dyRow, plane,
                      ps.offset(p * g.strideH() + r * g.dilH(), s * g.dilW()), g.q());
                }
              }
            }
          }
        }
        for (int i = 0; i < acc.length; i++) {
          dw[c * g.kg() * taps + i] = (float) acc[i];
        }
      });
    } else {
      // HWIO: dw[r, s, 0, :] sums dy[n, p, q, :] * x[n, ih, iw, c(k)] over n, p, q in order
      ctx.parallelFor(taps, tap -> backwardWeightTapNhwc(g, dy, x, dw, tap / g.s(),
          tap % g.s(), ctx.kernels().arrays()));
    }
  }

  private static void backwardWeightTapNhwc(ConvGeometry g, float[] dy, float[] x, float[] dw,
      int r, int s, ArrayKernels ak) {
    int k = g.k();
    int m = g.kg();
    int out = (r * g.s() + s) * k;
    java.util.Arrays.fill(dw, out, out + k, 0f);
    for (int n = 0; n < g.n(); n++) {
      for (int p = 0; p < g.p(); p++) {
        int ih = p * g.strideH() - g.padTop() + r * g.dilH();
        if (ih < 0 || ih >= g.h()) {
          continue;
        }
        for (int q = 0; q < g.q(); q++) {
          int iw = q * g.strideW() - g.padLeft() + s * g.dilW();
          if (iw < 0 || iw >= g.w()) {
            continue;
          }
          int xPix = g.xIndex(n, 0, ih, iw);
          int dyPix = g.yIndex(n, 0, p, q);
          if (m == 1) {
            ak.multiplyAdd(dy, dyPix, x, xPix, dw, out, k);
          } else {
            for (int c = 0; c < g.c(); c++) {
              ak.axpy(x[xPix + c], dy, dyPix + c * m, dw, out + c * m, m);
            }
          }
        }
      }
    }
  }
}
