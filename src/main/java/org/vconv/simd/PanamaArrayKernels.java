package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** {@link ArrayKernels} on FloatVector lanes of {@link PanamaProvider#SPECIES}. */
final class PanamaArrayKernels implements ArrayKernels {
  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;
  private static final int L = SPECIES.length();

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
   * elements the same way under masks; other strides: a plain loop.
   */
  @Override
  public void gatherStrided(float[] src, int sOff, int stride, float[] dst, int dOff,
      int len) {
    if (stride == 2) {
      int i = 0;
      // i + L < len: the second load ends at src[sOff + 2*(i+L) - 1], before the last read
      for (; i + L < len; i += L) {
        FloatVector lo = FloatVector.fromArray(SPECIES, src, sOff + 2 * i).rearrange(EVENS);
        FloatVector hi = FloatVector.fromArray(SPECIES, src, sOff + 2 * i + L).rearrange(EVENS);
        lo.blend(hi, HIGH_HALF).intoArray(dst, dOff + i);
      }
      if (i < len) {
        gatherPairsTail(src, sOff + 2 * i, dst, dOff + i, len - i);
      }
    } else if (stride == 1) {
      System.arraycopy(src, sOff, dst, dOff, len);
    } else {
      for (int i = 0; i < len; i++) {
        dst[dOff + i] = src[sOff + i * stride];
      }
    }
  }

  /** The last {@code n} (1..L) elements of a stride-2 gather: reads {@code 2n - 1} floats. */
  private static void gatherPairsTail(float[] src, int sOff, float[] dst, int dOff, int n) {
    int reads = 2 * n - 1;
    FloatVector lo = FloatVector.fromArray(SPECIES, src, sOff, PanamaMasks.first(reads));
    FloatVector hi = FloatVector.fromArray(SPECIES, src, sOff + L, PanamaMasks.first(reads - L));
    lo.rearrange(EVENS).blend(hi.rearrange(EVENS), HIGH_HALF)
        .intoArray(dst, dOff, PanamaMasks.first(n));
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
        addPairs(src, sOff, dst, dOff, len);
      } else if (stride == 1) {
        addInto(src, sOff, dst, dOff, len);
      } else {
        for (int i = 0; i < len; i++) {
          dst[dOff + i * stride] += src[sOff + i];
        }
      }
    }
  }

  /** One row of a stride-2 {@link #addIntoStrided}. */
  private static void addPairs(float[] src, int sOff, float[] dst, int dOff, int len) {
    int i = 0;
    // i + L < len: the vectors end at dst[dOff + 2*(i+L) - 1], before the last element added
    for (; i + L < len; i += L) {
      FloatVector v = FloatVector.fromArray(SPECIES, src, sOff + i);
      int at = dOff + 2 * i;
      FloatVector lo = FloatVector.fromArray(SPECIES, dst, at);
      FloatVector hi = FloatVector.fromArray(SPECIES, dst, at + L);
      lo.blend(lo.add(v.rearrange(SPREAD_LOW)), EVEN_LANES).intoArray(dst, at);
      hi.blend(hi.add(v.rearrange(SPREAD_HIGH)), EVEN_LANES).intoArray(dst, at + L);
    }
    if (i < len) {
      addPairsTail(src, sOff + i, dst, dOff + 2 * i, len - i);
    }
  }

  /** The last {@code n} (1..L) elements of a stride-2 scatter: touches {@code 2n - 1} floats. */
  private static void addPairsTail(float[] src, int sOff, float[] dst, int dOff, int n) {
    int span = 2 * n - 1;
    VectorMask<Float> mLo = PanamaMasks.first(span);
    VectorMask<Float> mHi = PanamaMasks.first(span - L);
    FloatVector v = FloatVector.fromArray(SPECIES, src, sOff, PanamaMasks.first(n));
    FloatVector lo = FloatVector.fromArray(SPECIES, dst, dOff, mLo);
    FloatVector hi = FloatVector.fromArray(SPECIES, dst, dOff + L, mHi);
    lo.blend(lo.add(v.rearrange(SPREAD_LOW)), EVEN_LANES).intoArray(dst, dOff, mLo);
    hi.blend(hi.add(v.rearrange(SPREAD_HIGH)), EVEN_LANES).intoArray(dst, dOff + L, mHi);
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
  public float dot(float[] a, int aOff, float[] b, int bOff, int len) {
    int i = 0;
    int bound = SPECIES.loopBound(len);
    FloatVector acc = FloatVector.zero(SPECIES);
    for (; i < bound; i += SPECIES.length()) {
      acc = FloatVector.fromArray(SPECIES, a, aOff + i)
          .fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc);
    }
    // one reduction per call; its lane order is fixed for a species, so results repeat
    float sum = acc.reduceLanes(VectorOperators.ADD);
    for (; i < len; i++) {
      sum = Math.fma(a[aOff + i], b[bOff + i], sum);
    }
    return sum;
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
      float[] dst, int dOff) {
    PanamaPlaneKernels.sums(src, sOff, pt, w, wOff, bias, dst, dOff);
  }

  @Override
  public void planeDots(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt, float[] acc,
      int accOff) {
    PanamaPlaneKernels.dots(a, aOff, src, sOff, pt, acc, accOff);
  }

  /**
   * {@code v - v} is 0 for a finite v and NaN otherwise, and NaN survives the sums: two
   * accumulators, so the adds' latency hides behind the loads.
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
}
