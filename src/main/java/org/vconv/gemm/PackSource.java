package org.vconv.gemm;

/**
 * A GEMM operand that packs itself. The operand is seen as a matrix of {@code rows x depth},
 * where depth is the reduction dimension: A itself ({@code m x k}), or B transposed
 * ({@code n x k}). Sources that are not stored as a matrix, such as the im2col view of an
 * input image, implement this to pack straight from the image and skip the im2col pass.
 *
 * <p>Packed layout (BLIS micro-panels): panel {@code t} covers rows
 * {@code row0 + t*width ... + width-1} and starts at {@code dst[off + t*width*kc]}; inside it,
 * for each {@code kk} in {@code [0, kc)}, the {@code width} values of column {@code k0+kk} are
 * consecutive. Rows past {@code row0 + rows} are written as zeros, so the micro-kernel never
 * sees a tail. {@code ceil(rows / width) * width * kc} floats are written.
 *
 * <p>{@link Sgemm} may call {@code pack} from several threads at once, for different rows or
 * depth ranges into different destinations: implementations must not keep mutable state.
 */
public interface PackSource {

  void pack(int row0, int rows, int k0, int kc, int width, float[] dst, int off);
}
