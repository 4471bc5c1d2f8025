package org.vconv.algo;

import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;

/**
 * The definition of convolution as plain loops, accumulating in double. Slow and obviously
 * right: every other algorithm is tested against it. Single-threaded by design.
 */
public final class DirectReference implements ConvAlgorithm {

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    int cg = g.cg();
    int kg = g.kg();
    for (int n = 0; n < g.n(); n++) {
      for (int k = 0; k < g.k(); k++) {
        int c0 = (k / kg) * cg;
        for (int p = 0; p < g.p(); p++) {
          for (int q = 0; q < g.q(); q++) {
            double acc = bias == null ? 0.0 : bias[k];
            for (int ci = 0; ci < cg; ci++) {
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
                  acc += (double) x[g.xIndex(n, c0 + ci, ih, iw)] * w[g.wIndex(k, ci, r, s)];
                }
              }
            }
            y[g.yIndex(n, k, p, q)] = (float) acc;
          }
        }
      }
    }
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    // Gather form: each input element sums the outputs whose window covers it.
    int cg = g.cg();
    int kg = g.kg();
    for (int n = 0; n < g.n(); n++) {
      for (int c = 0; c < g.c(); c++) {
        int grp = c / cg;
        int ci = c - grp * cg;
        for (int ih = 0; ih < g.h(); ih++) {
          for (int iw = 0; iw < g.w(); iw++) {
            double acc = 0.0;
            for (int r = 0; r < g.r(); r++) {
              int ph = ih + g.padTop() - r * g.dilH();
              if (ph < 0 || ph % g.strideH() != 0 || ph / g.strideH() >= g.p()) {
                continue;
              }
              for (int s = 0; s < g.s(); s++) {
                int pw = iw + g.padLeft() - s * g.dilW();
                if (pw < 0 || pw % g.strideW() != 0 || pw / g.strideW() >= g.q()) {
                  continue;
                }
                int p = ph / g.strideH();
                int q = pw / g.strideW();
                for (int kk = 0; kk < kg; kk++) {
                  int k = grp * kg + kk;
                  acc += (double) dy[g.yIndex(n, k, p, q)] * w[g.wIndex(k, ci, r, s)];
                }
              }
            }
            dx[g.xIndex(n, c, ih, iw)] = (float) acc;
          }
        }
      }
    }
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw, ExecContext ctx) {
    int cg = g.cg();
    int kg = g.kg();
    for (int k = 0; k < g.k(); k++) {
      int c0 = (k / kg) * cg;
      for (int ci = 0; ci < cg; ci++) {
        for (int r = 0; r < g.r(); r++) {
          for (int s = 0; s < g.s(); s++) {
            double acc = 0.0;
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
                  acc += (double) dy[g.yIndex(n, k, p, q)] * x[g.xIndex(n, c0 + ci, ih, iw)];
                }
              }
            }
            dw[g.wIndex(k, ci, r, s)] = (float) acc;
          }
        }
      }
    }
  }
}
