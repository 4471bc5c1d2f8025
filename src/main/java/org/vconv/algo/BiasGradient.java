package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.simd.ArrayKernels;

/** {@code db[k] = sum of dy[n, k, p, q]} over batch and space, in double, in a fixed order. */
public final class BiasGradient {
  private BiasGradient() {}

  /** Overwrites {@code db} ({@code K} elements); the planes' sums on {@code arrays}. */
  public static void compute(ConvGeometry g, float[] dy, float[] db, ArrayKernels arrays) {
    compute(g.layout() == Layout.NHWC, g.n(), g.k(), g.pq(), dy, db, arrays);
  }

  /**
   * Overwrites {@code db} ({@code k} elements) with the sums of {@code dy}, which is
   * {@code [n, k, plane]} or, channels last, {@code [n * plane, k]}: any number of spatial
   * axes, as {@code ConvNd} needs.
   */
  public static void compute(boolean channelsLast, int n, int k, int pq, float[] dy,
      float[] db, ArrayKernels arrays) {
    double[] acc = new double[k];
    if (!channelsLast) {
      for (int b = 0; b < n; b++) {
        for (int kk = 0; kk < k; kk++) {
          acc[kk] += arrays.sumDouble(dy, (b * k + kk) * pq, pq);
        }
      }
    } else {
      int rows = n * pq;
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
