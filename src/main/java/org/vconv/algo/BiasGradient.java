package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;

/** {@code db[k] = sum of dy[n, k, p, q]} over batch and space, in double, in a fixed order. */
public final class BiasGradient {
  private BiasGradient() {}

  /** Overwrites {@code db} ({@code K} elements). */
  public static void compute(ConvGeometry g, float[] dy, float[] db) {
    int k = g.k();
    int pq = g.pq();
    double[] acc = new double[k];
    if (g.layout() == Layout.NCHW) {
      for (int n = 0; n < g.n(); n++) {
        for (int kk = 0; kk < k; kk++) {
          int base = (n * k + kk) * pq;
          double sum = 0;
          for (int i = 0; i < pq; i++) {
            sum += dy[base + i];
          }
          acc[kk] += sum;
        }
      }
    } else {
      int rows = g.n() * pq;
      for (int i = 0; i < rows; i++) {
        int base = i * k;
        for (int kk = 0; kk < k; kk++) {
          acc[kk] += dy[base + kk];
        }
      }
    }
    for (int kk = 0; kk < k; kk++) {
      db[kk] = (float) acc[kk];
    }
  }
}
