package org.vconv.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** {@link ArrayKernels} on FloatVector lanes of {@link PanamaProvider#SPECIES}. */
final class PanamaArrayKernels implements ArrayKernels {
  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;
  private static final int L = SPECIES.length();
  /** Doubles in a vector of the same size: half a float vector's lanes. */
  private static final VectorSpecies<Double> DOUBLES =
      VectorSpecies.of(double.class, VectorShape.forBitSize(SPECIES.vectorBitSize()));

  // Stride 2 as one-vector permutes and blends, which AVX2 has too (the two-vector
  // selectFrom is AVX-512 only and would fall back to boxed Java code there).
  /** Lane j takes lane 2j mod L: the even lanes of a vector, twice. */
  private static final VectorShuffle<Float> EVENS =
      VectorShuffle.fromOp(SPECIES, j -> 2 * j % L);
  /** Lane j takes lane j/2, then lane L/2 + j/2: a half spread over the even lanes. */
  private static final VectorShuffle<Float> SPREAD_LOW =
      VectorShuffle.fromOp(SPECIES, j -> j / 2);
  private static final VectorShuffle<Float> SPREAD_HIGH =
      VectorShuffle.fromOp(SPECIES, j -> L / 2 + j / 2);
  private static final VectorMask<Float> HIGH_HALF =
      VectorMask.fromLong(SPECIES, -1L << (L / 2));
  private static final VectorMask<Float> EVEN_LANES =
      VectorMask.fromLong(SPECIES, 0x5555_5555_5555_5555L);

  @Override
  public void addInto(float[] src, int sOff, float[] dst, int dOff, int len) {
    int i = 0;
    int bound = SPECIES.loopBound(len);
    for (; i < bound; i += SPECIES.length()) {
      FloatVector.fromArray(SPECIES, dst, dOff + i)
          .add(FloatVector.fromArray(SPECIES, src, sOff + i))
          .intoArray(dst, dOff + i);
    }
    if (i < len) { // the same one add per element, under a mask
      VectorMask<Float> m = PanamaMasks.first(len - i);
      FloatVector.fromArray(SPECIES, dst, dOff + i, m)
          .add(FloatVector.fromArray(SPECIES, src, sOff + i, m))
          .intoArray(dst, dOff + i, m);
    }
  }

  /**
   * Stride 2: two loads, the even lanes of each, one blend, and the last up to {@code L}
   * elements of each row the same way under masks made once per call; stride 1 with rows
   * shorter than {@link #SHORT_ROW}: vector copies, the last one masked (a copy call per row
   * costs more than such a row); other strides and longer rows: the scalar provider's copy or
   * loop per row.
   */
  @Override
  public void gatherStrided(float[] src, int sOff, int sPitch, int stride, float[] dst,
      int dOff, int dPitch, int len, int rows) {
    if (stride == 1 && len > 0 && len < SHORT_ROW) {
      copyShortRows(src, sOff, sPitch, dst, dOff, dPitch, len, rows);
      return;
    }
    if (stride != 2 || len == 0) {
      ScalarArrayKernels.gatherRows(src, sOff, sPitch, stride, dst, dOff, dPitch, len, rows);
      return;
    }
    // i + L < len: the second load ends at src[sOff + 2*(i+L) - 1], before the last read
    int full = (len - 1) / L * L;
    int n = len - full; // the tail: 1..L elements, 2n - 1 floats read
    VectorMask<Float> readLo = PanamaMasks.first(2 * n - 1);
    VectorMask<Float> readHi = PanamaMasks.first(2 * n - 1 - L);
    VectorMask<Float> write = PanamaMasks.first(n);
    for (int r = 0; r < rows; r++, sOff += sPitch, dOff += dPitch) {
      for (int i = 0; i < full; i += L) {
        FloatVector lo = FloatVector.fromArray(SPECIES, src, sOff + 2 * i).rearrange(EVENS);
        FloatVector hi = FloatVector.fromArray(SPECIES, src, sOff + 2 * i + L).rearrange(EVENS);
        lo.blend(hi, HIGH_HALF).intoArray(dst, dOff + i);
      }
      int at = sOff + 2 * full;
      FloatVector lo = FloatVector.fromArray(SPECIES, src, at, readLo).rearrange(EVENS);
      FloatVector hi = FloatVector.fromArray(SPECIES, src, at + L, readHi).rearrange(EVENS);
      lo.blend(hi, HIGH_HALF).intoArray(dst, dOff + full, write);
    }
  }

  /** Rows copied on vectors by {@link #gatherStrided} below this length, by arraycopy above. */
  private static final int SHORT_ROW = 4 * L;

  private static void copyShortRows(float[] src, int sOff, int sPitch, float[] dst, int dOff,
      int dPitch, int len, int rows) {
    int full = len / L * L;
    VectorMask<Float> tail = PanamaMasks.first(len - full);
    for (int r = 0; r < rows; r++, sOff += sPitch, dOff += dPitch) {
      for (int i = 0; i < full; i += L) {
        FloatVector.fromArray(SPECIES, src, sOff + i).intoArray(dst, dOff + i);
      }
      if (full < len) {
        FloatVector.fromArray(SPECIES, src, sOff + full, tail).intoArray(dst, dOff + full, tail);
      }
    }
  }

  /**
   * Stride 2: each source vector is spread over the even lanes of two destination vectors and
   * added there only (the odd lanes are blended back unchanged), the last up to {@code L}
   * elements under masks; stride 1: {@link #addInto}; others: a plain loop. Row by row.
   */
  @Override
  public void addIntoStrided(float[] src, int sOff, int sPitch, float[] dst, int dOff,
      int dPitch, int stride, int len, int rows) {
    assert rows <= 1 || len == 0 || dPitch >= (len - 1) * stride + 1 : "rows overlap";
    for (int r = 0; r < rows; r++, sOff += sPitch, dOff += dPitch) {
      if (stride == 2) {
        pairs(src, sOff, dst, dOff, len, true);
      } else if (stride == 1) {
        addInto(src, sOff, dst, dOff, len);
      } else {
        for (int i = 0; i < len; i++) {
          dst[dOff + i * stride] += src[sOff + i];
        }
      }
    }
  }

  /**
   * Stride 2: as {@link #addIntoStrided}'s, each source vector spread over the even lanes of
   * two destination vectors, which take it there (the odd lanes blended back unchanged);
   * stride 1: the row copies of {@link #gatherStrided}; others: a plain loop. Row by row.
   */
  @Override
  public void scatterStrided(float[] src, int sOff, int sPitch, float[] dst, int dOff,
      int dPitch, int stride, int len, int rows) {
    assert rows <= 1 || len == 0 || dPitch >= (len - 1) * stride + 1 : "rows overlap";
    if (stride == 1) {
      gatherStrided(src, sOff, sPitch, 1, dst, dOff, dPitch, len, rows);
      return;
    }
    if (stride != 2) {
      ScalarArrayKernels.scatterRows(src, sOff, sPitch, dst, dOff, dPitch, stride, len, rows);
      return;
    }
    for (int r = 0; r < rows; r++, sOff += sPitch, dOff += dPitch) {
      pairs(src, sOff, dst, dOff, len, false);
    }
  }

  /**
   * One row of a stride-2 {@link #addIntoStrided} ({@code add}) or {@link #scatterStrided}: each
   * source vector spread over the even lanes of two destination vectors, added there or taking
   * them, the odd lanes blended back unchanged.
   */
  private static void pairs(float[] src, int sOff, float[] dst, int dOff, int len,
      boolean add) {
    int i = 0;
    // i + L < len: the vectors end at dst[dOff + 2*(i+L) - 1], before the last element set
    for (; i + L < len; i += L) {
      FloatVector v = FloatVector.fromArray(SPECIES, src, sOff + i);
      int at = dOff + 2 * i;
      FloatVector lo = FloatVector.fromArray(SPECIES, dst, at);
      FloatVector hi = FloatVector.fromArray(SPECIES, dst, at + L);
      FloatVector vLo = v.rearrange(SPREAD_LOW);
      FloatVector vHi = v.rearrange(SPREAD_HIGH);
      lo.blend(add ? lo.add(vLo) : vLo, EVEN_LANES).intoArray(dst, at);
      hi.blend(add ? hi.add(vHi) : vHi, EVEN_LANES).intoArray(dst, at + L);
    }
    if (i < len) {
      pairsTail(src, sOff + i, dst, dOff + 2 * i, len - i, add);
    }
  }

  /** The last {@code n} (1..L) elements of {@link #pairs}: touches {@code 2n - 1} floats. */
  private static void pairsTail(float[] src, int sOff, float[] dst, int dOff, int n,
      boolean add) {
    int span = 2 * n - 1;
    VectorMask<Float> mLo = PanamaMasks.first(span);
    VectorMask<Float> mHi = PanamaMasks.first(span - L);
    FloatVector v = FloatVector.fromArray(SPECIES, src, sOff, PanamaMasks.first(n));
    FloatVector lo = FloatVector.fromArray(SPECIES, dst, dOff, mLo);
    FloatVector hi = FloatVector.fromArray(SPECIES, dst, dOff + L, mHi);
    FloatVector vLo = v.rearrange(SPREAD_LOW);
    FloatVector vHi = v.rearrange(SPREAD_HIGH);
    lo.blend(add ? lo.add(vLo) : vLo, EVEN_LANES).intoArray(dst, dOff, mLo);
    hi.blend(add ? hi.add(vHi) : vHi, EVEN_LANES).intoArray(dst, dOff + L, mHi);
  }

  @Override
  public void addTaps(int stride, float[] src, int sOff, int tapPitch, int sPitch,
      float[] dst, int dOff, int dPitch, int width, int[] iw, int[] qLo, int[] len, int rows) {
    assert stride == 1 || stride == 2 : "stride " + stride;
    if (stride == 1) {
      addTapsStride1(src, sOff, tapPitch, sPitch, dst, dOff, dPitch, width, iw, qLo, len, rows);
    } else {
      addTapsStride2(src, sOff, tapPitch, sPitch, dst, dOff, dPitch, width, iw, qLo, len, rows);
    }
  }

  /**
   * Chunk by chunk of {@code L} columns, then row by row: a row's chunk takes every tap's run
   * (one source vector loaded at the tap's shift, under the mask of the columns the tap
   * reaches) before it is stored. The masks depend on the chunk and the tap only, so they are
   * made once per chunk, as bits.
   */
  private static void addTapsStride1(float[] src, int sOff, int tapPitch, int sPitch,
      float[] dst, int dOff, int dPitch, int width, int[] iw, int[] qLo, int[] len, int rows) {
    assert rows <= 1 || dPitch >= width : "rows overlap";
    int taps = iw.length;
    long[] bits = new long[taps];
    int[] from = new int[taps];
    for (int b = 0; b < width; b += L) { // the chunk: columns [b, b + L) of each row
      for (int s = 0; s < taps; s++) {
        int first = iw[s] - b; // lane j takes the tap's element j - first
        bits[s] = prefix(first + len[s]) & ~prefix(first);
        from[s] = sOff + s * tapPitch + qLo[s] - first;
      }
      VectorMask<Float> in = VectorMask.fromLong(SPECIES, prefix(width - b));
      for (int r = 0, d = dOff + b; r < rows; r++, d += dPitch) {
        FloatVector acc = FloatVector.fromArray(SPECIES, dst, d, in);
        for (int s = 0; s < taps; s++) {
          // lanes outside the tap's run are masked off, so their indexes may leave src, and
          // they keep their bits (a -0 plus a masked-off +0 would turn +0)
          VectorMask<Float> m = VectorMask.fromLong(SPECIES, bits[s]);
          acc = acc.add(FloatVector.fromArray(SPECIES, src, from[s] + r * sPitch, m), m);
        }
        acc.intoArray(dst, d, in);
      }
    }
  }

  /**
   * Chunk by chunk of {@code 2L} columns, then row by row: the two vectors of a row's chunk
   * take every tap's run (one source vector spread over the even and odd lanes, added where the
   * tap's columns are) before they are stored. The lane masks depend on the chunk and the tap
   * only, so they are made once per chunk, as bits.
   */
  private static void addTapsStride2(float[] src, int sOff, int tapPitch, int sPitch,
      float[] dst, int dOff, int dPitch, int width, int[] iw, int[] qLo, int[] len, int rows) {
    assert rows <= 1 || dPitch >= width : "rows overlap";
    int taps = iw.length;
    long[] bits = new long[3 * taps]; // per tap: source lanes, low and high vector's lanes
    int[] from = new int[taps];
    for (int b = 0; b < width; b += 2 * L) { // the chunk: columns [b, b + 2L) of each row
      for (int s = 0; s < taps; s++) {
        int i0 = (b + (iw[s] & 1) - iw[s]) / 2; // source lane j: the tap's element i0 + j
        long lanes = prefix(len[s] - i0) & ~prefix(-i0);
        bits[3 * s] = lanes;
        bits[3 * s + 1] = spread(lanes, iw[s] & 1, 0);
        bits[3 * s + 2] = spread(lanes, iw[s] & 1, L / 2);
        from[s] = sOff + s * tapPitch + qLo[s] + i0;
      }
      VectorMask<Float> inLo = VectorMask.fromLong(SPECIES, prefix(width - b));
      VectorMask<Float> inHi = VectorMask.fromLong(SPECIES, prefix(width - b - L));
      if (taps == 3) {
        threeTaps(src, from[0], from[1], from[2], sPitch, dst, dOff + b, dPitch, rows, bits, inLo,
            inHi);
        continue;
      }
      for (int r = 0, d = dOff + b; r < rows; r++, d += dPitch) {
        FloatVector lo = FloatVector.fromArray(SPECIES, dst, d, inLo);
        FloatVector hi = FloatVector.fromArray(SPECIES, dst, d + L, inHi);
        for (int s = 0; s < taps; s++) {
          FloatVector v = FloatVector.fromArray(SPECIES, src, from[s] + r * sPitch,
              VectorMask.fromLong(SPECIES, bits[3 * s]));
          lo = lo.blend(lo.add(v.rearrange(SPREAD_LOW)),
              VectorMask.fromLong(SPECIES, bits[3 * s + 1]));
          hi = hi.blend(hi.add(v.rearrange(SPREAD_HIGH)),
              VectorMask.fromLong(SPECIES, bits[3 * s + 2]));
        }
        lo.intoArray(dst, d, inLo);
        hi.intoArray(dst, d + L, inHi);
      }
    }
  }

  /**
   * {@link #addTapsStride2}'s chunk for three taps, unrolled, the nine masks made once for all
   * rows rather than per tap.
   */
  private static void threeTaps(float[] src, int f0, int f1, int f2, int sPitch, float[] dst,
      int d, int dPitch, int rows, long[] bits, VectorMask<Float> inLo, VectorMask<Float> inHi) {
    VectorMask<Float> lo0 = VectorMask.fromLong(SPECIES, bits[1]);
    VectorMask<Float> lo1 = VectorMask.fromLong(SPECIES, bits[4]);
    VectorMask<Float> lo2 = VectorMask.fromLong(SPECIES, bits[7]);
    VectorMask<Float> hi0 = VectorMask.fromLong(SPECIES, bits[2]);
    VectorMask<Float> hi1 = VectorMask.fromLong(SPECIES, bits[5]);
    VectorMask<Float> hi2 = VectorMask.fromLong(SPECIES, bits[8]);
    VectorMask<Float> m0 = VectorMask.fromLong(SPECIES, bits[0]);
    VectorMask<Float> m1 = VectorMask.fromLong(SPECIES, bits[3]);
    VectorMask<Float> m2 = VectorMask.fromLong(SPECIES, bits[6]);
    for (int r = 0; r < rows; r++, d += dPitch, f0 += sPitch, f1 += sPitch, f2 += sPitch) {
      FloatVector lo = FloatVector.fromArray(SPECIES, dst, d, inLo);
      FloatVector hi = FloatVector.fromArray(SPECIES, dst, d + L, inHi);
      FloatVector v0 = FloatVector.fromArray(SPECIES, src, f0, m0);
      FloatVector v1 = FloatVector.fromArray(SPECIES, src, f1, m1);
      FloatVector v2 = FloatVector.fromArray(SPECIES, src, f2, m2);
      lo = lo.blend(lo.add(v0.rearrange(SPREAD_LOW)), lo0);
      hi = hi.blend(hi.add(v0.rearrange(SPREAD_HIGH)), hi0);
      lo = lo.blend(lo.add(v1.rearrange(SPREAD_LOW)), lo1);
      hi = hi.blend(hi.add(v1.rearrange(SPREAD_HIGH)), hi1);
      lo = lo.blend(lo.add(v2.rearrange(SPREAD_LOW)), lo2);
      hi = hi.blend(hi.add(v2.rearrange(SPREAD_HIGH)), hi2);
      lo.intoArray(dst, d, inLo);
      hi.intoArray(dst, d + L, inHi);
    }
  }

  /** Bits of lanes {@code [0, n)}, n clamped to {@code [0, L]}. */
  private static long prefix(int n) {
    return n <= 0 ? 0L : n >= L ? -1L >>> (64 - L) : (1L << n) - 1;
  }

  /** Lane {@code 2(j - from) + parity} for each lane j of {@code [from, from + L/2)} set. */
  private static long spread(long lanes, int parity, int from) {
    long out = 0;
    for (int j = 0; j < L / 2; j++) {
      out |= (lanes >>> (from + j) & 1L) << (2 * j + parity);
    }
    return out;
  }

  @Override
  public void transpose(float[] src, int sOff, int sStride, int cStep, int rows, int cols,
      float[] dst, int dOff, int dStride) {
    PanamaTranspose.transpose(src, sOff, sStride, cStep, rows, cols, dst, dOff, dStride);
  }

  @Override
  public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int len) {
    int i = 0;
    int bound = SPECIES.loopBound(len);
    FloatVector va = FloatVector.broadcast(SPECIES, a);
    for (; i < bound; i += SPECIES.length()) {
      FloatVector.fromArray(SPECIES, x, xOff + i)
          .fma(va, FloatVector.fromArray(SPECIES, y, yOff + i))
          .intoArray(y, yOff + i);
    }
    for (; i < len; i++) {
      y[yOff + i] = Math.fma(a, x[xOff + i], y[yOff + i]); // same rounding as the lanes
    }
  }

  @Override
  public void multiplyAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff,
      int len) {
    int i = 0;
    int bound = SPECIES.loopBound(len);
    for (; i < bound; i += SPECIES.length()) {
      FloatVector.fromArray(SPECIES, a, aOff + i)
          .fma(FloatVector.fromArray(SPECIES, b, bOff + i),
              FloatVector.fromArray(SPECIES, y, yOff + i))
          .intoArray(y, yOff + i);
    }
    for (; i < len; i++) {
      y[yOff + i] = Math.fma(a[aOff + i], b[bOff + i], y[yOff + i]);
    }
  }


  @Override
  public void tapSums(float[] src, int sOff, int[] off, int taps, float[] w, int wOff,
      int wStride, int outs, float[] dst, int dOff, int dStride, int len) {
    PanamaTapKernels.sums(src, sOff, off, taps, w, wOff, wStride, outs, dst, dOff, dStride,
        len);
  }

  @Override
  public int dotLanes() {
    return SPECIES.length();
  }

  @Override
  public void tapDots(float[] a, int aOff, int aStride, int outs, float[] src, int sOff,
      int[] off, int taps, int len, float[] acc, int accOff) {
    PanamaTapKernels.dots(a, aOff, aStride, outs, src, sOff, off, taps, len, acc, accOff);
  }

  @Override
  public void tapProducts(float[] a, int[] aOff, float[] b, int[] bOff, int taps, float[] dst,
      int dOff, int len) {
    PanamaTapKernels.products(a, aOff, b, bOff, taps, dst, dOff, len);
  }

  @Override
  public void planeSums(float[] src, int sOff, PlaneTaps pt, float[] w, int wOff, float bias,
      float[] dst, int dOff, float[] scratch) {
    int floats = PanamaPaddedPlanes.scratchFloats(pt);
    if (scratch != null && floats > 0 && scratch.length >= floats) {
      PanamaPaddedPlanes.sums(src, sOff, pt, w, wOff, bias, dst, dOff, scratch);
    } else {
      PanamaPlaneKernels.sums(src, sOff, pt, w, wOff, bias, dst, dOff);
    }
  }

  @Override
  public int planeSumsScratch(PlaneTaps pt) {
    return PanamaPaddedPlanes.scratchFloats(pt);
  }

  @Override
  public void planeDots(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt, float[] acc,
      int accOff) {
    PanamaPlaneKernels.dots(a, aOff, src, sOff, pt, acc, accOff);
  }

  /**
   * {@code v - v} is 0 for a finite v and NaN otherwise, and NaN survives the sums: two
   * accumulators, so the adds' latency hides behind the loads. The only {@code reduceLanes} in
   * vconv: 0 or NaN is the same in any lane order, which the JIT tiers do not share.
   */
  @Override
  public boolean allFinite(float[] a, int off, int len) {
    int l = SPECIES.length();
    FloatVector s0 = FloatVector.zero(SPECIES);
    FloatVector s1 = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i + 2 * l <= len; i += 2 * l) {
      FloatVector v0 = FloatVector.fromArray(SPECIES, a, off + i);
      FloatVector v1 = FloatVector.fromArray(SPECIES, a, off + i + l);
      s0 = s0.add(v0.sub(v0));
      s1 = s1.add(v1.sub(v1));
    }
    float tail = 0f;
    for (; i < len; i++) { // scalar tail
      tail += a[off + i] - a[off + i];
    }
    return !Float.isNaN(s0.add(s1).reduceLanes(VectorOperators.ADD) + tail);
  }

  /**
   * {@code L} sums at a time when the partials are {@code L} per sum: their {@code L x L} block
   * is transposed, so that partial {@code l} of the {@code L} sums is one row, and the rows are
   * added in lane order (a gather per partial measured slower); other counts of partials, and
   * the rest, on the scalar loop (the same additions).
   */
  @Override
  public void sumLanes(float[] src, int sOff, int lanes, float[] dst, int dOff, int count) {
    int i = 0;
    if (lanes == L) {
      float[] t = new float[L * L]; // the block, transposed
      for (; i + L <= count; i += L) {
        transpose(src, sOff + i * L, L, 1, L, L, t, 0, L);
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int l = 0; l < L; l++) {
          sum = sum.add(FloatVector.fromArray(SPECIES, t, l * L));
        }
        sum.intoArray(dst, dOff + i);
      }
    }
    ScalarArrayKernels.sumLanesScalar(src, sOff, lanes, dst, dOff, i, count);
  }

  /**
   * Two float vectors per step, each widened into its low and high lanes, into four double
   * accumulators; the scalar tail in its own chain; at the end the accumulators pairwise, then
   * their lanes in lane order (not {@code reduceLanes}, whose order the JIT tiers do not share).
   */
  @Override
  public double sumDouble(float[] a, int off, int len) {
    DoubleVector s0 = DoubleVector.zero(DOUBLES);
    DoubleVector s1 = DoubleVector.zero(DOUBLES);
    DoubleVector s2 = DoubleVector.zero(DOUBLES);
    DoubleVector s3 = DoubleVector.zero(DOUBLES);
    int i = 0;
    for (; i + 2 * L <= len; i += 2 * L) {
      FloatVector v0 = FloatVector.fromArray(SPECIES, a, off + i);
      FloatVector v1 = FloatVector.fromArray(SPECIES, a, off + i + L);
      s0 = s0.add((DoubleVector) v0.convertShape(VectorOperators.F2D, DOUBLES, 0));
      s1 = s1.add((DoubleVector) v0.convertShape(VectorOperators.F2D, DOUBLES, 1));
      s2 = s2.add((DoubleVector) v1.convertShape(VectorOperators.F2D, DOUBLES, 0));
      s3 = s3.add((DoubleVector) v1.convertShape(VectorOperators.F2D, DOUBLES, 1));
    }
    double tail = 0;
    for (; i < len; i++) {
      tail += a[off + i];
    }
    DoubleVector s = s0.add(s1).add(s2.add(s3));
    double sum = 0;
    for (int j = 0; j < DOUBLES.length(); j++) {
      sum += s.lane(j);
    }
    return sum + tail;
  }
}
