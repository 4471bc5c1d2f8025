package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmKernels} on FloatVector lanes of {@link PanamaProvider#SPECIES}, in outer-product
 * form: per k step, load the B row as vectors, broadcast each packed A value and fma it into
 * one accumulator per (row, vector). The accumulators stay in registers for the whole k loop
 * and C is touched once, at the end; no horizontal reduction is needed.
 *
 * <p>The tile is sized to the register file, so it depends on the width. A tile needs about
 * {@code MR*NV} accumulators + {@code NV} B vectors + up to {@code MR} broadcasts (C2 may
 * load a step's broadcasts up front), and spilling costs far more than a smaller tile:
 * <ul>
 *   <li>{@code tile8x2}, 512 bits (AVX-512, 32 registers): 8 rows x 2 vectors = 8 x 32,
 *       16 accumulators, 26 registers. MR = 8 and NR = 32 divide the usual channel and pixel
 *       counts, and a 256-deep B micro-panel (32 KiB) fits in L1; 8x3 (24 accumulators,
 *       35 registers) would spill.
 *   <li>{@code tile3x3}, 256 and 128 bits (AVX2/SSE: 16 registers): 3 rows x 3 vectors = 3 x 24
 *       (256) or 3 x 12 (128), 9 accumulators, 15 registers; 6x2 and 4x3 (12 accumulators,
 *       19-20 registers) would spill.
 * </ul>
 *
 * <p>The bodies are straight-line, with no helper calls: a vector passed through a call that C2
 * does not inline cannot stay in a register, so it is boxed into a heap object on every
 * operation, each FMA becoming an allocation and a round trip through memory (the boxing
 * cliff). The species is the static final {@link PanamaProvider#SPECIES}, so the choice of
 * tile below folds to a constant.
 */
final class PanamaGemmKernels implements GemmKernels {
  private static final VectorSpecies<Float> S = PanamaProvider.SPECIES;
  private static final int L = S.length();
  private static final boolean WIDE = L >= 16;
  static final int MR = WIDE ? 8 : 3;
  static final int NR = (WIDE ? 2 : 3) * L;

  @Override
  public int mr() {
    return MR;
  }

  @Override
  public int nr() {
    return NR;
  }

  @Override
  public boolean packAdjacentDepth(float[] src, int sOff, int sStride, int rows, int kc,
      float[] dst, int dOff, int width) {
    assert rows <= width && sStride > 0;
    if (PanamaTranspose.blocks16() && width >= 16) {
      PanamaTranspose.transpose(src, sOff, sStride, 1, rows, kc, dst, dOff, width);
      return true;
    }
    if (PanamaTranspose.blocks8() && width % 8 == 0 && rows >= 8) {
      PanamaTranspose.panel(src, sOff, sStride, rows, kc, dst, dOff, width);
      return true;
    }
    return false; // narrower panels or vectors: the packer's copy
  }

  @Override
  public void multiplyTile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c,
      int cOff, int ldc) {
    assert checkArgs(kc, a, aOff, b, bOff, c, cOff, ldc);
    if (WIDE) {
      tile8x2(kc, a, aOff, b, bOff, c, cOff, ldc, false);
    } else {
      tile3x3(kc, a, aOff, b, bOff, c, cOff, ldc, false);
    }
  }

  @Override
  public void multiplyAddTile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c,
      int cOff, int ldc) {
    assert checkArgs(kc, a, aOff, b, bOff, c, cOff, ldc);
    if (WIDE) {
      tile8x2(kc, a, aOff, b, bOff, c, cOff, ldc, true);
    } else {
      tile3x3(kc, a, aOff, b, bOff, c, cOff, ldc, true);
    }
  }

  private static boolean checkArgs(int kc, float[] a, int aOff, float[] b, int bOff, float[] c,
      int cOff, int ldc) {
    return kc >= 1 && aOff >= 0 && bOff >= 0 && cOff >= 0 && ldc >= NR
        && aOff + (long) kc * MR <= a.length && bOff + (long) kc * NR <= b.length
        && cOff + (long) (MR - 1) * ldc + NR <= c.length;
  }

  /** 8 x 2 vectors, for 512-bit species. {@code add}: C += tile, else C = tile. */
  private static void tile8x2(int kc, float[] a, int aOff, float[] b, int bOff, float[] c,
      int cOff, int ldc, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * 2 * L;
      int ap = aOff + p * 8;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector ai = FloatVector.broadcast(S, a[ap]);
      c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01);
      ai = FloatVector.broadcast(S, a[ap + 1]);
      c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11);
      ai = FloatVector.broadcast(S, a[ap + 2]);
      c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21);
      ai = FloatVector.broadcast(S, a[ap + 3]);
      c30 = ai.fma(b0, c30); c31 = ai.fma(b1, c31);
      ai = FloatVector.broadcast(S, a[ap + 4]);
      c40 = ai.fma(b0, c40); c41 = ai.fma(b1, c41);
      ai = FloatVector.broadcast(S, a[ap + 5]);
      c50 = ai.fma(b0, c50); c51 = ai.fma(b1, c51);
      ai = FloatVector.broadcast(S, a[ap + 6]);
      c60 = ai.fma(b0, c60); c61 = ai.fma(b1, c61);
      ai = FloatVector.broadcast(S, a[ap + 7]);
      c70 = ai.fma(b0, c70); c71 = ai.fma(b1, c71);
    }
    int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
    int r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
    if (add) { // accumulate: the only place C is read
      c00 = c00.add(FloatVector.fromArray(S, c, r0));
      c01 = c01.add(FloatVector.fromArray(S, c, r0 + L));
      c10 = c10.add(FloatVector.fromArray(S, c, r1));
      c11 = c11.add(FloatVector.fromArray(S, c, r1 + L));
      c20 = c20.add(FloatVector.fromArray(S, c, r2));
      c21 = c21.add(FloatVector.fromArray(S, c, r2 + L));
      c30 = c30.add(FloatVector.fromArray(S, c, r3));
      c31 = c31.add(FloatVector.fromArray(S, c, r3 + L));
      c40 = c40.add(FloatVector.fromArray(S, c, r4));
      c41 = c41.add(FloatVector.fromArray(S, c, r4 + L));
      c50 = c50.add(FloatVector.fromArray(S, c, r5));
      c51 = c51.add(FloatVector.fromArray(S, c, r5 + L));
      c60 = c60.add(FloatVector.fromArray(S, c, r6));
      c61 = c61.add(FloatVector.fromArray(S, c, r6 + L));
      c70 = c70.add(FloatVector.fromArray(S, c, r7));
      c71 = c71.add(FloatVector.fromArray(S, c, r7 + L));
    }
    c00.intoArray(c, r0); c01.intoArray(c, r0 + L);
    c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
    c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
    c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
    c40.intoArray(c, r4); c41.intoArray(c, r4 + L);
    c50.intoArray(c, r5); c51.intoArray(c, r5 + L);
    c60.intoArray(c, r6); c61.intoArray(c, r6 + L);
    c70.intoArray(c, r7); c71.intoArray(c, r7 + L);
  }

  /** 3 x 3 vectors, for 256- and 128-bit species. {@code add}: C += tile, else C = tile. */
  private static void tile3x3(int kc, float[] a, int aOff, float[] b, int bOff, float[] c,
      int cOff, int ldc, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * 3 * L;
      int ap = aOff + p * 3;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
      FloatVector ai = FloatVector.broadcast(S, a[ap]);
      c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01); c02 = ai.fma(b2, c02);
      ai = FloatVector.broadcast(S, a[ap + 1]);
      c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11); c12 = ai.fma(b2, c12);
      ai = FloatVector.broadcast(S, a[ap + 2]);
      c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21); c22 = ai.fma(b2, c22);
    }
    int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc;
    if (add) { // accumulate: the only place C is read
      c00 = c00.add(FloatVector.fromArray(S, c, r0));
      c01 = c01.add(FloatVector.fromArray(S, c, r0 + L));
      c02 = c02.add(FloatVector.fromArray(S, c, r0 + 2 * L));
      c10 = c10.add(FloatVector.fromArray(S, c, r1));
      c11 = c11.add(FloatVector.fromArray(S, c, r1 + L));
      c12 = c12.add(FloatVector.fromArray(S, c, r1 + 2 * L));
      c20 = c20.add(FloatVector.fromArray(S, c, r2));
      c21 = c21.add(FloatVector.fromArray(S, c, r2 + L));
      c22 = c22.add(FloatVector.fromArray(S, c, r2 + 2 * L));
    }
    c00.intoArray(c, r0); c01.intoArray(c, r0 + L); c02.intoArray(c, r0 + 2 * L);
    c10.intoArray(c, r1); c11.intoArray(c, r1 + L); c12.intoArray(c, r1 + 2 * L);
    c20.intoArray(c, r2); c21.intoArray(c, r2 + L); c22.intoArray(c, r2 + 2 * L);
  }

  @Override
  public void windowTile(int kc, float[] src, int srcOff, int[] delta, int dOff, float[] b,
      int bOff, float[] tile, int tOff, boolean add) {
    assert kc >= 1 && dOff >= 0 && dOff + kc <= delta.length && srcOff >= 0 && bOff >= 0
        && bOff + (long) kc * NR <= b.length && tOff >= 0 && tOff + MR * NR <= tile.length;
    if (WIDE) {
      window8x2(kc, src, srcOff, delta, dOff, b, bOff, tile, tOff, add);
    } else {
      window3x3(kc, src, srcOff, delta, dOff, b, bOff, tile, tOff, add);
    }
  }

  /** {@link #tile8x2} with row p of A at {@code src[srcOff + delta[p] ...]}. */
  private static void window8x2(int kc, float[] src, int srcOff, int[] delta, int dOff,
      float[] b, int bOff, float[] t, int o, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * 2 * L;
      int ap = srcOff + delta[dOff + p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector ai = FloatVector.broadcast(S, src[ap]);
      c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01);
      ai = FloatVector.broadcast(S, src[ap + 1]);
      c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11);
      ai = FloatVector.broadcast(S, src[ap + 2]);
      c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21);
      ai = FloatVector.broadcast(S, src[ap + 3]);
      c30 = ai.fma(b0, c30); c31 = ai.fma(b1, c31);
      ai = FloatVector.broadcast(S, src[ap + 4]);
      c40 = ai.fma(b0, c40); c41 = ai.fma(b1, c41);
      ai = FloatVector.broadcast(S, src[ap + 5]);
      c50 = ai.fma(b0, c50); c51 = ai.fma(b1, c51);
      ai = FloatVector.broadcast(S, src[ap + 6]);
      c60 = ai.fma(b0, c60); c61 = ai.fma(b1, c61);
      ai = FloatVector.broadcast(S, src[ap + 7]);
      c70 = ai.fma(b0, c70); c71 = ai.fma(b1, c71);
    }
    if (add) { // accumulate: the only place the tile is read
      c00 = c00.add(FloatVector.fromArray(S, t, o));
      c01 = c01.add(FloatVector.fromArray(S, t, o + L));
      c10 = c10.add(FloatVector.fromArray(S, t, o + 2 * L));
      c11 = c11.add(FloatVector.fromArray(S, t, o + 3 * L));
      c20 = c20.add(FloatVector.fromArray(S, t, o + 4 * L));
      c21 = c21.add(FloatVector.fromArray(S, t, o + 5 * L));
      c30 = c30.add(FloatVector.fromArray(S, t, o + 6 * L));
      c31 = c31.add(FloatVector.fromArray(S, t, o + 7 * L));
      c40 = c40.add(FloatVector.fromArray(S, t, o + 8 * L));
      c41 = c41.add(FloatVector.fromArray(S, t, o + 9 * L));
      c50 = c50.add(FloatVector.fromArray(S, t, o + 10 * L));
      c51 = c51.add(FloatVector.fromArray(S, t, o + 11 * L));
      c60 = c60.add(FloatVector.fromArray(S, t, o + 12 * L));
      c61 = c61.add(FloatVector.fromArray(S, t, o + 13 * L));
      c70 = c70.add(FloatVector.fromArray(S, t, o + 14 * L));
      c71 = c71.add(FloatVector.fromArray(S, t, o + 15 * L));
    }
    c00.intoArray(t, o); c01.intoArray(t, o + L);
    c10.intoArray(t, o + 2 * L); c11.intoArray(t, o + 3 * L);
    c20.intoArray(t, o + 4 * L); c21.intoArray(t, o + 5 * L);
    c30.intoArray(t, o + 6 * L); c31.intoArray(t, o + 7 * L);
    c40.intoArray(t, o + 8 * L); c41.intoArray(t, o + 9 * L);
    c50.intoArray(t, o + 10 * L); c51.intoArray(t, o + 11 * L);
    c60.intoArray(t, o + 12 * L); c61.intoArray(t, o + 13 * L);
    c70.intoArray(t, o + 14 * L); c71.intoArray(t, o + 15 * L);
  }

  /** {@link #tile3x3} with row p of A at {@code src[srcOff + delta[p] ...]}. */
  private static void window3x3(int kc, float[] src, int srcOff, int[] delta, int dOff,
      float[] b, int bOff, float[] t, int o, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * 3 * L;
      int ap = srcOff + delta[dOff + p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
      FloatVector ai = FloatVector.broadcast(S, src[ap]);
      c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01); c02 = ai.fma(b2, c02);
      ai = FloatVector.broadcast(S, src[ap + 1]);
      c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11); c12 = ai.fma(b2, c12);
      ai = FloatVector.broadcast(S, src[ap + 2]);
      c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21); c22 = ai.fma(b2, c22);
    }
    if (add) { // accumulate: the only place the tile is read
      c00 = c00.add(FloatVector.fromArray(S, t, o));
      c01 = c01.add(FloatVector.fromArray(S, t, o + L));
      c02 = c02.add(FloatVector.fromArray(S, t, o + 2 * L));
      c10 = c10.add(FloatVector.fromArray(S, t, o + 3 * L));
      c11 = c11.add(FloatVector.fromArray(S, t, o + 4 * L));
      c12 = c12.add(FloatVector.fromArray(S, t, o + 5 * L));
      c20 = c20.add(FloatVector.fromArray(S, t, o + 6 * L));
      c21 = c21.add(FloatVector.fromArray(S, t, o + 7 * L));
      c22 = c22.add(FloatVector.fromArray(S, t, o + 8 * L));
    }
    c00.intoArray(t, o); c01.intoArray(t, o + L); c02.intoArray(t, o + 2 * L);
    c10.intoArray(t, o + 3 * L); c11.intoArray(t, o + 4 * L); c12.intoArray(t, o + 5 * L);
    c20.intoArray(t, o + 6 * L); c21.intoArray(t, o + 7 * L); c22.intoArray(t, o + 8 * L);
  }

  @Override
  public void windowTileAt(int kc, float[] src, int srcOff, int[] at, int atOff, int[] delta,
      int dOff, float[] b, int bOff, float[] tile, int tOff, boolean add) {
    assert kc >= 1 && atOff >= 0 && atOff + MR <= at.length && dOff >= 0
        && dOff + kc <= delta.length && bOff >= 0 && bOff + (long) kc * NR <= b.length
        && tOff >= 0 && tOff + MR * NR <= tile.length;
    if (WIDE) {
      windowAt8x2(kc, src, srcOff, at, atOff, delta, dOff, b, bOff, tile, tOff, add);
    } else {
      windowAt3x3(kc, src, srcOff, at, atOff, delta, dOff, b, bOff, tile, tOff, add);
    }
  }

  /** {@link #window8x2} with pixel i at {@code src[srcOff + at[atOff + i] + delta[...]]}. */
  private static void windowAt8x2(int kc, float[] src, int srcOff, int[] at, int atOff,
      int[] delta, int dOff, float[] b, int bOff, float[] t, int o, boolean add) {
    int s0 = srcOff + at[atOff], s1 = srcOff + at[atOff + 1];
    int s2 = srcOff + at[atOff + 2], s3 = srcOff + at[atOff + 3];
    int s4 = srcOff + at[atOff + 4], s5 = srcOff + at[atOff + 5];
    int s6 = srcOff + at[atOff + 6], s7 = srcOff + at[atOff + 7];
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * 2 * L;
      int dp = delta[dOff + p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector ai = FloatVector.broadcast(S, src[s0 + dp]);
      c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01);
      ai = FloatVector.broadcast(S, src[s1 + dp]);
      c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11);
      ai = FloatVector.broadcast(S, src[s2 + dp]);
      c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21);
      ai = FloatVector.broadcast(S, src[s3 + dp]);
      c30 = ai.fma(b0, c30); c31 = ai.fma(b1, c31);
      ai = FloatVector.broadcast(S, src[s4 + dp]);
      c40 = ai.fma(b0, c40); c41 = ai.fma(b1, c41);
      ai = FloatVector.broadcast(S, src[s5 + dp]);
      c50 = ai.fma(b0, c50); c51 = ai.fma(b1, c51);
      ai = FloatVector.broadcast(S, src[s6 + dp]);
      c60 = ai.fma(b0, c60); c61 = ai.fma(b1, c61);
      ai = FloatVector.broadcast(S, src[s7 + dp]);
      c70 = ai.fma(b0, c70); c71 = ai.fma(b1, c71);
    }
    if (add) { // accumulate: the only place the tile is read
      c00 = c00.add(FloatVector.fromArray(S, t, o));
      c01 = c01.add(FloatVector.fromArray(S, t, o + L));
      c10 = c10.add(FloatVector.fromArray(S, t, o + 2 * L));
      c11 = c11.add(FloatVector.fromArray(S, t, o + 3 * L));
      c20 = c20.add(FloatVector.fromArray(S, t, o + 4 * L));
      c21 = c21.add(FloatVector.fromArray(S, t, o + 5 * L));
      c30 = c30.add(FloatVector.fromArray(S, t, o + 6 * L));
      c31 = c31.add(FloatVector.fromArray(S, t, o + 7 * L));
      c40 = c40.add(FloatVector.fromArray(S, t, o + 8 * L));
      c41 = c41.add(FloatVector.fromArray(S, t, o + 9 * L));
      c50 = c50.add(FloatVector.fromArray(S, t, o + 10 * L));
      c51 = c51.add(FloatVector.fromArray(S, t, o + 11 * L));
      c60 = c60.add(FloatVector.fromArray(S, t, o + 12 * L));
      c61 = c61.add(FloatVector.fromArray(S, t, o + 13 * L));
      c70 = c70.add(FloatVector.fromArray(S, t, o + 14 * L));
      c71 = c71.add(FloatVector.fromArray(S, t, o + 15 * L));
    }
    c00.intoArray(t, o); c01.intoArray(t, o + L);
    c10.intoArray(t, o + 2 * L); c11.intoArray(t, o + 3 * L);
    c20.intoArray(t, o + 4 * L); c21.intoArray(t, o + 5 * L);
    c30.intoArray(t, o + 6 * L); c31.intoArray(t, o + 7 * L);
    c40.intoArray(t, o + 8 * L); c41.intoArray(t, o + 9 * L);
    c50.intoArray(t, o + 10 * L); c51.intoArray(t, o + 11 * L);
    c60.intoArray(t, o + 12 * L); c61.intoArray(t, o + 13 * L);
    c70.intoArray(t, o + 14 * L); c71.intoArray(t, o + 15 * L);
  }

  /** {@link #window3x3} with pixel i at {@code src[srcOff + at[atOff + i] + delta[...]]}. */
  private static void windowAt3x3(int kc, float[] src, int srcOff, int[] at, int atOff,
      int[] delta, int dOff, float[] b, int bOff, float[] t, int o, boolean add) {
    int s0 = srcOff + at[atOff], s1 = srcOff + at[atOff + 1], s2 = srcOff + at[atOff + 2];
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * 3 * L;
      int dp = delta[dOff + p];
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
      FloatVector ai = FloatVector.broadcast(S, src[s0 + dp]);
      c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01); c02 = ai.fma(b2, c02);
      ai = FloatVector.broadcast(S, src[s1 + dp]);
      c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11); c12 = ai.fma(b2, c12);
      ai = FloatVector.broadcast(S, src[s2 + dp]);
      c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21); c22 = ai.fma(b2, c22);
    }
    if (add) { // accumulate: the only place the tile is read
      c00 = c00.add(FloatVector.fromArray(S, t, o));
      c01 = c01.add(FloatVector.fromArray(S, t, o + L));
      c02 = c02.add(FloatVector.fromArray(S, t, o + 2 * L));
      c10 = c10.add(FloatVector.fromArray(S, t, o + 3 * L));
      c11 = c11.add(FloatVector.fromArray(S, t, o + 4 * L));
      c12 = c12.add(FloatVector.fromArray(S, t, o + 5 * L));
      c20 = c20.add(FloatVector.fromArray(S, t, o + 6 * L));
      c21 = c21.add(FloatVector.fromArray(S, t, o + 7 * L));
      c22 = c22.add(FloatVector.fromArray(S, t, o + 8 * L));
    }
    c00.intoArray(t, o); c01.intoArray(t, o + L); c02.intoArray(t, o + 2 * L);
    c10.intoArray(t, o + 3 * L); c11.intoArray(t, o + 4 * L); c12.intoArray(t, o + 5 * L);
    c20.intoArray(t, o + 6 * L); c21.intoArray(t, o + 7 * L); c22.intoArray(t, o + 8 * L);
  }

  @Override
  public void streamTileAdd(int kc, float[] src, int srcOff, int[] base, int baseOff, float[] b,
      int bOff, float[] c, int cOff) {
    assert kc >= 1 && baseOff >= 0 && baseOff + MR <= base.length && bOff >= 0
        && bOff + (long) kc * NR <= b.length && cOff >= 0 && cOff + MR * NR <= c.length;
    if (WIDE) {
      stream8x2(kc, src, srcOff, base, baseOff, b, bOff, c, cOff);
    } else {
      stream3x3(kc, src, srcOff, base, baseOff, b, bOff, c, cOff);
    }
  }

  /**
   * {@link #tile8x2} with row i of A the run at {@code src[srcOff + base[baseOff + i]]}: the row
   * offsets are loop-invariant, so C2 hoists the range checks out of the k loop.
   */
  private static void stream8x2(int kc, float[] src, int srcOff, int[] base, int baseOff,
      float[] b, int bOff, float[] c, int o) {
    int s0 = srcOff + base[baseOff];
    int s1 = srcOff + base[baseOff + 1];
    int s2 = srcOff + base[baseOff + 2];
    int s3 = srcOff + base[baseOff + 3];
    int s4 = srcOff + base[baseOff + 4];
    int s5 = srcOff + base[baseOff + 5];
    int s6 = srcOff + base[baseOff + 6];
    int s7 = srcOff + base[baseOff + 7];
    // the eight runs' bounds checked once here: C2 then drops the range checks in the loop
    int lo = Math.min(Math.min(Math.min(s0, s1), Math.min(s2, s3)),
        Math.min(Math.min(s4, s5), Math.min(s6, s7)));
    int hi = Math.max(Math.max(Math.max(s0, s1), Math.max(s2, s3)),
        Math.max(Math.max(s4, s5), Math.max(s6, s7)));
    if (lo < 0 || hi > src.length - kc) {
      throw new IndexOutOfBoundsException("stream rows [" + lo + ", " + hi + "] + " + kc);
    }
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * 2 * L;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector ai = FloatVector.broadcast(S, src[s0 + p]);
      c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01);
      ai = FloatVector.broadcast(S, src[s1 + p]);
      c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11);
      ai = FloatVector.broadcast(S, src[s2 + p]);
      c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21);
      ai = FloatVector.broadcast(S, src[s3 + p]);
      c30 = ai.fma(b0, c30); c31 = ai.fma(b1, c31);
      ai = FloatVector.broadcast(S, src[s4 + p]);
      c40 = ai.fma(b0, c40); c41 = ai.fma(b1, c41);
      ai = FloatVector.broadcast(S, src[s5 + p]);
      c50 = ai.fma(b0, c50); c51 = ai.fma(b1, c51);
      ai = FloatVector.broadcast(S, src[s6 + p]);
      c60 = ai.fma(b0, c60); c61 = ai.fma(b1, c61);
      ai = FloatVector.broadcast(S, src[s7 + p]);
      c70 = ai.fma(b0, c70); c71 = ai.fma(b1, c71);
    }
    c00.add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
    c01.add(FloatVector.fromArray(S, c, o + L)).intoArray(c, o + L);
    c10.add(FloatVector.fromArray(S, c, o + 2 * L)).intoArray(c, o + 2 * L);
    c11.add(FloatVector.fromArray(S, c, o + 3 * L)).intoArray(c, o + 3 * L);
    c20.add(FloatVector.fromArray(S, c, o + 4 * L)).intoArray(c, o + 4 * L);
    c21.add(FloatVector.fromArray(S, c, o + 5 * L)).intoArray(c, o + 5 * L);
    c30.add(FloatVector.fromArray(S, c, o + 6 * L)).intoArray(c, o + 6 * L);
    c31.add(FloatVector.fromArray(S, c, o + 7 * L)).intoArray(c, o + 7 * L);
    c40.add(FloatVector.fromArray(S, c, o + 8 * L)).intoArray(c, o + 8 * L);
    c41.add(FloatVector.fromArray(S, c, o + 9 * L)).intoArray(c, o + 9 * L);
    c50.add(FloatVector.fromArray(S, c, o + 10 * L)).intoArray(c, o + 10 * L);
    c51.add(FloatVector.fromArray(S, c, o + 11 * L)).intoArray(c, o + 11 * L);
    c60.add(FloatVector.fromArray(S, c, o + 12 * L)).intoArray(c, o + 12 * L);
    c61.add(FloatVector.fromArray(S, c, o + 13 * L)).intoArray(c, o + 13 * L);
    c70.add(FloatVector.fromArray(S, c, o + 14 * L)).intoArray(c, o + 14 * L);
    c71.add(FloatVector.fromArray(S, c, o + 15 * L)).intoArray(c, o + 15 * L);
  }

  /** {@link #tile3x3} with row i of A the run at {@code src[srcOff + base[baseOff + i]]}. */
  private static void stream3x3(int kc, float[] src, int srcOff, int[] base, int baseOff,
      float[] b, int bOff, float[] c, int o) {
    int s0 = srcOff + base[baseOff];
    int s1 = srcOff + base[baseOff + 1];
    int s2 = srcOff + base[baseOff + 2];
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * 3 * L;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
      FloatVector ai = FloatVector.broadcast(S, src[s0 + p]);
      c00 = ai.fma(b0, c00); c01 = ai.fma(b1, c01); c02 = ai.fma(b2, c02);
      ai = FloatVector.broadcast(S, src[s1 + p]);
      c10 = ai.fma(b0, c10); c11 = ai.fma(b1, c11); c12 = ai.fma(b2, c12);
      ai = FloatVector.broadcast(S, src[s2 + p]);
      c20 = ai.fma(b0, c20); c21 = ai.fma(b1, c21); c22 = ai.fma(b2, c22);
    }
    c00.add(FloatVector.fromArray(S, c, o)).intoArray(c, o);
    c01.add(FloatVector.fromArray(S, c, o + L)).intoArray(c, o + L);
    c02.add(FloatVector.fromArray(S, c, o + 2 * L)).intoArray(c, o + 2 * L);
    c10.add(FloatVector.fromArray(S, c, o + 3 * L)).intoArray(c, o + 3 * L);
    c11.add(FloatVector.fromArray(S, c, o + 4 * L)).intoArray(c, o + 4 * L);
    c12.add(FloatVector.fromArray(S, c, o + 5 * L)).intoArray(c, o + 5 * L);
    c20.add(FloatVector.fromArray(S, c, o + 6 * L)).intoArray(c, o + 6 * L);
    c21.add(FloatVector.fromArray(S, c, o + 7 * L)).intoArray(c, o + 7 * L);
    c22.add(FloatVector.fromArray(S, c, o + 8 * L)).intoArray(c, o + 8 * L);
  }

  // Dot tiles: 4 x 4 at 512 bits (16 accumulators, 4 B vectors, one A vector: 21 registers),
  // 3 x 3 at 256 and 128 bits (13 of 16 registers, as tile3x3). Each entry keeps two sets of
  // L partials: lane l of the first takes the columns q = l mod L of the rows' whole vectors,
  // lane l of the second column full + l of the rows' last, partial vector, whose other lanes
  // add 0 x 0 to a partial no column reaches (so +0 stays +0). The partial vectors run entry by
  // entry in a method of their own: C1 gives up on the tile methods with masked loads in them
  // (out of virtual registers), and C2 then compiles them without profiles, inlining none of
  // the vector calls, so every vector operation is boxed.
  private static final int DOT_MR = WIDE ? 4 : 3;

  @Override
  public int dotMr() {
    return DOT_MR;
  }

  @Override
  public int dotNr() {
    return DOT_MR;
  }

  @Override
  public int dotLanes() {
    return 2 * L;
  }

  @Override
  public int dotLane(int q, int len) {
    int full = len / L * L;
    return q < full ? q % L : L + q - full;
  }

  @Override
  public void dotTileAdd(int rows, int len, float[] a, int aOff, int aPitch, int[] aRows,
      int aRow, float[] b, int bOff, int bPitch, int[] bRows, int bRow, float[] acc,
      int accOff) {
    assert rows >= 0 && len >= 0 && aRow + DOT_MR <= aRows.length
        && bRow + DOT_MR <= bRows.length && accOff >= 0
        && accOff + DOT_MR * DOT_MR * 2 * L <= acc.length;
    int full = len / L * L;
    if (WIDE) {
      dot4x4(rows, full, a, aOff, aPitch, aRows, aRow, b, bOff, bPitch, bRows, bRow, acc,
          accOff);
    } else {
      dot3x3(rows, full, a, aOff, aPitch, aRows, aRow, b, bOff, bPitch, bRows, bRow, acc,
          accOff);
    }
    if (full < len) {
      for (int i = 0; i < DOT_MR; i++) {
        for (int j = 0; j < DOT_MR; j++) {
          dotTail(rows, full, len - full, a, aOff + aRows[aRow + i], aPitch, b,
              bOff + bRows[bRow + j], bPitch, acc, accOff + (i * DOT_MR + j) * 2 * L + L);
        }
      }
    }
  }

  /** Columns {@code [q, q + n)}, n < L, of rows [0, rows): one partial vector per row. */
  private static void dotTail(int rows, int q, int n, float[] a, int a0, int aPitch, float[] b,
      int b0, int bPitch, float[] acc, int at) {
    VectorMask<Float> m = PanamaMasks.first(n);
    FloatVector c = FloatVector.fromArray(S, acc, at);
    for (int p = 0; p < rows; p++) {
      c = FloatVector.fromArray(S, a, a0 + p * aPitch + q, m)
          .fma(FloatVector.fromArray(S, b, b0 + p * bPitch + q, m), c);
    }
    c.intoArray(acc, at);
  }

  /**
   * The whole vectors, columns [0, full), of rows [0, rows) of a {@link #dotTileAdd} tile at
   * 512 bits, into the first set of partials, {@code acc[o + (i*4 + j)*2L]}.
   */
  private static void dot4x4(int rows, int full, float[] a, int aOff, int aPitch, int[] aRows,
      int aRow, float[] b, int bOff, int bPitch, int[] bRows, int bRow, float[] acc, int o) {
    FloatVector c00 = FloatVector.fromArray(S, acc, o);
    FloatVector c01 = FloatVector.fromArray(S, acc, o + 2 * L);
    FloatVector c02 = FloatVector.fromArray(S, acc, o + 4 * L);
    FloatVector c03 = FloatVector.fromArray(S, acc, o + 6 * L);
    FloatVector c10 = FloatVector.fromArray(S, acc, o + 8 * L);
    FloatVector c11 = FloatVector.fromArray(S, acc, o + 10 * L);
    FloatVector c12 = FloatVector.fromArray(S, acc, o + 12 * L);
    FloatVector c13 = FloatVector.fromArray(S, acc, o + 14 * L);
    FloatVector c20 = FloatVector.fromArray(S, acc, o + 16 * L);
    FloatVector c21 = FloatVector.fromArray(S, acc, o + 18 * L);
    FloatVector c22 = FloatVector.fromArray(S, acc, o + 20 * L);
    FloatVector c23 = FloatVector.fromArray(S, acc, o + 22 * L);
    FloatVector c30 = FloatVector.fromArray(S, acc, o + 24 * L);
    FloatVector c31 = FloatVector.fromArray(S, acc, o + 26 * L);
    FloatVector c32 = FloatVector.fromArray(S, acc, o + 28 * L);
    FloatVector c33 = FloatVector.fromArray(S, acc, o + 30 * L);
    for (int p = 0; p < rows; p++) {
      int a0 = aOff + aRows[aRow] + p * aPitch;
      int a1 = aOff + aRows[aRow + 1] + p * aPitch;
      int a2 = aOff + aRows[aRow + 2] + p * aPitch;
      int a3 = aOff + aRows[aRow + 3] + p * aPitch;
      int b0 = bOff + bRows[bRow] + p * bPitch;
      int b1 = bOff + bRows[bRow + 1] + p * bPitch;
      int b2 = bOff + bRows[bRow + 2] + p * bPitch;
      int b3 = bOff + bRows[bRow + 3] + p * bPitch;
      for (int q = 0; q < full; q += L) {
        FloatVector y0 = FloatVector.fromArray(S, b, b0 + q);
        FloatVector y1 = FloatVector.fromArray(S, b, b1 + q);
        FloatVector y2 = FloatVector.fromArray(S, b, b2 + q);
        FloatVector y3 = FloatVector.fromArray(S, b, b3 + q);
        FloatVector x = FloatVector.fromArray(S, a, a0 + q);
        c00 = x.fma(y0, c00); c01 = x.fma(y1, c01); c02 = x.fma(y2, c02); c03 = x.fma(y3, c03);
        x = FloatVector.fromArray(S, a, a1 + q);
        c10 = x.fma(y0, c10); c11 = x.fma(y1, c11); c12 = x.fma(y2, c12); c13 = x.fma(y3, c13);
        x = FloatVector.fromArray(S, a, a2 + q);
        c20 = x.fma(y0, c20); c21 = x.fma(y1, c21); c22 = x.fma(y2, c22); c23 = x.fma(y3, c23);
        x = FloatVector.fromArray(S, a, a3 + q);
        c30 = x.fma(y0, c30); c31 = x.fma(y1, c31); c32 = x.fma(y2, c32); c33 = x.fma(y3, c33);
      }
    }
    c00.intoArray(acc, o);
    c01.intoArray(acc, o + 2 * L);
    c02.intoArray(acc, o + 4 * L);
    c03.intoArray(acc, o + 6 * L);
    c10.intoArray(acc, o + 8 * L);
    c11.intoArray(acc, o + 10 * L);
    c12.intoArray(acc, o + 12 * L);
    c13.intoArray(acc, o + 14 * L);
    c20.intoArray(acc, o + 16 * L);
    c21.intoArray(acc, o + 18 * L);
    c22.intoArray(acc, o + 20 * L);
    c23.intoArray(acc, o + 22 * L);
    c30.intoArray(acc, o + 24 * L);
    c31.intoArray(acc, o + 26 * L);
    c32.intoArray(acc, o + 28 * L);
    c33.intoArray(acc, o + 30 * L);
  }

  /** {@link #dot4x4} at 256 and 128 bits, 3 x 3. */
  private static void dot3x3(int rows, int full, float[] a, int aOff, int aPitch, int[] aRows,
      int aRow, float[] b, int bOff, int bPitch, int[] bRows, int bRow, float[] acc, int o) {
    FloatVector c00 = FloatVector.fromArray(S, acc, o);
    FloatVector c01 = FloatVector.fromArray(S, acc, o + 2 * L);
    FloatVector c02 = FloatVector.fromArray(S, acc, o + 4 * L);
    FloatVector c10 = FloatVector.fromArray(S, acc, o + 6 * L);
    FloatVector c11 = FloatVector.fromArray(S, acc, o + 8 * L);
    FloatVector c12 = FloatVector.fromArray(S, acc, o + 10 * L);
    FloatVector c20 = FloatVector.fromArray(S, acc, o + 12 * L);
    FloatVector c21 = FloatVector.fromArray(S, acc, o + 14 * L);
    FloatVector c22 = FloatVector.fromArray(S, acc, o + 16 * L);
    for (int p = 0; p < rows; p++) {
      int a0 = aOff + aRows[aRow] + p * aPitch;
      int a1 = aOff + aRows[aRow + 1] + p * aPitch;
      int a2 = aOff + aRows[aRow + 2] + p * aPitch;
      int b0 = bOff + bRows[bRow] + p * bPitch;
      int b1 = bOff + bRows[bRow + 1] + p * bPitch;
      int b2 = bOff + bRows[bRow + 2] + p * bPitch;
      for (int q = 0; q < full; q += L) {
        FloatVector y0 = FloatVector.fromArray(S, b, b0 + q);
        FloatVector y1 = FloatVector.fromArray(S, b, b1 + q);
        FloatVector y2 = FloatVector.fromArray(S, b, b2 + q);
        FloatVector x = FloatVector.fromArray(S, a, a0 + q);
        c00 = x.fma(y0, c00); c01 = x.fma(y1, c01); c02 = x.fma(y2, c02);
        x = FloatVector.fromArray(S, a, a1 + q);
        c10 = x.fma(y0, c10); c11 = x.fma(y1, c11); c12 = x.fma(y2, c12);
        x = FloatVector.fromArray(S, a, a2 + q);
        c20 = x.fma(y0, c20); c21 = x.fma(y1, c21); c22 = x.fma(y2, c22);
      }
    }
    c00.intoArray(acc, o);
    c01.intoArray(acc, o + 2 * L);
    c02.intoArray(acc, o + 4 * L);
    c10.intoArray(acc, o + 6 * L);
    c11.intoArray(acc, o + 8 * L);
    c12.intoArray(acc, o + 10 * L);
    c20.intoArray(acc, o + 12 * L);
    c21.intoArray(acc, o + 14 * L);
    c22.intoArray(acc, o + 16 * L);
  }
}
