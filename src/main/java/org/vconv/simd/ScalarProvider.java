package org.vconv.simd;

/** Runs everywhere: plain Java loops, which C2 may still auto-vectorize. */
final class ScalarProvider implements VectorProvider {
  private final GemmKernels gemm = new ScalarGemmKernels();
  private final LayerKernels layers = new ScalarLayerKernels();
  private final WinogradKernels winograd = new ScalarWinogradKernels();
  private final ArrayKernels arrays = new ScalarArrayKernels();

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public int vectorBitSize() {
    return Float.SIZE;
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
