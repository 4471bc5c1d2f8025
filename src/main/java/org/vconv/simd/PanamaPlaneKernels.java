package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The plane kernels of {@link PanamaArrayKernels} ({@link ArrayKernels#planeSums},
 * {@link ArrayKernels#planeDots}): whole planes read in place, no padded copies.
 *
 * <p>Same-width planes (source and result rows alike, as in every stride-1 SAME convolution)
 * run as one flat run: a tap reads the source at a fixed offset from the result's flat index,
 * and only the lanes that wrap round a row edge are wrong. In the rows that every kernel row
 * reaches, the bulk vectors read the source unmasked and drop the wrapped lanes by a select
 * per kernel column ({@link PlaneTaps#columnMask}): the forward keeps a partial sum per kernel
 * column and selects it (3x3: each source row slides through registers, one load per
 * vector for its three taps); the weight gradient selects {@code dy} once per kernel column
 * and shares it across the kernel rows, so each {@code dy} load feeds nine FMAs (3x3). Edge
 * rows and the vectors whose reads would leave the source plane take exact paths whose every
 * load is masked. Other planes walk down columns of a vector grid with masked loads.
 *
 * <p>Vectors never cross a call that C2 might not inline and are never assigned under a
 * condition: either loses the vector's exact class, and the operation then runs the Java
 * fallback, element by element. Methods stay small enough for C1's register allocator, or the
 * method is never compiled past tier 2.
 */
final class PanamaPlaneKernels {
  private PanamaPlaneKernels() {}

  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;
  private static final int VL = SPECIES.length();

  private static VectorMask<Float> first(int n) {
    return PanamaMasks.first(n);
  }

  /** Lanes {@code [from, to)} of a vector, clamped to it. */
  private static VectorMask<Float> lanes(int from, int to) {
    return first(to).andNot(first(from));
  }

  // ------------------------------------------------------------------ sums (correlation)

  static void sums(float[] src, int sOff, PlaneTaps pt, float[] w, int wOff, float bias,
      float[] dst, int dOff) {
    int pA = pt.fullRowFrom(); // rows [pA, pB) are reached by every kernel row
    int pB = pt.fullRowTo();
    int width = pt.dstW();
    if (pt.sameWidth()) { // flat: the interior as one run, the edge rows vector by vector
      if (pA < pB) {
        sumsFlat(src, sOff, pt, w, wOff, bias, dst, dOff, pA * width, pB * width);
      }
      for (int p = 0; p < pA; p++) {
        sumEdgeRow(src, sOff, pt, p, w, wOff, bias, dst, dOff);
      }
      for (int p = pB; p < pt.dstH(); p++) {
        sumEdgeRow(src, sOff, pt, p, w, wOff, bias, dst, dOff);
      }
      return;
    }
    int[] off = new int[pt.taps()];
    for (int t = 0; t < off.length; t++) {
      off[t] = pt.tapOffset(t / pt.s(), t % pt.s());
    }
    boolean[] valid = new boolean[pt.taps() * VL]; // per tap, its valid lanes in this column
    for (int q = 0; q < width; q += VL) {
      for (int t = 0; t < off.length; t++) {
        int j = t % pt.s();
        for (int l = 0; l < VL; l++) {
          valid[t * VL + l] = q + l >= pt.colFrom(j) && q + l < pt.colTo(j);
        }
      }
      int p = 0;
      for (; p < pA; p++) {
        sumRow(src, sOff, pt, p, off, valid, w, wOff, bias, dst, dOff, q);
      }
      for (; p + 4 <= pB; p += 4) {
        sumRows4(src, sOff + p * pt.srcW() + q, pt, off, valid, w, wOff, bias, dst,
            dOff + p * width + q, q);
      }
      for (; p < pt.dstH(); p++) {
        sumRow(src, sOff, pt, p, off, valid, w, wOff, bias, dst, dOff, q);
      }
    }
  }

  /** One row's vector at column q: the kernel rows that reach the source, column by column. */
  private static void sumRow(float[] src, int sOff, PlaneTaps pt, int p, int[] off,
      boolean[] valid, float[] w, int wOff, float bias, float[] dst, int dOff, int q) {
    int i0 = pt.kernelRowFrom(p);
    int i1 = pt.kernelRowTo(p);
    int s = sOff + p * pt.srcW() + q;
    int cols = pt.s();
    FloatVector a = FloatVector.broadcast(SPECIES, bias);
    for (int j = 0; j < cols; j++) {
      FloatVector part = FloatVector.zero(SPECIES);
      for (int i = i0; i < i1; i++) {
        int t = i * cols + j;
        VectorMask<Float> m = VectorMask.fromArray(SPECIES, valid, t * VL);
        part = FloatVector.fromArray(SPECIES, src, s + off[t], m)
            .fma(FloatVector.broadcast(SPECIES, w[wOff + t]), part);
      }
      a = a.add(part);
    }
    a.intoArray(dst, dOff + p * pt.dstW() + q, first(pt.dstW() - q));
  }

  /** Four rows' vectors at one column, every kernel row valid: mask and weight shared. */
  private static void sumRows4(float[] src, int s, PlaneTaps pt, int[] off, boolean[] valid,
      float[] w, int wOff, float bias, float[] dst, int d, int q) {
    int ss = pt.srcW();
    int ds = pt.dstW();
    int cols = pt.s();
    FloatVector a0 = FloatVector.broadcast(SPECIES, bias);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    for (int j = 0; j < cols; j++) {
      FloatVector p0 = FloatVector.zero(SPECIES);
      FloatVector p1 = p0;
      FloatVector p2 = p0;
      FloatVector p3 = p0;
      for (int i = 0; i < pt.r(); i++) {
        int t = i * cols + j;
        VectorMask<Float> m = VectorMask.fromArray(SPECIES, valid, t * VL);
        FloatVector c = FloatVector.broadcast(SPECIES, w[wOff + t]);
        int o = s + off[t];
        p0 = FloatVector.fromArray(SPECIES, src, o, m).fma(c, p0);
        p1 = FloatVector.fromArray(SPECIES, src, o + ss, m).fma(c, p1);
        p2 = FloatVector.fromArray(SPECIES, src, o + 2 * ss, m).fma(c, p2);
        p3 = FloatVector.fromArray(SPECIES, src, o + 3 * ss, m).fma(c, p3);
      }
      a0 = a0.add(p0);
      a1 = a1.add(p1);
      a2 = a2.add(p2);
      a3 = a3.add(p3);
    }
    VectorMask<Float> store = first(ds - q);
    a0.intoArray(dst, d, store);
    a1.intoArray(dst, d + ds, store);
    a2.intoArray(dst, d + 2 * ds, store);
    a3.intoArray(dst, d + 3 * ds, store);
  }

  /**
   * Same-width planes, results [f0, f1) by flat index, whole rows that every kernel row
   * reaches: vectors whose reads stay inside the source plane run unmasked four at a time,
   * the others (the run's ends) masked, one at a time.
   */
  private static void sumsFlat(float[] src, int sOff, PlaneTaps pt, float[] w, int wOff,
      float bias, float[] dst, int dOff, int f0, int f1) {
    if (slides3x3(pt)) {
      int b0 = bulkFrom(pt, dOff, f0, f1);
      int b1 = bulkTo(pt, b0, f1);
      for (int f = f0; f < b0; f += VL) {
        sumFlatMasked(src, sOff, pt, 0, pt.r(), w, wOff, bias, dst, dOff, f, b0);
      }
      if (b0 < b1) {
        sums3x3(src, sOff, pt, w, wOff, bias, dst, dOff, b0, b1);
      }
      for (int f = b1; f < f1; f += VL) {
        sumFlatMasked(src, sOff, pt, 0, pt.r(), w, wOff, bias, dst, dOff, f, f1);
      }
      return;
    }
    int lo = Integer.MAX_VALUE; // the taps' offsets: a vector's reads reach [f + lo, f + VL + hi)
    int hi = Integer.MIN_VALUE;
    for (int i = 0; i < pt.r(); i++) {
      for (int j = 0; j < pt.s(); j++) {
        lo = Math.min(lo, pt.tapOffset(i, j));
        hi = Math.max(hi, pt.tapOffset(i, j));
      }
    }
    int plane = pt.srcH() * pt.srcW();
    int f = f0;
    for (; f < f1 && (f + lo < 0 || f + VL + hi > plane || f + VL > f1); f += VL) {
      sumFlatMasked(src, sOff, pt, 0, pt.r(), w, wOff, bias, dst, dOff, f, f1);
    }
    for (; f + 4 * VL <= f1 && f + 4 * VL + hi <= plane; f += 4 * VL) {
      sumFlat4(src, sOff + f, pt, w, wOff, bias, dst, dOff + f, f % pt.maskPeriod());
    }
    for (; f < f1; f += VL) {
      sumFlatMasked(src, sOff, pt, 0, pt.r(), w, wOff, bias, dst, dOff, f, f1);
    }
  }

  /**
   * Four vectors from a flat index at {@code q} in the mask period: per kernel column, the
   * kernel rows' taps summed unmasked, then the lanes whose column the kernel column cannot
   * reach dropped by a select.
   */
  private static void sumFlat4(float[] src, int s, PlaneTaps pt, float[] w, int wOff,
      float bias, float[] dst, int d, int q) {
    boolean[] cm = pt.columnMask();
    int ms = pt.maskStride();
    int cols = pt.s();
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector a0 = FloatVector.broadcast(SPECIES, bias);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    for (int j = 0; j < cols; j++) {
      FloatVector p0 = zero;
      FloatVector p1 = zero;
      FloatVector p2 = zero;
      FloatVector p3 = zero;
      for (int i = 0; i < pt.r(); i++) {
        int o = s + pt.tapOffset(i, j);
        FloatVector c = FloatVector.broadcast(SPECIES, w[wOff + i * cols + j]);
        p0 = FloatVector.fromArray(SPECIES, src, o).fma(c, p0);
        p1 = FloatVector.fromArray(SPECIES, src, o + VL).fma(c, p1);
        p2 = FloatVector.fromArray(SPECIES, src, o + 2 * VL).fma(c, p2);
        p3 = FloatVector.fromArray(SPECIES, src, o + 3 * VL).fma(c, p3);
      }
      int mk = j * ms + q;
      a0 = a0.add(zero.blend(p0, VectorMask.fromArray(SPECIES, cm, mk)));
      a1 = a1.add(zero.blend(p1, VectorMask.fromArray(SPECIES, cm, mk + VL)));
      a2 = a2.add(zero.blend(p2, VectorMask.fromArray(SPECIES, cm, mk + 2 * VL)));
      a3 = a3.add(zero.blend(p3, VectorMask.fromArray(SPECIES, cm, mk + 3 * VL)));
    }
    a0.intoArray(dst, d);
    a1.intoArray(dst, d + VL);
    a2.intoArray(dst, d + 2 * VL);
    a3.intoArray(dst, d + 3 * VL);
  }

  /**
   * The bulk of a 3x3 same-width plane, vectors [b0, b1): each kernel row's source a sliding
   * window (one load per vector, the shifted views made by {@code slice}); per kernel column
   * the three rows' taps summed, the wrapped lanes dropped by a select, as in
   * {@link #sumFlatMasked}, so every element gets the same bits either way.
   */
  private static void sums3x3(float[] src, int sOff, PlaneTaps pt, float[] w, int wOff,
      float bias, float[] dst, int dOff, int b0, int b1) {
    boolean[] cm = pt.columnMask();
    int ms = pt.maskStride();
    int r0 = sOff + pt.tapOffset(0, 0);
    int r1 = sOff + pt.tapOffset(1, 0);
    int r2 = sOff + pt.tapOffset(2, 0);
    FloatVector w00 = FloatVector.broadcast(SPECIES, w[wOff]);
    FloatVector w01 = FloatVector.broadcast(SPECIES, w[wOff + 1]);
    FloatVector w02 = FloatVector.broadcast(SPECIES, w[wOff + 2]);
    FloatVector w10 = FloatVector.broadcast(SPECIES, w[wOff + 3]);
    FloatVector w11 = FloatVector.broadcast(SPECIES, w[wOff + 4]);
    FloatVector w12 = FloatVector.broadcast(SPECIES, w[wOff + 5]);
    FloatVector w20 = FloatVector.broadcast(SPECIES, w[wOff + 6]);
    FloatVector w21 = FloatVector.broadcast(SPECIES, w[wOff + 7]);
    FloatVector w22 = FloatVector.broadcast(SPECIES, w[wOff + 8]);
    FloatVector b = FloatVector.broadcast(SPECIES, bias);
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector x0 = FloatVector.fromArray(SPECIES, src, r0 + b0);
    FloatVector x1 = FloatVector.fromArray(SPECIES, src, r1 + b0);
    FloatVector x2 = FloatVector.fromArray(SPECIES, src, r2 + b0);
    int period = pt.maskPeriod();
    for (int c0 = b0; c0 < b1; c0 += PlaneTaps.MASK_RUN) { // mask index: q + f, affine in f
      int q = c0 % period - c0;
      for (int f = c0; f < Math.min(b1, c0 + PlaneTaps.MASK_RUN); f += VL) {
        FloatVector n0 = FloatVector.fromArray(SPECIES, src, r0 + f + VL);
        FloatVector n1 = FloatVector.fromArray(SPECIES, src, r1 + f + VL);
        FloatVector n2 = FloatVector.fromArray(SPECIES, src, r2 + f + VL);
        FloatVector p0 = x2.fma(w20, x1.fma(w10, x0.fma(w00, zero)));
        FloatVector p1 = x2.slice(1, n2).fma(w21, x1.slice(1, n1).fma(w11,
            x0.slice(1, n0).fma(w01, zero)));
        FloatVector p2 = x2.slice(2, n2).fma(w22, x1.slice(2, n1).fma(w12,
            x0.slice(2, n0).fma(w02, zero)));
        b.add(zero.blend(p0, VectorMask.fromArray(SPECIES, cm, q + f)))
            .add(zero.blend(p1, VectorMask.fromArray(SPECIES, cm, ms + q + f)))
            .add(zero.blend(p2, VectorMask.fromArray(SPECIES, cm, 2 * ms + q + f)))
            .intoArray(dst, dOff + f);
        x0 = n0;
        x1 = n1;
        x2 = n2;
      }
    }
  }

  /** A same-width plane's row that some kernel rows miss: its kernel rows, masked vectors. */
  private static void sumEdgeRow(float[] src, int sOff, PlaneTaps pt, int p, float[] w,
      int wOff, float bias, float[] dst, int dOff) {
    int i0 = pt.kernelRowFrom(p);
    int i1 = pt.kernelRowTo(p);
    int end = (p + 1) * pt.dstW();
    for (int f = p * pt.dstW(); f < end; f += VL) {
      sumFlatMasked(src, sOff, pt, i0, i1, w, wOff, bias, dst, dOff, f, end);
    }
  }

  /**
   * One vector from flat index f, cut at f1, kernel rows [i0, i1) (those that reach the
   * source from the vector's row), every load masked: the bulk's sums, the bulk's bits.
   */
  private static void sumFlatMasked(float[] src, int sOff, PlaneTaps pt, int i0, int i1,
      float[] w, int wOff, float bias, float[] dst, int dOff, int f, int f1) {
    boolean[] cm = pt.columnMask();
    int ms = pt.maskStride();
    int cols = pt.s();
    VectorMask<Float> in = first(f1 - f);
    int q = f % pt.maskPeriod();
    FloatVector a = FloatVector.broadcast(SPECIES, bias);
    for (int j = 0; j < cols; j++) {
      VectorMask<Float> m = VectorMask.fromArray(SPECIES, cm, j * ms + q).and(in);
      FloatVector part = FloatVector.zero(SPECIES);
      for (int i = i0; i < i1; i++) {
        part = FloatVector.fromArray(SPECIES, src, sOff + pt.tapOffset(i, j) + f, m)
            .fma(FloatVector.broadcast(SPECIES, w[wOff + i * cols + j]), part);
      }
      a = a.add(part);
    }
    a.intoArray(dst, dOff + f, in);
  }

  /**
   * Whether a same-width plane has a 3x3 kernel with adjacent columns (no column dilation):
   * the case the sliding-window bulk kernels serve.
   */
  static boolean slides3x3(PlaneTaps pt) {
    return pt.sameWidth() && pt.r() == 3 && pt.s() == 3
        && pt.tapOffset(0, 1) - pt.tapOffset(0, 0) == 1;
  }

  /**
   * Where the bulk of [f0, f1) starts: the first index whose sliding windows start inside the
   * plane and that puts {@code base + b} on a vector boundary (aligned stores or dy loads; the
   * masked paths take the few vectors before it).
   */
  private static int bulkFrom(PlaneTaps pt, int base, int f0, int f1) {
    int m = Math.max(f0, -pt.tapOffset(0, 0));
    return Math.min(f1, m + Math.floorMod(-(base + m), VL));
  }

  /**
   * The end of the whole vectors from b0 inside [b0, f1) whose windows (the vector and the
   * next, per kernel row) stay inside the source plane.
   */
  private static int bulkTo(PlaneTaps pt, int b0, int f1) {
    int room = pt.srcH() * pt.srcW() - VL - pt.tapOffset(2, 0) - b0;
    return b0 + Math.max(0, Math.min(f1 - b0, room)) / VL * VL;
  }

  // ------------------------------------------------------------------ dots (weight gradient)

  static void dots(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt, float[] acc,
      int accOff) {
    int width = pt.dstW();
    if (slides3x3(pt)) {
      int pA = pt.fullRowFrom(); // rows [pA, pB): the bulk
      int pB = pt.fullRowTo();
      if (pA < pB && !dots3x3(a, aOff, src, sOff, pt, pA * width, pB * width, acc, accOff)) {
        pB = pA; // not finite: the rows go the exact way below
      }
      for (int i = 0; i < 3; i++) { // the other rows each kernel row reaches
        int p0 = pt.rowFrom(i);
        int p1 = pt.rowTo(i);
        dotRow3(a, aOff, src, sOff, pt, i, p0 * width, Math.min(p1, pA) * width, acc, accOff);
        dotRow3(a, aOff, src, sOff, pt, i, Math.max(p0, pB) * width, p1 * width, acc, accOff);
      }
      return;
    }
    for (int i = 0; i < pt.r(); i++) {
      int p0 = pt.rowFrom(i);
      int p1 = pt.rowTo(i);
      for (int j = 0; j < pt.s(); j++) {
        int lo = pt.colFrom(j);
        int hi = pt.colTo(j);
        if (p0 >= p1 || lo >= hi) {
          continue;
        }
        int o = sOff + pt.tapOffset(i, j);
        int at = accOff + (i * pt.s() + j) * VL;
        if (pt.sameWidth()) {
          dotFlat(a, aOff, src, o, pt, j * pt.maskStride(), p0 * width, p1 * width, acc, at);
          continue;
        }
        for (int q = lo / VL * VL; q < hi; q += VL) {
          dotColumn(a, aOff + q, width, src, o + q, pt.srcW(), p0, p1, lo - q, hi - q, acc, at);
        }
      }
    }
  }

  /**
   * A 3x3 kernel on same-width planes, results [f0, f1), whole rows every kernel row reaches:
   * dy selected once per kernel column, each source vector read unmasked. The run's end
   * vectors whose reads would leave the plane go the exact way. Wrapped lanes multiply a zero
   * dy by a source value from elsewhere, so a non-finite source can leave a NaN where the
   * definition has no term: then nothing is added and false is returned (the caller redoes
   * the rows exactly).
   */
  private static boolean dots3x3(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt,
      int f0, int f1, float[] acc, int accOff) {
    int b0 = bulkFrom(pt, aOff, f0, f1);
    int b1 = bulkTo(pt, b0, f1);
    float[] part = new float[9 * VL];
    if (b0 < b1 && !bulk3x3(a, aOff, src, sOff, pt, b0, b1, part)) {
      return false;
    }
    for (int t = 0; t < 9; t++) {
      int at = accOff + t * VL;
      FloatVector.fromArray(SPECIES, acc, at).add(FloatVector.fromArray(SPECIES, part, t * VL))
          .intoArray(acc, at);
    }
    for (int i = 0; i < 3; i++) {
      dotRow3(a, aOff, src, sOff, pt, i, f0, b0, acc, accOff);
      dotRow3(a, aOff, src, sOff, pt, i, b1, f1, acc, accOff);
    }
    return true;
  }

  /**
   * Kernel row {@code i} of a {@link #slides3x3} plane over results [f0, f1), its three taps
   * at once: each dy vector loaded once and selected per kernel column, every load masked
   * (the exact path for edge rows and a run's end vectors; one tap at a time, each vector
   * would pay a mask build and a division per tap).
   */
  private static void dotRow3(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt, int i,
      int f0, int f1, float[] acc, int accOff) {
    if (f0 >= f1) {
      return;
    }
    boolean[] cm = pt.columnMask();
    int ms = pt.maskStride();
    int period = pt.maskPeriod();
    int o0 = sOff + pt.tapOffset(i, 0);
    int o1 = sOff + pt.tapOffset(i, 1);
    int o2 = sOff + pt.tapOffset(i, 2);
    int at = accOff + 3 * i * VL;
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector s0 = FloatVector.fromArray(SPECIES, acc, at);
    FloatVector s1 = FloatVector.fromArray(SPECIES, acc, at + VL);
    FloatVector s2 = FloatVector.fromArray(SPECIES, acc, at + 2 * VL);
    for (int c0 = f0; c0 < f1; c0 += PlaneTaps.MASK_RUN) { // mask index: q + f, affine in f
      int q = c0 % period - c0;
      for (int f = c0; f < Math.min(f1, c0 + PlaneTaps.MASK_RUN); f += VL) {
        VectorMask<Float> in = first(f1 - f);
        VectorMask<Float> m0 = VectorMask.fromArray(SPECIES, cm, q + f).and(in);
        VectorMask<Float> m1 = VectorMask.fromArray(SPECIES, cm, ms + q + f).and(in);
        VectorMask<Float> m2 = VectorMask.fromArray(SPECIES, cm, 2 * ms + q + f).and(in);
        FloatVector d = FloatVector.fromArray(SPECIES, a, aOff + f, in);
        s0 = zero.blend(d, m0).fma(FloatVector.fromArray(SPECIES, src, o0 + f, m0), s0);
        s1 = zero.blend(d, m1).fma(FloatVector.fromArray(SPECIES, src, o1 + f, m1), s1);
        s2 = zero.blend(d, m2).fma(FloatVector.fromArray(SPECIES, src, o2 + f, m2), s2);
      }
    }
    s0.intoArray(acc, at);
    s1.intoArray(acc, at + VL);
    s2.intoArray(acc, at + 2 * VL);
  }

  /**
   * The bulk of {@link #dots3x3}: nine accumulators, from and back to {@code part}; false if
   * not finite (then {@code part} is left as it was).
   */
  private static boolean bulk3x3(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt,
      int b0, int b1, float[] part) {
    boolean[] cm = pt.columnMask();
    int ms = pt.maskStride();
    int r0 = sOff + pt.tapOffset(0, 0);
    int r1 = sOff + pt.tapOffset(1, 0);
    int r2 = sOff + pt.tapOffset(2, 0);
    int c1 = pt.tapOffset(0, 1) - pt.tapOffset(0, 0);
    int c2 = pt.tapOffset(0, 2) - pt.tapOffset(0, 0);
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector s00 = FloatVector.fromArray(SPECIES, part, 0);
    FloatVector s01 = FloatVector.fromArray(SPECIES, part, VL);
    FloatVector s02 = FloatVector.fromArray(SPECIES, part, 2 * VL);
    FloatVector s10 = FloatVector.fromArray(SPECIES, part, 3 * VL);
    FloatVector s11 = FloatVector.fromArray(SPECIES, part, 4 * VL);
    FloatVector s12 = FloatVector.fromArray(SPECIES, part, 5 * VL);
    FloatVector s20 = FloatVector.fromArray(SPECIES, part, 6 * VL);
    FloatVector s21 = FloatVector.fromArray(SPECIES, part, 7 * VL);
    FloatVector s22 = FloatVector.fromArray(SPECIES, part, 8 * VL);
    int period = pt.maskPeriod();
    for (int c0 = b0; c0 < b1; c0 += PlaneTaps.MASK_RUN) { // mask index: q + f, affine in f
      int q = c0 % period - c0;
      for (int f = c0; f < Math.min(b1, c0 + PlaneTaps.MASK_RUN); f += VL) {
        FloatVector d = FloatVector.fromArray(SPECIES, a, aOff + f);
        FloatVector d0 = zero.blend(d, VectorMask.fromArray(SPECIES, cm, q + f));
        FloatVector d1 = zero.blend(d, VectorMask.fromArray(SPECIES, cm, ms + q + f));
        FloatVector d2 = zero.blend(d, VectorMask.fromArray(SPECIES, cm, 2 * ms + q + f));
        s00 = d0.fma(FloatVector.fromArray(SPECIES, src, r0 + f), s00);
        s01 = d1.fma(FloatVector.fromArray(SPECIES, src, r0 + c1 + f), s01);
        s02 = d2.fma(FloatVector.fromArray(SPECIES, src, r0 + c2 + f), s02);
        s10 = d0.fma(FloatVector.fromArray(SPECIES, src, r1 + f), s10);
        s11 = d1.fma(FloatVector.fromArray(SPECIES, src, r1 + c1 + f), s11);
        s12 = d2.fma(FloatVector.fromArray(SPECIES, src, r1 + c2 + f), s12);
        s20 = d0.fma(FloatVector.fromArray(SPECIES, src, r2 + f), s20);
        s21 = d1.fma(FloatVector.fromArray(SPECIES, src, r2 + c1 + f), s21);
        s22 = d2.fma(FloatVector.fromArray(SPECIES, src, r2 + c2 + f), s22);
      }
    }
    // v - v is 0 for finite v and NaN otherwise
    FloatVector check = s00.sub(s00).add(s01.sub(s01)).add(s02.sub(s02)).add(s10.sub(s10))
        .add(s11.sub(s11)).add(s12.sub(s12)).add(s20.sub(s20)).add(s21.sub(s21))
        .add(s22.sub(s22));
    if (check.test(VectorOperators.IS_NAN).anyTrue()) {
      return false;
    }
    s00.intoArray(part, 0);
    s01.intoArray(part, VL);
    s02.intoArray(part, 2 * VL);
    s10.intoArray(part, 3 * VL);
    s11.intoArray(part, 4 * VL);
    s12.intoArray(part, 5 * VL);
    s20.intoArray(part, 6 * VL);
    s21.intoArray(part, 7 * VL);
    s22.intoArray(part, 8 * VL);
    return true;
  }

  /**
   * Same-width planes, one tap over results [f0, f1) by flat index, every load masked by the
   * tap's kernel column: four accumulators, added in a fixed order into {@code acc[at]}.
   */
  private static void dotFlat(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt,
      int mOff, int f0, int f1, float[] acc, int at) {
    if (f0 >= f1) {
      return;
    }
    FloatVector r0 = FloatVector.zero(SPECIES);
    FloatVector r1 = r0;
    FloatVector r2 = r0;
    FloatVector r3 = r0;
    boolean[] cm = pt.columnMask();
    int period = pt.maskPeriod();
    int f = f0;
    for (int c0 = f0; c0 + 4 * VL <= f1; c0 += PlaneTaps.MASK_RUN) { // mask index q + f
      int q = mOff + c0 % period - c0;
      for (f = c0; f + 4 * VL <= Math.min(f1, c0 + PlaneTaps.MASK_RUN); f += 4 * VL) {
        VectorMask<Float> m0 = VectorMask.fromArray(SPECIES, cm, q + f);
        VectorMask<Float> m1 = VectorMask.fromArray(SPECIES, cm, q + f + VL);
        VectorMask<Float> m2 = VectorMask.fromArray(SPECIES, cm, q + f + 2 * VL);
        VectorMask<Float> m3 = VectorMask.fromArray(SPECIES, cm, q + f + 3 * VL);
        r0 = FloatVector.fromArray(SPECIES, a, aOff + f, m0)
            .fma(FloatVector.fromArray(SPECIES, src, sOff + f, m0), r0);
        r1 = FloatVector.fromArray(SPECIES, a, aOff + f + VL, m1)
            .fma(FloatVector.fromArray(SPECIES, src, sOff + f + VL, m1), r1);
        r2 = FloatVector.fromArray(SPECIES, a, aOff + f + 2 * VL, m2)
            .fma(FloatVector.fromArray(SPECIES, src, sOff + f + 2 * VL, m2), r2);
        r3 = FloatVector.fromArray(SPECIES, a, aOff + f + 3 * VL, m3)
            .fma(FloatVector.fromArray(SPECIES, src, sOff + f + 3 * VL, m3), r3);
      }
    }
    FloatVector.fromArray(SPECIES, acc, at).add(r0.add(r1).add(r2.add(r3))).intoArray(acc, at);
    if (f < f1) {
      dotFlatTail(a, aOff, src, sOff, pt, mOff, f, f1, acc, at);
    }
  }

  /** The vectors of [f, f1) that {@link #dotFlat} leaves, the last cut at f1. */
  private static void dotFlatTail(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt,
      int mOff, int f, int f1, float[] acc, int at) {
    boolean[] cm = pt.columnMask();
    int period = pt.maskPeriod();
    FloatVector r0 = FloatVector.fromArray(SPECIES, acc, at);
    for (; f < f1; f += VL) {
      VectorMask<Float> m = VectorMask.fromArray(SPECIES, cm, mOff + f % period)
          .and(first(f1 - f));
      r0 = FloatVector.fromArray(SPECIES, a, aOff + f, m)
          .fma(FloatVector.fromArray(SPECIES, src, sOff + f, m), r0);
    }
    r0.intoArray(acc, at);
  }

  /**
   * Other planes: one vector column, rows [p0, p1), lanes [from, to): four row accumulators,
   * added in order to the partials at {@code acc[at]}.
   */
  private static void dotColumn(float[] a, int a0, int as, float[] src, int s0, int ss,
      int p0, int p1, int from, int to, float[] acc, int at) {
    VectorMask<Float> m = lanes(from, to);
    FloatVector r0 = FloatVector.zero(SPECIES);
    FloatVector r1 = r0;
    FloatVector r2 = r0;
    FloatVector r3 = r0;
    int p = p0;
    for (; p + 4 <= p1; p += 4) {
      int ai = a0 + p * as;
      int si = s0 + p * ss;
      r0 = FloatVector.fromArray(SPECIES, a, ai, m)
          .fma(FloatVector.fromArray(SPECIES, src, si, m), r0);
      r1 = FloatVector.fromArray(SPECIES, a, ai + as, m)
          .fma(FloatVector.fromArray(SPECIES, src, si + ss, m), r1);
      r2 = FloatVector.fromArray(SPECIES, a, ai + 2 * as, m)
          .fma(FloatVector.fromArray(SPECIES, src, si + 2 * ss, m), r2);
      r3 = FloatVector.fromArray(SPECIES, a, ai + 3 * as, m)
          .fma(FloatVector.fromArray(SPECIES, src, si + 3 * ss, m), r3);
    }
    for (; p < p1; p++) {
      r0 = FloatVector.fromArray(SPECIES, a, a0 + p * as, m)
          .fma(FloatVector.fromArray(SPECIES, src, s0 + p * ss, m), r0);
    }
    FloatVector.fromArray(SPECIES, acc, at).add(r0.add(r1).add(r2.add(r3))).intoArray(acc, at);
  }
}
