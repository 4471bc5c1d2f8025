package org.vconv.simd;

/**
 * The GEMM micro-kernel of one instruction set (BLIS): one {@code mr() x nr()} tile of C from a
 * packed A micro-panel and a packed B micro-panel.
 *
 * <p>Packed layouts (see {@code org.vconv.gemm.PackSource}): the A panel holds, for each
 * {@code p < kc}, the {@code mr()} values of column p of A at {@code a[aOff + p*mr() + i]}; the
 * B panel holds the {@code nr()} values of row p of B at {@code b[bOff + p*nr() + j]}. Packing
 * zero-pads, so kernels never see a tail: edge tiles of C are the caller's business.
 *
 * <p>Reduction order, fixed so results are reproducible: each element's accumulator starts at
 * zero and takes {@code a[p]*b[p]} for {@code p = 0, 1, ..., kc-1} in turn (SIMD kernels with
 * one fused multiply-add per step, the scalar kernel with a multiply then an add); then
 * {@code multiplyTile} stores the accumulator and {@code multiplyAddTile} stores
 * {@code c + accumulator}.
 *
 * <p>Kernels only {@code assert} their arguments; {@code Sgemm} validates.
 */
public interface GemmKernels {

  /**
   * Packs rows that are contiguous along the depth into a micro-panel, where these kernels
   * transpose faster than a scalar copy: {@code dst[dOff + p*width + i] =
   * src[sOff + i*sStride + p]} for {@code i < rows}, {@code p < kc} (rows past {@code rows}
   * are the caller's). {@code rows <= width}, {@code sStride > 0}.
   *
   * @return false, having written nothing, where they do not (the caller packs)
   */
  boolean packAdjacentDepth(float[] src, int sOff, int sStride, int rows, int kc, float[] dst,
      int dOff, int width);

  /** Rows of the C tile, and the width of a packed A micro-panel. */
  int mr();

  /** Columns of the C tile, and the width of a packed B micro-panel. */
  int nr();

  /**
   * Overwrites the tile: {@code c[cOff + i*ldc + j] = sum_p a[aOff + p*mr() + i] *
   * b[bOff + p*nr() + j]} for {@code i < mr(), j < nr()}. Never reads C (NaN there cannot leak).
   * {@code kc >= 1}.
   */
  void multiplyTile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
      int ldc);

  /** Accumulates the same product into the tile: {@code c[...] += sum_p ...}. */
  void multiplyAddTile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
      int ldc);

  /**
   * The tile of an implicit GEMM, whose A is read in place instead of from a packed panel:
   * {@code sum_p src[srcOff + delta[dOff + p] + i] * b[bOff + p*nr() + j]} for pixel
   * {@code i < mr()} and filter {@code j < nr()}, p from 0 to {@code kc-1} in turn, as in
   * {@link #multiplyTile}. Row p of A is the run of {@code mr()} floats at
   * {@code srcOff + delta[dOff + p]}: for a
   * convolution, {@code mr()} adjacent output pixels of one input channel and kernel tap (see
   * {@code org.vconv.im2col.PaddedWindows}). Writes the dense {@code mr() x nr()} tile at
   * {@code tile[tOff ...]}: overwrites it, or with {@code add} stores {@code tile + sum}.
   */
  void windowTile(int kc, float[] src, int srcOff, int[] delta, int dOff, float[] b, int bOff,
      float[] tile, int tOff, boolean add);

  /**
   * {@link #windowTile} with pixel i of the tile at its own offset: row p of A is
   * {@code src[srcOff + at[atOff + i] + delta[dOff + p]]} for {@code i < mr()}, the same sums in
   * the same order. For a convolution, the tile's pixels need not be adjacent floats of the
   * slab: they skip the padded columns at the ends of rows.
   */
  void windowTileAt(int kc, float[] src, int srcOff, int[] at, int atOff, int[] delta, int dOff,
      float[] b, int bOff, float[] tile, int tOff, boolean add);

  /**
   * The tile of an implicit GEMM whose A rows are runs of {@code src}, one per row, read in
   * place: {@code sum_p src[srcOff + base[baseOff + i] + p] * b[bOff + p*nr() + j]} for row
   * {@code i < mr()} and column {@code j < nr()}, p from 0 to {@code kc-1} in turn, as in
   * {@link #multiplyTile}. For a convolution's weight gradient, row i is one kernel tap of one
   * input channel and p runs along the output pixels (see {@code org.vconv.algo.ImplicitGemm}).
   * Adds the sum to the dense {@code mr() x nr()} tile at {@code c[cOff ...]}.
   */
  void streamTileAdd(int kc, float[] src, int srcOff, int[] base, int baseOff, float[] b,
      int bOff, float[] c, int cOff);

  /** Rows of A in a {@link #dotTileAdd} tile. */
  int dotMr();

  /** Rows of B in a {@link #dotTileAdd} tile. */
  int dotNr();

  /** Partial sums per entry of a {@link #dotTileAdd} tile. */
  int dotLanes();

  /** Which of an entry's partials column {@code q} of a row of {@code len} goes to. */
  int dotLane(int q, int len);

  /**
   * A tile of dot products of row runs, kept as partial sums: for {@code i < dotMr()} and
   * {@code j < dotNr()}, rows {@code p < rows} in turn and {@code q < len} in turn, adds
   * {@code a[aOff + aRows[aRow + i] + p*aPitch + q] * b[bOff + bRows[bRow + j] + p*bPitch + q]}
   * to {@code acc[accOff + (i*dotNr() + j)*dotLanes() + dotLane(q, len)]}, fused where the
   * kernels fuse: each partial is one chain of roundings from its value before the call, so
   * splitting the rows over several calls gives the same bits. Reads nothing past
   * {@code q = len - 1} of a row. For a convolution's weight gradient, a row of A is one input
   * channel and tap of a slab, a row of B one filter of {@code dy}, and p and q run over the
   * output pixels (see {@code org.vconv.algo.WindowDots}).
   */
  void dotTileAdd(int rows, int len, float[] a, int aOff, int aPitch, int[] aRows, int aRow,
      float[] b, int bOff, int bPitch, int[] bRows, int bRow, float[] acc, int accOff);
}
