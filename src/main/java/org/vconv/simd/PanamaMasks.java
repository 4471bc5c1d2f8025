package org.vconv.simd;

import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** Prefix masks of {@link PanamaProvider#SPECIES} for the Panama kernels' edges and tails. */
final class PanamaMasks {
  private PanamaMasks() {}

  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;
  private static final int VL = SPECIES.length();

  /** {@code VL} trues then {@code VL} falses: the first n lanes are the mask read at VL - n. */
  private static final boolean[] FIRST = new boolean[2 * VL];

  static {
    java.util.Arrays.fill(FIRST, 0, VL, true);
  }

  /**
   * The first {@code n} lanes (clamped to [0, VL]), as one mask load: {@code indexInRange}
   * branches on its arguments, and masks merged from several paths are boxed.
   */
  static VectorMask<Float> first(int n) {
    return VectorMask.fromArray(SPECIES, FIRST, VL - Math.max(0, Math.min(VL, n)));
  }
}
