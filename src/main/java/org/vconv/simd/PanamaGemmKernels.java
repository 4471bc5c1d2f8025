package org.vconv.simd;

/** {@link GemmKernels} on FloatVector lanes of {@link PanamaProvider#SPECIES}. */
final class PanamaGemmKernels implements GemmKernels {}
