package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link LayerKernels} on FloatVector lanes of {@link PanamaProvider#SPECIES}. */
final class PanamaLayerKernels implements LayerKernels {
  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;
  private static final FloatVector ZERO = FloatVector.zero(SPECIES);

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
}
