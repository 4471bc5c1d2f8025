package org.vconv.testutil;

/**
 * Error bounds for float32 sums of products, from the standard analysis (Higham, Accuracy and
 * Stability of Numerical Algorithms, 2nd ed., section 3.1): a sum of {@code L} products
 * evaluated in float32 in any order (any summation tree, with or without FMA, blocked or
 * split across threads) satisfies {@code |computed - exact| <= gamma(L) * sum |a_i * b_i|},
 * {@code gamma(L) = L u / (1 - L u)}, {@code u = 2^-24}. Accumulating in double and rounding
 * once is within the same bound. This is a guarantee, not a fitted tolerance: a result outside
 * it is wrong.
 */
public final class Close {
  private Close() {}

  /**
   * The factor on the bound for results of Winograd F(2x2, 3x3). Its sums run over transformed
   * values (sums of up to 4 inputs, 9 taps, 9 products), whose magnitudes bound its error,
   * not the direct products' magnitudes: terms that cancel in the end (an input that no tap of
   * a filter gradient reaches, in a tile mostly of padding) still carry rounding. So this is a
   * measured factor, not a guarantee: the goldens' worst was 5.0 times the plain bound (a
   * weight gradient of kernel_gt_input_pad). Winograd's accuracy contract is
   * WinogradAccuracyTest's, against PyTorch float32's own error.
   */
  public static final double WINOGRAD_FACTOR = 8;

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
    return compare(actual, golden, magnitude, terms, 1);
  }

  /**
   * {@link #compare} with the bound multiplied by {@code factor}: for Winograd, whose sums run
   * over transformed values whose magnitudes the transforms enlarge (so the products' magnitudes
   * do not bound its error); {@link #WINOGRAD_FACTOR}.
   */
  public static String compare(float[] actual, float[] golden, double[] magnitude, long terms,
      double factor) {
    if (actual.length != golden.length || golden.length != magnitude.length) {
      return "length " + actual.length + ", expected " + golden.length;
    }
    double g = factor * gamma(terms + 2);
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
