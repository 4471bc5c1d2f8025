package org.vconv.simd;

/** The GEMM micro-kernel of one instruction set. */
public interface GemmKernels {
  // defined by the GEMM engine
}
