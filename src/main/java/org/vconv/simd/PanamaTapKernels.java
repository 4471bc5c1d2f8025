package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The tap kernels of {@link PanamaArrayKernels} (see {@link ArrayKernels#tapSums} and
 * {@link ArrayKernels#tapDots}): register tiles of fixed size, each a small straight-line
 * method whose vectors never leave it (a vector passed through a call C2 does not inline is
 * boxed on every lane op).
 */
final class PanamaTapKernels {
  private PanamaTapKernels() {}

  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;
  private static final int VL = SPECIES.length();
  /** 32 vector registers (AVX-512): room for the 4 x 4 tile of {@link #sums4Wide}. */
  private static final boolean WIDE = VL >= 16;

  static void sums(float[] src, int sOff, int[] off, int taps, float[] w, int wOff,
      int wStride, int outs, float[] dst, int dOff, int dStride, int len) {
    assert taps >= 0 && taps <= off.length && outs >= 0 && len >= 0;
    int j = 0;
    for (; j + 4 <= outs; j += 4) {
      sums4(src, sOff, off, taps, w, wOff + j * wStride, wStride, dst, dOff + j * dStride,
          dStride, len);
    }
    for (; j < outs; j++) {
      sums1(src, sOff, off, taps, w, wOff + j * wStride, dst, dOff + j * dStride, len);
    }
  }

  /**
   * Four rows: on 32 registers first four vectors each ({@link #sums4Wide}), then two vectors
   * each, 8 sums in registers, 2 loads of src per tap for 8 FMAs. The masked rest is a method
   * of its own: in one method, C1 ran out of registers compiling the profiled tier, and the
   * method could stay on C1's unprofiled code, where every vector operation is a boxed object,
   * for good.
   */
  private static void sums4(float[] src, int sOff, int[] off, int taps, float[] w, int w0,
      int ws, float[] dst, int d0, int ds, int len) {
    int whole = WIDE ? sums4Wide(src, sOff, off, taps, w, w0, ws, dst, d0, ds, len) : 0;
    whole += sums4Whole(src, sOff + whole, off, taps, w, w0, ws, dst, d0 + whole, ds,
        len - whole);
    if (whole < len) {
      sums4Rest(src, sOff, off, taps, w, w0, ws, dst, d0, ds, whole, len);
    }
  }

  /** {@link #sums4} over whole quads of vectors: 16 sums, 4 loads of src per tap for 16 FMAs. */
  private static int sums4Wide(float[] src, int sOff, int[] off, int taps, float[] w, int w0,
      int ws, float[] dst, int d0, int ds, int len) {
    int w1 = w0 + ws;
    int w2 = w1 + ws;
    int w3 = w2 + ws;
    int i = 0;
    for (; i <= len - 4 * VL; i += 4 * VL) {
      int e0 = d0 + i;
      int e1 = e0 + ds;
      int e2 = e1 + ds;
      int e3 = e2 + ds;
      FloatVector a0 = FloatVector.fromArray(SPECIES, dst, e0);
      FloatVector b0 = FloatVector.fromArray(SPECIES, dst, e0 + VL);
      FloatVector c0 = FloatVector.fromArray(SPECIES, dst, e0 + 2 * VL);
      FloatVector d0v = FloatVector.fromArray(SPECIES, dst, e0 + 3 * VL);
      FloatVector a1 = FloatVector.fromArray(SPECIES, dst, e1);
      FloatVector b1 = FloatVector.fromArray(SPECIES, dst, e1 + VL);
      FloatVector c1 = FloatVector.fromArray(SPECIES, dst, e1 + 2 * VL);
      FloatVector d1v = FloatVector.fromArray(SPECIES, dst, e1 + 3 * VL);
      FloatVector a2 = FloatVector.fromArray(SPECIES, dst, e2);
      FloatVector b2 = FloatVector.fromArray(SPECIES, dst, e2 + VL);
      FloatVector c2 = FloatVector.fromArray(SPECIES, dst, e2 + 2 * VL);
      FloatVector d2v = FloatVector.fromArray(SPECIES, dst, e2 + 3 * VL);
      FloatVector a3 = FloatVector.fromArray(SPECIES, dst, e3);
      FloatVector b3 = FloatVector.fromArray(SPECIES, dst, e3 + VL);
      FloatVector c3 = FloatVector.fromArray(SPECIES, dst, e3 + 2 * VL);
      FloatVector d3v = FloatVector.fromArray(SPECIES, dst, e3 + 3 * VL);
      for (int t = 0; t < taps; t++) {
        int o = sOff + off[t] + i;
        FloatVector x0 = FloatVector.fromArray(SPECIES, src, o);
        FloatVector x1 = FloatVector.fromArray(SPECIES, src, o + VL);
        FloatVector x2 = FloatVector.fromArray(SPECIES, src, o + 2 * VL);
        FloatVector x3 = FloatVector.fromArray(SPECIES, src, o + 3 * VL);
        FloatVector c = FloatVector.broadcast(SPECIES, w[w0 + t]);
        a0 = x0.fma(c, a0);
        b0 = x1.fma(c, b0);
        c0 = x2.fma(c, c0);
        d0v = x3.fma(c, d0v);
        c = FloatVector.broadcast(SPECIES, w[w1 + t]);
        a1 = x0.fma(c, a1);
        b1 = x1.fma(c, b1);
        c1 = x2.fma(c, c1);
        d1v = x3.fma(c, d1v);
        c = FloatVector.broadcast(SPECIES, w[w2 + t]);
        a2 = x0.fma(c, a2);
        b2 = x1.fma(c, b2);
        c2 = x2.fma(c, c2);
        d2v = x3.fma(c, d2v);
        c = FloatVector.broadcast(SPECIES, w[w3 + t]);
        a3 = x0.fma(c, a3);
        b3 = x1.fma(c, b3);
        c3 = x2.fma(c, c3);
        d3v = x3.fma(c, d3v);
      }
      a0.intoArray(dst, e0);
      b0.intoArray(dst, e0 + VL);
      c0.intoArray(dst, e0 + 2 * VL);
      d0v.intoArray(dst, e0 + 3 * VL);
      a1.intoArray(dst, e1);
      b1.intoArray(dst, e1 + VL);
      c1.intoArray(dst, e1 + 2 * VL);
      d1v.intoArray(dst, e1 + 3 * VL);
      a2.intoArray(dst, e2);
      b2.intoArray(dst, e2 + VL);
      c2.intoArray(dst, e2 + 2 * VL);
      d2v.intoArray(dst, e2 + 3 * VL);
      a3.intoArray(dst, e3);
      b3.intoArray(dst, e3 + VL);
      c3.intoArray(dst, e3 + 2 * VL);
      d3v.intoArray(dst, e3 + 3 * VL);
    }
    return i;
  }

  /** {@link #sums4} over whole pairs of vectors; returns where the rest starts. */
  private static int sums4Whole(float[] src, int sOff, int[] off, int taps, float[] w, int w0,
      int ws, float[] dst, int d0, int ds, int len) {
    int w1 = w0 + ws;
    int w2 = w1 + ws;
    int w3 = w2 + ws;
    int i = 0;
    for (; i <= len - 2 * VL; i += 2 * VL) {
      FloatVector a0 = FloatVector.fromArray(SPECIES, dst, d0 + i);
      FloatVector b0 = FloatVector.fromArray(SPECIES, dst, d0 + i + VL);
      FloatVector a1 = FloatVector.fromArray(SPECIES, dst, d0 + ds + i);
      FloatVector b1 = FloatVector.fromArray(SPECIES, dst, d0 + ds + i + VL);
      FloatVector a2 = FloatVector.fromArray(SPECIES, dst, d0 + 2 * ds + i);
      FloatVector b2 = FloatVector.fromArray(SPECIES, dst, d0 + 2 * ds + i + VL);
      FloatVector a3 = FloatVector.fromArray(SPECIES, dst, d0 + 3 * ds + i);
      FloatVector b3 = FloatVector.fromArray(SPECIES, dst, d0 + 3 * ds + i + VL);
      for (int t = 0; t < taps; t++) {
        int o = sOff + off[t] + i;
        FloatVector x0 = FloatVector.fromArray(SPECIES, src, o);
        FloatVector x1 = FloatVector.fromArray(SPECIES, src, o + VL);
        FloatVector c = FloatVector.broadcast(SPECIES, w[w0 + t]);
        a0 = x0.fma(c, a0);
        b0 = x1.fma(c, b0);
        c = FloatVector.broadcast(SPECIES, w[w1 + t]);
        a1 = x0.fma(c, a1);
        b1 = x1.fma(c, b1);
        c = FloatVector.broadcast(SPECIES, w[w2 + t]);
        a2 = x0.fma(c, a2);
        b2 = x1.fma(c, b2);
        c = FloatVector.broadcast(SPECIES, w[w3 + t]);
        a3 = x0.fma(c, a3);
        b3 = x1.fma(c, b3);
      }
      a0.intoArray(dst, d0 + i);
      b0.intoArray(dst, d0 + i + VL);
      a1.intoArray(dst, d0 + ds + i);
      b1.intoArray(dst, d0 + ds + i + VL);
      a2.intoArray(dst, d0 + 2 * ds + i);
      b2.intoArray(dst, d0 + 2 * ds + i + VL);
      a3.intoArray(dst, d0 + 3 * ds + i);
      b3.intoArray(dst, d0 + 3 * ds + i + VL);
    }
    return i;
  }

  /** {@link #sums4} from {@code i} on, the last vector masked: the same lane arithmetic. */
  private static void sums4Rest(float[] src, int sOff, int[] off, int taps, float[] w, int w0,
      int ws, float[] dst, int d0, int ds, int from, int len) {
    int w1 = w0 + ws;
    int w2 = w1 + ws;
    int w3 = w2 + ws;
    for (int i = from; i < len; i += VL) {
      VectorMask<Float> m = SPECIES.indexInRange(i, len);
      FloatVector a0 = FloatVector.fromArray(SPECIES, dst, d0 + i, m);
      FloatVector a1 = FloatVector.fromArray(SPECIES, dst, d0 + ds + i, m);
      FloatVector a2 = FloatVector.fromArray(SPECIES, dst, d0 + 2 * ds + i, m);
      FloatVector a3 = FloatVector.fromArray(SPECIES, dst, d0 + 3 * ds + i, m);
      for (int t = 0; t < taps; t++) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, src, sOff + off[t] + i, m);
        a0 = x0.fma(FloatVector.broadcast(SPECIES, w[w0 + t]), a0);
        a1 = x0.fma(FloatVector.broadcast(SPECIES, w[w1 + t]), a1);
        a2 = x0.fma(FloatVector.broadcast(SPECIES, w[w2 + t]), a2);
        a3 = x0.fma(FloatVector.broadcast(SPECIES, w[w3 + t]), a3);
      }
      a0.intoArray(dst, d0 + i, m);
      a1.intoArray(dst, d0 + ds + i, m);
      a2.intoArray(dst, d0 + 2 * ds + i, m);
      a3.intoArray(dst, d0 + 3 * ds + i, m);
    }
  }

  /** One row, eight vectors: 8 FMA chains hide the FMA latency; 8 loads of src per tap. */
  private static void sums1(float[] src, int sOff, int[] off, int taps, float[] w, int w0,
      float[] dst, int d0, int len) {
    int i = 0;
    for (; i <= len - 8 * VL; i += 8 * VL) {
      FloatVector a0 = FloatVector.fromArray(SPECIES, dst, d0 + i);
      FloatVector a1 = FloatVector.fromArray(SPECIES, dst, d0 + i + VL);
      FloatVector a2 = FloatVector.fromArray(SPECIES, dst, d0 + i + 2 * VL);
      FloatVector a3 = FloatVector.fromArray(SPECIES, dst, d0 + i + 3 * VL);
      FloatVector a4 = FloatVector.fromArray(SPECIES, dst, d0 + i + 4 * VL);
      FloatVector a5 = FloatVector.fromArray(SPECIES, dst, d0 + i + 5 * VL);
      FloatVector a6 = FloatVector.fromArray(SPECIES, dst, d0 + i + 6 * VL);
      FloatVector a7 = FloatVector.fromArray(SPECIES, dst, d0 + i + 7 * VL);
      for (int t = 0; t < taps; t++) {
        int o = sOff + off[t] + i;
        FloatVector c = FloatVector.broadcast(SPECIES, w[w0 + t]);
        a0 = FloatVector.fromArray(SPECIES, src, o).fma(c, a0);
        a1 = FloatVector.fromArray(SPECIES, src, o + VL).fma(c, a1);
        a2 = FloatVector.fromArray(SPECIES, src, o + 2 * VL).fma(c, a2);
        a3 = FloatVector.fromArray(SPECIES, src, o + 3 * VL).fma(c, a3);
        a4 = FloatVector.fromArray(SPECIES, src, o + 4 * VL).fma(c, a4);
        a5 = FloatVector.fromArray(SPECIES, src, o + 5 * VL).fma(c, a5);
        a6 = FloatVector.fromArray(SPECIES, src, o + 6 * VL).fma(c, a6);
        a7 = FloatVector.fromArray(SPECIES, src, o + 7 * VL).fma(c, a7);
      }
      a0.intoArray(dst, d0 + i);
      a1.intoArray(dst, d0 + i + VL);
      a2.intoArray(dst, d0 + i + 2 * VL);
      a3.intoArray(dst, d0 + i + 3 * VL);
      a4.intoArray(dst, d0 + i + 4 * VL);
      a5.intoArray(dst, d0 + i + 5 * VL);
      a6.intoArray(dst, d0 + i + 6 * VL);
      a7.intoArray(dst, d0 + i + 7 * VL);
    }
    for (; i <= len - 2 * VL; i += 2 * VL) {
      FloatVector a0 = FloatVector.fromArray(SPECIES, dst, d0 + i);
      FloatVector a1 = FloatVector.fromArray(SPECIES, dst, d0 + i + VL);
      for (int t = 0; t < taps; t++) {
        int o = sOff + off[t] + i;
        FloatVector c = FloatVector.broadcast(SPECIES, w[w0 + t]);
        a0 = FloatVector.fromArray(SPECIES, src, o).fma(c, a0);
        a1 = FloatVector.fromArray(SPECIES, src, o + VL).fma(c, a1);
      }
      a0.intoArray(dst, d0 + i);
      a1.intoArray(dst, d0 + i + VL);
    }
    for (; i < len; i += VL) { // the last vector masked
      VectorMask<Float> m = SPECIES.indexInRange(i, len);
      FloatVector a0 = FloatVector.fromArray(SPECIES, dst, d0 + i, m);
      for (int t = 0; t < taps; t++) {
        a0 = FloatVector.fromArray(SPECIES, src, sOff + off[t] + i, m)
            .fma(FloatVector.broadcast(SPECIES, w[w0 + t]), a0);
      }
      a0.intoArray(dst, d0 + i, m);
    }
  }

  static void dots(float[] a, int aOff, int aStride, int outs, float[] src, int sOff,
      int[] off, int taps, int len, float[] acc, int accOff) {
    assert taps >= 0 && taps <= off.length && outs >= 0 && len >= 0;
    int cs = taps * VL; // partials of one output row
    int j = 0;
    for (; j + 4 <= outs; j += 4) {
      int t = 0;
      for (; t + 4 <= taps; t += 4) {
        dots4x4(a, aOff + j * aStride, aStride, src, sOff + off[t], sOff + off[t + 1],
            sOff + off[t + 2], sOff + off[t + 3], len, acc, accOff + j * cs + t * VL, cs);
      }
      for (; t < taps; t++) {
        for (int jj = j; jj < j + 4; jj++) {
          dots1x1(a, aOff + jj * aStride, src, sOff + off[t], len, acc, accOff + jj * cs + t * VL);
        }
      }
    }
    for (; j < outs; j++) {
      int t = 0;
      for (; t + 4 <= taps; t += 4) {
        dots1x4(a, aOff + j * aStride, src, sOff + off[t], sOff + off[t + 1], sOff + off[t + 2],
            sOff + off[t + 3], len, acc, accOff + j * cs + t * VL);
      }
      for (; t < taps; t++) {
        dots1x1(a, aOff + j * aStride, src, sOff + off[t], len, acc, accOff + j * cs + t * VL);
      }
    }
  }

  /**
   * Four rows of {@code a} against four taps: 16 partial sums in registers, 8 loads for 16
   * FMAs per vector step. Partials of row j, tap t at {@code c0 + j*cs + t*VL}.
   */
  private static void dots4x4(float[] a, int a0, int as, float[] src, int o0, int o1, int o2,
      int o3, int len, float[] acc, int c0, int cs) {
    int c1 = c0 + cs;
    int c2 = c1 + cs;
    int c3 = c2 + cs;
    FloatVector p00 = FloatVector.fromArray(SPECIES, acc, c0);
    FloatVector p01 = FloatVector.fromArray(SPECIES, acc, c0 + VL);
    FloatVector p02 = FloatVector.fromArray(SPECIES, acc, c0 + 2 * VL);
    FloatVector p03 = FloatVector.fromArray(SPECIES, acc, c0 + 3 * VL);
    FloatVector p10 = FloatVector.fromArray(SPECIES, acc, c1);
    FloatVector p11 = FloatVector.fromArray(SPECIES, acc, c1 + VL);
    FloatVector p12 = FloatVector.fromArray(SPECIES, acc, c1 + 2 * VL);
    FloatVector p13 = FloatVector.fromArray(SPECIES, acc, c1 + 3 * VL);
    FloatVector p20 = FloatVector.fromArray(SPECIES, acc, c2);
    FloatVector p21 = FloatVector.fromArray(SPECIES, acc, c2 + VL);
    FloatVector p22 = FloatVector.fromArray(SPECIES, acc, c2 + 2 * VL);
    FloatVector p23 = FloatVector.fromArray(SPECIES, acc, c2 + 3 * VL);
    FloatVector p30 = FloatVector.fromArray(SPECIES, acc, c3);
    FloatVector p31 = FloatVector.fromArray(SPECIES, acc, c3 + VL);
    FloatVector p32 = FloatVector.fromArray(SPECIES, acc, c3 + 2 * VL);
    FloatVector p33 = FloatVector.fromArray(SPECIES, acc, c3 + 3 * VL);
    int i = 0;
    for (; i <= len - VL; i += VL) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, src, o0 + i);
      FloatVector x1 = FloatVector.fromArray(SPECIES, src, o1 + i);
      FloatVector x2 = FloatVector.fromArray(SPECIES, src, o2 + i);
      FloatVector x3 = FloatVector.fromArray(SPECIES, src, o3 + i);
      FloatVector d = FloatVector.fromArray(SPECIES, a, a0 + i);
      p00 = d.fma(x0, p00);
      p01 = d.fma(x1, p01);
      p02 = d.fma(x2, p02);
      p03 = d.fma(x3, p03);
      d = FloatVector.fromArray(SPECIES, a, a0 + as + i);
      p10 = d.fma(x0, p10);
      p11 = d.fma(x1, p11);
      p12 = d.fma(x2, p12);
      p13 = d.fma(x3, p13);
      d = FloatVector.fromArray(SPECIES, a, a0 + 2 * as + i);
      p20 = d.fma(x0, p20);
      p21 = d.fma(x1, p21);
      p22 = d.fma(x2, p22);
      p23 = d.fma(x3, p23);
      d = FloatVector.fromArray(SPECIES, a, a0 + 3 * as + i);
      p30 = d.fma(x0, p30);
      p31 = d.fma(x1, p31);
      p32 = d.fma(x2, p32);
      p33 = d.fma(x3, p33);
    }
    p00.intoArray(acc, c0);
    p01.intoArray(acc, c0 + VL);
    p02.intoArray(acc, c0 + 2 * VL);
    p03.intoArray(acc, c0 + 3 * VL);
    p10.intoArray(acc, c1);
    p11.intoArray(acc, c1 + VL);
    p12.intoArray(acc, c1 + 2 * VL);
    p13.intoArray(acc, c1 + 3 * VL);
    p20.intoArray(acc, c2);
    p21.intoArray(acc, c2 + VL);
    p22.intoArray(acc, c2 + 2 * VL);
    p23.intoArray(acc, c2 + 3 * VL);
    p30.intoArray(acc, c3);
    p31.intoArray(acc, c3 + VL);
    p32.intoArray(acc, c3 + 2 * VL);
    p33.intoArray(acc, c3 + 3 * VL);
    if (i < len) {
      dots4x4Tail(a, a0 + i, as, src, o0 + i, o1 + i, o2 + i, o3 + i, len - i, acc, c0, cs);
    }
  }

  /**
   * {@link #dots4x4}'s last {@code n < VL} elements, one masked step: element {@code i} goes
   * to partial {@code i}, as in the whole steps. A method of its own, as {@link #sums4Rest}.
   */
  private static void dots4x4Tail(float[] a, int a0, int as, float[] src, int o0, int o1,
      int o2, int o3, int n, float[] acc, int c0, int cs) {
    VectorMask<Float> m = SPECIES.indexInRange(0, n);
    FloatVector x0 = FloatVector.fromArray(SPECIES, src, o0, m);
    FloatVector x1 = FloatVector.fromArray(SPECIES, src, o1, m);
    FloatVector x2 = FloatVector.fromArray(SPECIES, src, o2, m);
    FloatVector x3 = FloatVector.fromArray(SPECIES, src, o3, m);
    for (int j = 0; j < 4; j++) {
      FloatVector d = FloatVector.fromArray(SPECIES, a, a0 + j * as, m);
      int cj = c0 + j * cs;
      d.fma(x0, FloatVector.fromArray(SPECIES, acc, cj)).intoArray(acc, cj);
      d.fma(x1, FloatVector.fromArray(SPECIES, acc, cj + VL)).intoArray(acc, cj + VL);
      d.fma(x2, FloatVector.fromArray(SPECIES, acc, cj + 2 * VL)).intoArray(acc, cj + 2 * VL);
      d.fma(x3, FloatVector.fromArray(SPECIES, acc, cj + 3 * VL)).intoArray(acc, cj + 3 * VL);
    }
  }

  /**
   * One row of {@code a} against four taps: two sets of 4 partial sums (even and odd vector
   * steps) so that 8 FMA chains hide the FMA latency; the sets are added once at the end.
   */
  private static void dots1x4(float[] a, int a0, float[] src, int o0, int o1, int o2, int o3,
      int len, float[] acc, int c0) {
    FloatVector p0 = FloatVector.fromArray(SPECIES, acc, c0);
    FloatVector p1 = FloatVector.fromArray(SPECIES, acc, c0 + VL);
    FloatVector p2 = FloatVector.fromArray(SPECIES, acc, c0 + 2 * VL);
    FloatVector p3 = FloatVector.fromArray(SPECIES, acc, c0 + 3 * VL);
    FloatVector q0 = FloatVector.zero(SPECIES);
    FloatVector q1 = q0;
    FloatVector q2 = q0;
    FloatVector q3 = q0;
    int i = 0;
    for (; i <= len - 2 * VL; i += 2 * VL) {
      FloatVector d = FloatVector.fromArray(SPECIES, a, a0 + i);
      p0 = d.fma(FloatVector.fromArray(SPECIES, src, o0 + i), p0);
      p1 = d.fma(FloatVector.fromArray(SPECIES, src, o1 + i), p1);
      p2 = d.fma(FloatVector.fromArray(SPECIES, src, o2 + i), p2);
      p3 = d.fma(FloatVector.fromArray(SPECIES, src, o3 + i), p3);
      d = FloatVector.fromArray(SPECIES, a, a0 + i + VL);
      q0 = d.fma(FloatVector.fromArray(SPECIES, src, o0 + i + VL), q0);
      q1 = d.fma(FloatVector.fromArray(SPECIES, src, o1 + i + VL), q1);
      q2 = d.fma(FloatVector.fromArray(SPECIES, src, o2 + i + VL), q2);
      q3 = d.fma(FloatVector.fromArray(SPECIES, src, o3 + i + VL), q3);
    }
    if (i <= len - VL) {
      FloatVector d = FloatVector.fromArray(SPECIES, a, a0 + i);
      p0 = d.fma(FloatVector.fromArray(SPECIES, src, o0 + i), p0);
      p1 = d.fma(FloatVector.fromArray(SPECIES, src, o1 + i), p1);
      p2 = d.fma(FloatVector.fromArray(SPECIES, src, o2 + i), p2);
      p3 = d.fma(FloatVector.fromArray(SPECIES, src, o3 + i), p3);
      i += VL;
    }
    p0.add(q0).intoArray(acc, c0);
    p1.add(q1).intoArray(acc, c0 + VL);
    p2.add(q2).intoArray(acc, c0 + 2 * VL);
    p3.add(q3).intoArray(acc, c0 + 3 * VL);
    if (i < len) {
      acc[c0] = tailDot(a, a0 + i, src, o0 + i, len - i, acc[c0]);
      acc[c0 + VL] = tailDot(a, a0 + i, src, o1 + i, len - i, acc[c0 + VL]);
      acc[c0 + 2 * VL] = tailDot(a, a0 + i, src, o2 + i, len - i, acc[c0 + 2 * VL]);
      acc[c0 + 3 * VL] = tailDot(a, a0 + i, src, o3 + i, len - i, acc[c0 + 3 * VL]);
    }
  }

  /** One row against one tap. */
  private static void dots1x1(float[] a, int a0, float[] src, int o0, int len, float[] acc,
      int c0) {
    FloatVector p0 = FloatVector.fromArray(SPECIES, acc, c0);
    int i = 0;
    for (; i <= len - VL; i += VL) {
      p0 = FloatVector.fromArray(SPECIES, a, a0 + i)
          .fma(FloatVector.fromArray(SPECIES, src, o0 + i), p0);
    }
    p0.intoArray(acc, c0);
    if (i < len) {
      acc[c0] = tailDot(a, a0 + i, src, o0 + i, len - i, acc[c0]);
    }
  }

  private static float tailDot(float[] a, int aOff, float[] b, int bOff, int len, float acc) {
    for (int i = 0; i < len; i++) {
      acc = Math.fma(a[aOff + i], b[bOff + i], acc);
    }
    return acc;
  }

  /** Four vectors of the row: 4 sums in registers, 8 loads per tap (both operands move). */
  static void products(float[] a, int[] aOff, float[] b, int[] bOff, int taps, float[] dst,
      int d0, int len) {
    assert taps >= 0 && taps <= aOff.length && taps <= bOff.length && len >= 0;
    int i = 0;
    for (; i <= len - 4 * VL; i += 4 * VL) {
      FloatVector s0 = FloatVector.fromArray(SPECIES, dst, d0 + i);
      FloatVector s1 = FloatVector.fromArray(SPECIES, dst, d0 + i + VL);
      FloatVector s2 = FloatVector.fromArray(SPECIES, dst, d0 + i + 2 * VL);
      FloatVector s3 = FloatVector.fromArray(SPECIES, dst, d0 + i + 3 * VL);
      for (int t = 0; t < taps; t++) {
        int ao = aOff[t] + i;
        int bo = bOff[t] + i;
        s0 = FloatVector.fromArray(SPECIES, a, ao)
            .fma(FloatVector.fromArray(SPECIES, b, bo), s0);
        s1 = FloatVector.fromArray(SPECIES, a, ao + VL)
            .fma(FloatVector.fromArray(SPECIES, b, bo + VL), s1);
        s2 = FloatVector.fromArray(SPECIES, a, ao + 2 * VL)
            .fma(FloatVector.fromArray(SPECIES, b, bo + 2 * VL), s2);
        s3 = FloatVector.fromArray(SPECIES, a, ao + 3 * VL)
            .fma(FloatVector.fromArray(SPECIES, b, bo + 3 * VL), s3);
      }
      s0.intoArray(dst, d0 + i);
      s1.intoArray(dst, d0 + i + VL);
      s2.intoArray(dst, d0 + i + 2 * VL);
      s3.intoArray(dst, d0 + i + 3 * VL);
    }
    for (; i < len; i += VL) { // the last vector masked
      VectorMask<Float> m = SPECIES.indexInRange(i, len);
      FloatVector s0 = FloatVector.fromArray(SPECIES, dst, d0 + i, m);
      for (int t = 0; t < taps; t++) {
        s0 = FloatVector.fromArray(SPECIES, a, aOff[t] + i, m)
            .fma(FloatVector.fromArray(SPECIES, b, bOff[t] + i, m), s0);
      }
      s0.intoArray(dst, d0 + i, m);
    }
  }
}
