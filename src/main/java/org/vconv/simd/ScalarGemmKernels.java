package org.vconv.simd;

/** Plain-loop {@link GemmKernels}. */
final class ScalarGemmKernels implements GemmKernels {}
