package org.vconv.testutil;

/**
 * Error bounds for float32 sums of products, from the standard analysis (Higham, Accuracy and
 * Stability of Numerical Algorithms, 2nd ed., section 3.1): a sum of {@code L} products
 * evaluated in float32 in any order (any summation tree, with or without FMA, blocked or
 * split across threads) satisfies {@code |computed - exact| <= gamma(L) * sum |a_i * b_i|},
 * {@code gamma(L) = L u / (1 - L u)}, {@code u = 2^-24}. Accumulating in double and rounding
 * once is within the same bound. This is a guarantee, not a fitted tolerance: a result outside
 * it is wrong. Winograd's sums run over transformed values, so the products' magnitudes do not
 * bound its error: {@link WinogradBound} gives its magnitudes and rounding counts, from the
 * same analysis applied to Winograd's own computation.
 */
public final class Close {
  private Close() {}

  /** Unit roundoff of float32. */
  public static final double U = 0x1p-24;

  /** {@code n u / (1 - n u)}; infinite when {@code n u >= 1} (no bound). */
  public static double gamma(long n) {
    double nu = n * U;
    return nu >= 1 ? Double.POSITIVE_INFINITY : nu / (1 - nu);
  }

  /**
   * Compares {@code actual} with {@code golden} element by element: NaN exactly where the
   * golden is NaN, the same infinity where it is infinite, and elsewhere a finite value within
   * {@code gamma(terms + 2) * magnitude[i]}, where {@code magnitude[i]} is the sum of the
   * absolute products behind element i. The +2 covers the golden's own rounding from float64
   * to float32 (at most {@code u * magnitude}) and PyTorch's float64 error (at most
   * {@code terms * 2^-53 * magnitude}, far below u).
   *
   * @return null when everything matches, else a description of the first mismatches
   */
  public static String compare(float[] actual, float[] golden, double[] magnitude, long terms) {
    if (actual.length != golden.length || golden.length != magnitude.length) {
      return "length " + actual.length + ", expected " + golden.length;
    }
    double g = gamma(terms + 2);
    StringBuilder out = new StringBuilder();
    int bad = 0;
    for (int i = 0; i < golden.length; i++) {
      float a = actual[i];
      float e = golden[i];
      double tol = g * magnitude[i];
      boolean ok;
      if (Float.isNaN(e)) {
        ok = Float.isNaN(a);
      } else if (Float.isInfinite(e)) {
        ok = a == e;
      } else {
        // NaN tol (a NaN input behind a finite golden) fails here too: that is inconsistent
        ok = Float.isFinite(a) && Math.abs((double) a - e) <= tol;
      }
      if (!ok && bad++ < 4) {
        out.append(String.format(" [%d] got %s, expected %s (tolerance %.3g);", i, a, e, tol));
      }
    }
    return bad == 0 ? null : bad + " of " + golden.length + " elements differ:" + out;
  }
}
