package org.vconv.simd;

/**
 * The tile transforms of Winograd's minimal filtering F(m x m, 3 x 3), m = 2 or 4, for one tile
 * of {@code n = m + 2} rows and columns at a time, over {@code len} channels that lie adjacent
 * in memory (channels innermost), as the SIMD provider vectorizes across them. Transform
 * element {@code xi = i*n + j} of channel {@code c} goes to or comes from
 * {@code d[dOff + xi*ds + c]}: the layout of the element-wise products' GEMM operands.
 * The matrices are Lavin and Gray's ({@code scripts/gen_winograd_kernels.py}).
 */
public interface WinogradKernels {

  /**
   * The input transform {@code V = B^T d B}: {@code d(i, j)} of channel {@code c} is
   * {@code s[sOff + i*rp + j*cp + c]} for {@code i, j < n}.
   */
  void inputTransform(int m, float[] s, int sOff, int rp, int cp, float[] d, int dOff, int ds,
      int len);

  /**
   * The output transform {@code Y = A^T M A + bias}: {@code M(xi)} of channel {@code c} is
   * {@code s[sOff + xi*ss + c]}; result {@code (i, j)} for {@code i < rows <= m},
   * {@code j < cols <= m} goes to {@code d[dOff + i*rp + j*cp + c]}, plus
   * {@code bias[bOff + c]} ({@code bias} may be null: no bias). {@code M} is scratch: the SIMD
   * provider overwrites it.
   */
  void outputTransform(int m, float[] s, int sOff, int ss, float[] bias, int bOff, float[] d,
      int dOff, int rp, int cp, int rows, int cols, int len);

  /**
   * The filter transform {@code U = G g G^T}: tap {@code (r, s)} of channel {@code c} is
   * {@code s[sOff + (3r + s)*ts + c]}.
   */
  void filterTransform(int m, float[] s, int sOff, int ts, float[] d, int dOff, int ds, int len);

  /**
   * The filter transform's adjoint {@code dW = G^T S G}, for the weight gradient: {@code S(xi)}
   * of channel {@code c} is {@code s[sOff + xi*ss + c]}; tap {@code (r, s)} goes to
   * {@code d[dOff + (3r + s)*ts + c]}. {@code S} is scratch: the SIMD provider overwrites it.
   */
  void filterGradientTransform(int m, float[] s, int sOff, int ss, float[] d, int dOff, int ts,
      int len);

  /**
   * The output gradient's transform {@code Z = A dy A^T} (the adjoint of the output transform),
   * for the weight gradient: {@code dy(i, j)} of channel {@code c} is
   * {@code s[sOff + i*rp + j*cp + c]} for {@code i, j < m}.
   */
  void gradientTransform(int m, float[] s, int sOff, int rp, int cp, float[] d, int dOff,
      int ds, int len);
}
