package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link ArrayKernels} on FloatVector lanes of {@link PanamaProvider#SPECIES}. */
final class PanamaArrayKernels implements ArrayKernels {
  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;

  @Override
  public void addInto(float[] src, int sOff, float[] dst, int dOff, int len) {
    int i = 0;
    int bound = SPECIES.loopBound(len);
    for (; i < bound; i += SPECIES.length()) {
      FloatVector.fromArray(SPECIES, dst, dOff + i)
          .add(FloatVector.fromArray(SPECIES, src, sOff + i))
          .intoArray(dst, dOff + i);
    }
    for (; i < len; i++) { // scalar tail
      dst[dOff + i] += src[sOff + i];
    }
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
