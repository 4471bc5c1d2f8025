package org.vconv.simd;

/**
 * The kernels one instruction set gives vconv: a scalar implementation that runs everywhere
 * and a Panama one ({@code jdk.incubator.vector}) that is loaded by name only when the module
 * is readable (Lucene's vectorization pattern). Code outside this package never links the
 * incubator module.
 */
public interface VectorProvider {

  /** "scalar", or "panama-512", "panama-256", "panama-128". */
  String name();

  /** Width of the float vectors the kernels use in bits; 32 for scalar. */
  int vectorBitSize();

  /** GEMM micro-kernels and packing helpers. */
  GemmKernels gemm();

  /** Array kernels for im2col gathers and col2im scatter-accumulation. */
  ArrayKernels arrays();

  /** Element-wise kernels for the layers of {@code org.vconv.nn}. */
  LayerKernels layers();

  /** The tile transforms of the Winograd convolution. */
  WinogradKernels winograd();
}
