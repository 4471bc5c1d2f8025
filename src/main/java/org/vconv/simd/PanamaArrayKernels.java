package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
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
}
