package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on {@code jdk.incubator.vector}. Loaded by name from {@link VectorProviders} only
 * when the module is readable; nothing else references this class.
 */
final class PanamaProvider implements VectorProvider {

  /**
   * Chosen once so C2 sees a constant (a non-constant species boxes every lane op):
   * {@code vconv.simd} = 512, 256 or 128 forces a width, otherwise the preferred one.
   */
  static final VectorSpecies<Float> SPECIES = chooseSpecies(VectorProviders.requestedBits());

  private final GemmKernels gemm = new PanamaGemmKernels();
  private final LayerKernels layers = new PanamaLayerKernels();
  private final WinogradKernels winograd = new PanamaWinogradKernels();
  private final ArrayKernels arrays = new PanamaArrayKernels();

  private static VectorSpecies<Float> chooseSpecies(int bits) {
    if (bits <= 0) {
      return FloatVector.SPECIES_PREFERRED;
    }
    return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= bits
        ? VectorSpecies.of(float.class, VectorShape.forBitSize(bits))
        : FloatVector.SPECIES_PREFERRED;
  }

  /** The widest float vector this CPU and JVM support, in bits. */
  static int preferredBitSize() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize();
  }

  @Override
  public String name() {
    return "panama-" + SPECIES.vectorBitSize();
  }

  @Override
  public int vectorBitSize() {
    return SPECIES.vectorBitSize();
  }

  @Override
  public GemmKernels gemm() {
    return gemm;
  }

  @Override
  public ArrayKernels arrays() {
    return arrays;
  }

  @Override
  public LayerKernels layers() {
    return layers;
  }

  @Override
  public WinogradKernels winograd() {
    return winograd;
  }
}
