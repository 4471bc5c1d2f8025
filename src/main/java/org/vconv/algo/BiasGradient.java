package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;

/** {@code db[k] = sum of dy[n, k, p, q]} over batch and space, in double, in a fixed order. */
public final class BiasGradient {
  private BiasGradient() {}

  /** Overwrites {@code db} ({@code K} elements). */
  public static void compute(ConvGeometry g, float[] dy, float[] db) {
    compute(g.layout() == Layout.NHWC, g.n(), g.k(), g.pq(), dy, db);
  }

  /**
   * Overwrites {@code db} ({@code k} elements) with the sums of {@code dy}, which is
   * {@code [n, k, plane]} or, channels last, {@code [n * plane, k]}: any number of spatial
   * axes, as {@code ConvNd} needs.
   */
  public static void compute(boolean channelsLast, int n, int k, int pq, float[] dy,
      float[] db) {
    double[] acc = new double[k];
    if (!channelsLast) {
      for (int b = 0; b < n; b++) {
        for (int kk = 0; kk < k; kk++) {
          acc[kk] += planeSum(dy, (b * k + kk) * pq, pq);
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

  /**
   * {@code dy[from, from + len)} summed in double: eight independent chains over the elements
   * {@code i mod 8}, added pairwise at the end, so the adds do not wait on one another.
   */
  private static double planeSum(float[] dy, int from, int len) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      int at = from + i;
      s0 += dy[at];
      s1 += dy[at + 1];
      s2 += dy[at + 2];
      s3 += dy[at + 3];
      s4 += dy[at + 4];
      s5 += dy[at + 5];
      s6 += dy[at + 6];
      s7 += dy[at + 7];
    }
    for (; i < len; i++) {
      s0 += dy[from + i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }
}
