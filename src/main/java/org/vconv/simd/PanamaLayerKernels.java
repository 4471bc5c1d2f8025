package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** {@link LayerKernels} on FloatVector lanes of {@link PanamaProvider#SPECIES}. */
final class PanamaLayerKernels implements LayerKernels {
  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;
  private static final FloatVector ZERO = FloatVector.zero(SPECIES);
  private static final int L = SPECIES.length();
  private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
  /** Lanes 2i of two vectors side by side (indexes from L select from the second). */
  private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(SPECIES, i -> 2 * i);
  /** Lanes 2i + 1 of two vectors side by side. */
  private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(SPECIES, i -> 2 * i + 1);
  /** 2i in lane i. */
  private static final IntVector TWICE_IOTA = IntVector.zero(INTS).addIndex(2);

  @Override
  public void reluInto(float[] x, float[] y, int len) {
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += SPECIES.length()) {
      FloatVector v = FloatVector.fromArray(SPECIES, x, i);
      // a blend, not max(): the scalar provider's "x < 0 ? 0 : x" bit for bit (NaN, -0)
      v.blend(ZERO, v.compare(VectorOperators.LT, 0f)).intoArray(y, i);
    }
    if (i < len) {
      VectorMask<Float> m = PanamaMasks.first(len - i);
      FloatVector v = FloatVector.fromArray(SPECIES, x, i, m);
      v.blend(ZERO, v.compare(VectorOperators.LT, 0f)).intoArray(y, i, m);
    }
  }

  @Override
  public void reluGradientInto(float[] y, float[] dy, float[] dx, int len) {
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += SPECIES.length()) {
      VectorMask<Float> live = FloatVector.fromArray(SPECIES, y, i)
          .compare(VectorOperators.GT, 0f);
      ZERO.blend(FloatVector.fromArray(SPECIES, dy, i), live).intoArray(dx, i);
    }
    if (i < len) {
      VectorMask<Float> m = PanamaMasks.first(len - i);
      VectorMask<Float> live = FloatVector.fromArray(SPECIES, y, i, m)
          .compare(VectorOperators.GT, 0f);
      ZERO.blend(FloatVector.fromArray(SPECIES, dy, i, m), live).intoArray(dx, i, m);
    }
  }

  /**
   * L outputs at a time: each input row's 2L floats loaded as two vectors (masked in the last
   * chunk), split into even and odd lanes; the argmax offsets chosen by bit equality in the
   * order d, c, b, a, so that the first match wins as in the scalar loop. Chunk by chunk, then
   * row by row: a chunk's masks are made once for all the rows.
   */
  @Override
  public void maxPool2x2Rows(float[] x, int r0, int w, float[] y, int[] idx, int o, int q,
      int at, int rows) {
    IntVector dOff = IntVector.broadcast(INTS, w + 1);
    for (int j = 0; j < q; j += L) {
      int n = Math.min(L, q - j);
      VectorMask<Float> lo = PanamaMasks.first(2 * n);
      VectorMask<Float> hi = PanamaMasks.first(2 * n - L);
      VectorMask<Float> out = PanamaMasks.first(n);
      VectorMask<Integer> outInts = out.cast(INTS);
      IntVector first = TWICE_IOTA.add(at + 2 * j);
      for (int r = 0; r < rows; r++) {
        int i = r0 + 2 * r * w + 2 * j;
        FloatVector t0 = FloatVector.fromArray(SPECIES, x, i, lo);
        FloatVector t1 = FloatVector.fromArray(SPECIES, x, i + L, hi);
        FloatVector b0 = FloatVector.fromArray(SPECIES, x, i + w, lo);
        FloatVector b1 = FloatVector.fromArray(SPECIES, x, i + w + L, hi);
        FloatVector a = t0.rearrange(EVEN, t1);
        FloatVector b = t0.rearrange(ODD, t1);
        FloatVector c = b0.rearrange(EVEN, b1);
        FloatVector d = b0.rearrange(ODD, b1);
        FloatVector m = a.max(b).max(c.max(d));
        IntVector mb = m.reinterpretAsInts();
        IntVector k = dOff
            .blend(w, c.reinterpretAsInts().compare(VectorOperators.EQ, mb))
            .blend(1, b.reinterpretAsInts().compare(VectorOperators.EQ, mb))
            .blend(0, a.reinterpretAsInts().compare(VectorOperators.EQ, mb));
        m.intoArray(y, o + r * q + j, out);
        first.add(2 * r * w).add(k).intoArray(idx, o + r * q + j, outInts);
      }
    }
  }
}
