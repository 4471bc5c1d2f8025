package org.vconv.algo;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.ArrayKernels;

/**
 * Makes zero padding behave like real zeros that take part in the products, as PyTorch's
 * convolution does (0 * Inf = NaN): a non-finite weight tap that lands on padding makes that
 * output NaN, and a non-finite {@code dy} whose window overlaps padding makes the weight
 * gradient of the padded taps NaN. Algorithms are free to skip padded taps; the facade applies
 * these fix-ups afterwards, and they cost one scan of {@code w} or {@code dy} only when the
 * geometry has padding.
 */
public final class PaddingSemantics {
  private PaddingSemantics() {}

  /**
   * Sets to NaN the outputs whose window puts a non-finite weight on padding.
   *
   * <p>Usually there are none, and {@code w} is scanned to see it, or {@code y} when that is
   * smaller (a 7x7 layer with hundreds of channels at batch 1): a non-finite weight at a tap
   * that meets the input at some output makes that output infinite or NaN for every image
   * ({@code Inf * x} is, for any x, and no later term makes it finite), so when every tap
   * meets the input somewhere and {@code y} is finite, so is {@code w}.
   */
  public static void fixForward(ConvGeometry g, float[] w, float[] y, ArrayKernels kernels) {
    if (!hasPadding(g)) {
      return;
    }
    if (y.length < w.length && everyTapMeetsInput(g) && kernels.allFinite(y, 0, y.length)) {
      return;
    }
    if (kernels.allFinite(w, 0, w.length)) {
      return;
    }
    boolean[] badTap = new boolean[g.r() * g.s()];
    boolean[] badOut = new boolean[g.pq()];
    for (int k = 0; k < g.k(); k++) {
      Arrays.fill(badTap, false);
      boolean any = false;
      for (int c = 0; c < g.cg(); c++) {
        for (int r = 0; r < g.r(); r++) {
          for (int s = 0; s < g.s(); s++) {
            if (!Float.isFinite(w[g.wIndex(k, c, r, s)])) {
              badTap[r * g.s() + s] = any = true;
            }
          }
        }
      }
      if (!any) {
        continue;
      }
      for (int p = 0; p < g.p(); p++) {
        for (int q = 0; q < g.q(); q++) {
          badOut[p * g.q() + q] = tapOnPadding(g, badTap, p, q);
        }
      }
      for (int n = 0; n < g.n(); n++) {
        for (int i = 0; i < g.pq(); i++) {
          if (badOut[i]) {
            y[g.yIndex(n, k, i / g.q(), i % g.q())] = Float.NaN;
          }
        }
      }
    }
  }

  /**
   * Sets to NaN the weight-gradient taps that meet padding where {@code dy} is non-finite. Only
   * border outputs (whose window row or column range leaves the input) can meet padding, so
   * only they are scanned: a thin frame of {@code dy}, not all of it.
   *
   * <p>Usually not even that: a non-finite {@code dy} at an output whose window reaches the
   * input multiplies a real input value into some tap's sum ({@code Inf * x} is infinite or
   * NaN for any x, and no later term makes it finite), so when every window reaches the input
   * and {@code dw} is all finite, {@code dy} is finite and there is nothing to fix. Whichever
   * is smaller is scanned: {@code dw}, or the frame of {@code dy} (on ResNet-50's 7x7x512
   * layer the frame is 24 of 49 outputs, 0.1 M floats against dw's 2.4 M).
   */
  public static void fixWeightGradient(ConvGeometry g, float[] dy, float[] dw,
      ExecContext ctx) {
    if (!hasPadding(g)) {
      return;
    }
    boolean[] rowBorder = new boolean[g.p()];
    boolean[] colBorder = new boolean[g.q()];
    int borderRows = 0;
    int borderCols = 0;
    for (int p = 0; p < g.p(); p++) {
      int ih = p * g.strideH() - g.padTop();
      rowBorder[p] = ih < 0 || ih + (g.r() - 1) * g.dilH() >= g.h();
      borderRows += rowBorder[p] ? 1 : 0;
    }
    for (int q = 0; q < g.q(); q++) {
      int iw = q * g.strideW() - g.padLeft();
      colBorder[q] = iw < 0 || iw + (g.s() - 1) * g.dilW() >= g.w();
      borderCols += colBorder[q] ? 1 : 0;
    }
    long frame = (long) g.n() * g.k() * (g.pq() - (long) (g.p() - borderRows) * (g.q()
        - borderCols));
    if (dw.length <= frame && everyWindowReachesInput(g)
        && ctx.kernels().arrays().allFinite(dw, 0, dw.length)) {
      return;
    }
    if (borderFinite(g, dy, rowBorder, colBorder, ctx)) {
      return; // the usual case, found in address order; the exact search below is slow
    }
    boolean[] badOut = new boolean[g.pq()];
    for (int k = 0; k < g.k(); k++) {
      boolean any = false;
      for (int p = 0; p < g.p(); p++) {
        for (int q = 0; q < g.q(); q++) {
          if (!rowBorder[p] && !colBorder[q]) {
            q = nextBorderColumn(colBorder, q) - 1; // jump over the interior of the row
            continue;
          }
          boolean bad = false;
          for (int n = 0; n < g.n() && !bad; n++) {
            bad = !Float.isFinite(dy[g.yIndex(n, k, p, q)]);
          }
          badOut[p * g.q() + q] = bad;
          any |= bad;
        }
      }
      if (!any) {
        continue;
      }
      for (int r = 0; r < g.r(); r++) {
        for (int s = 0; s < g.s(); s++) {
          boolean bad = false;
          for (int i = 0; i < g.pq() && !bad; i++) {
            bad = badOut[i] && onPadding(g, i / g.q(), i % g.q(), r, s);
          }
          if (bad) {
            for (int c = 0; c < g.cg(); c++) {
              dw[g.wIndex(k, c, r, s)] = Float.NaN;
            }
          }
        }
      }
      java.util.Arrays.fill(badOut, false);
    }
  }

  /**
   * Whether every border output of {@code dy} is finite, read in address order (image by
   * image, then plane by plane or pixel by pixel): the exact search would read one image after
   * the other for each output, a page apart, and miss the cache at every read.
   */
  private static boolean borderFinite(ConvGeometry g, float[] dy, boolean[] rowBorder,
      boolean[] colBorder, ExecContext ctx) {
    int[] cols = new int[g.q()];
    int borderCols = 0;
    for (int q = 0; q < g.q(); q++) {
      if (colBorder[q]) {
        cols[borderCols++] = q;
      }
    }
    int colCount = borderCols;
    boolean nchw = g.layout() == Layout.NCHW;
    AtomicBoolean finite = new AtomicBoolean(true);
    int parts = ctx.workersFor(g.n());
    ctx.parallelFor(parts, part -> { // images split among the threads
      int bad = 0;
      for (int n = g.n() * part / parts, end = g.n() * (part + 1) / parts; n < end; n++) {
        for (int outer = 0; outer < (nchw ? g.k() : g.p()); outer++) {
          for (int p = nchw ? 0 : outer; p < (nchw ? g.p() : outer + 1); p++) {
            int count = rowBorder[p] ? g.q() : colCount;
            for (int i = 0; i < count; i++) {
              int q = rowBorder[p] ? i : cols[i];
              if (nchw) {
                bad |= exponentAllOnes(dy[g.yIndex(n, outer, p, q)]);
              } else {
                for (int at = g.yIndex(n, 0, p, q), e = at + g.k(); at < e; at++) {
                  bad |= exponentAllOnes(dy[at]);
                }
              }
            }
          }
        }
      }
      if (bad < 0) {
        finite.set(false);
      }
    });
    return finite.get();
  }

  /** Negative for NaN and infinities: all exponent bits set carry into the sign bit. */
  private static int exponentAllOnes(float v) {
    return (Float.floatToRawIntBits(v) & 0x7f800000) + 0x00800000;
  }

  /** The first border column at or after {@code q}, or {@code colBorder.length}. */
  private static int nextBorderColumn(boolean[] colBorder, int q) {
    while (q < colBorder.length && !colBorder[q]) {
      q++;
    }
    return q;
  }

  private static boolean tapOnPadding(ConvGeometry g, boolean[] badTap, int p, int q) {
    for (int r = 0; r < g.r(); r++) {
      for (int s = 0; s < g.s(); s++) {
        if (badTap[r * g.s() + s] && onPadding(g, p, q, r, s)) {
          return true;
        }
      }
    }
    return false;
  }

  /** True when tap (r, s) of output (p, q) reads padding. */
  private static boolean onPadding(ConvGeometry g, int p, int q, int r, int s) {
    int ih = p * g.strideH() - g.padTop() + r * g.dilH();
    int iw = q * g.strideW() - g.padLeft() + s * g.dilW();
    return ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w();
  }

  /** Whether every output's window has a tap inside the input (a row and a column both). */
  static boolean everyWindowReachesInput(ConvGeometry g) {
    return allReach(g.p(), g.strideH(), g.r(), g.dilH(), g.padTop(), g.h())
        && allReach(g.q(), g.strideW(), g.s(), g.dilW(), g.padLeft(), g.w());
  }

  /** Whether every kernel tap meets the input at one output at least. */
  static boolean everyTapMeetsInput(ConvGeometry g) {
    return allReach(g.r(), g.dilH(), g.p(), g.strideH(), g.padTop(), g.h())
        && allReach(g.s(), g.dilW(), g.q(), g.strideW(), g.padLeft(), g.w());
  }

  /**
   * Along one axis, whether each of {@code count} positions {@code i*step - pad} reaches the
   * input with one of its {@code others} offsets {@code j*otherStep}: output i with its taps,
   * or tap i with its outputs.
   */
  private static boolean allReach(int count, int step, int others, int otherStep, int pad,
      int size) {
    for (int i = 0; i < count; i++) {
      if (!reaches(i * step - pad, others, otherStep, size)) {
        return false;
      }
    }
    return true;
  }

  /** Whether one of {@code taps} positions from {@code first}, {@code dil} apart, is inside. */
  private static boolean reaches(int first, int taps, int dil, int size) {
    for (int t = 0; t < taps; t++) {
      int at = first + t * dil;
      if (at >= 0 && at < size) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasPadding(ConvGeometry g) {
    return (g.padTop() | g.padBottom() | g.padLeft() | g.padRight()) != 0;
  }
}
