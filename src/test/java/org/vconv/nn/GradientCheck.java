package org.vconv.nn;

import java.util.function.ToDoubleFunction;

/**
 * Central finite differences of a double-precision function, compared with an analytic
 * gradient computed in float. The step is small enough for the differences to be exact to
 * about 1e-9 on the smooth pieces these functions are made of, so a gradient that is wrong by
 * more than float rounding fails.
 */
final class GradientCheck {
  private GradientCheck() {}

  /** Step of the central differences. */
  static final double STEP = 1e-5;

  /**
   * Relative tolerance: float rounding of sums of up to a few hundred products stays below
   * about 1e-5 of the largest gradient element.
   */
  static final double TOLERANCE = 1e-4;

  /** {@code d f / d v[i]} for every i, by central differences (restores {@code v}). */
  static double[] numeric(ToDoubleFunction<double[]> f, double[] v) {
    double[] g = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      double keep = v[i];
      v[i] = keep + STEP;
      double up = f.applyAsDouble(v);
      v[i] = keep - STEP;
      double down = f.applyAsDouble(v);
      v[i] = keep;
      g[i] = (up - down) / (2 * STEP);
    }
    return g;
  }

  /**
   * Null when {@code analytic} matches {@code numeric} within {@link #TOLERANCE} times the
   * largest numeric element (at least 1e-3, so all-zero gradients are compared absolutely),
   * else a message naming the worst element.
   */
  static String mismatch(String what, float[] analytic, double[] numeric) {
    if (analytic.length != numeric.length) {
      return what + ": " + analytic.length + " analytic vs " + numeric.length + " numeric";
    }
    double scale = 1e-3;
    for (double d : numeric) {
      scale = Math.max(scale, Math.abs(d));
    }
    int worst = -1;
    double worstErr = 0;
    for (int i = 0; i < numeric.length; i++) {
      double err = Math.abs(analytic[i] - numeric[i]);
      if (!(err <= TOLERANCE * scale) && (worst < 0 || err > worstErr)) {
        worst = i;
        worstErr = err;
      }
    }
    return worst < 0 ? null : what + "[" + worst + "]: analytic " + analytic[worst]
        + ", numeric " + numeric[worst] + " (scale " + scale + ")";
  }

  static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  /** {@code sum a[i] * b[i]}. */
  static double dot(double[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
