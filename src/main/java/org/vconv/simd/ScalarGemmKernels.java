package org.vconv.simd;

/**
 * Plain-Java {@link GemmKernels}: a 4 x 4 tile whose 16 accumulators are locals, so C2 keeps
 * them in registers across the k loop (an accumulator array would be loaded and stored at
 * every step). Multiply then add, not {@link Math#fma}: without an FMA instruction
 * {@code Math.fma} falls back to a slow software path, and this is the kernel for machines the
 * Vector API cannot serve.
 */
final class ScalarGemmKernels implements GemmKernels {
  static final int MR = 4;
  static final int NR = 4;

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
    return false; // the packer's own copy is this provider's
  }

  @Override
  public void multiplyTile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c,
      int cOff, int ldc) {
    tile4x4(kc, a, aOff, b, bOff, c, cOff, ldc, false);
  }

  @Override
  public void multiplyAddTile(int kc, float[] a, int aOff, float[] b, int bOff, float[] c,
      int cOff, int ldc) {
    tile4x4(kc, a, aOff, b, bOff, c, cOff, ldc, true);
  }

  private static void tile4x4(int kc, float[] a, int aOff, float[] b, int bOff, float[] c,
      int cOff, int ldc, boolean add) {
    assert kc >= 1 && aOff >= 0 && bOff >= 0 && cOff >= 0 && ldc >= NR;
    assert aOff + kc * MR <= a.length && bOff + kc * NR <= b.length;
    assert cOff + (MR - 1) * ldc + NR <= c.length;
    float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
    float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
    float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
    float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
    for (int p = 0; p < kc; p++) {
      int ap = aOff + p * MR;
      int bp = bOff + p * NR;
      float b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
      float ai = a[ap];
      c00 += ai * b0; c01 += ai * b1; c02 += ai * b2; c03 += ai * b3;
      ai = a[ap + 1];
      c10 += ai * b0; c11 += ai * b1; c12 += ai * b2; c13 += ai * b3;
      ai = a[ap + 2];
      c20 += ai * b0; c21 += ai * b1; c22 += ai * b2; c23 += ai * b3;
      ai = a[ap + 3];
      c30 += ai * b0; c31 += ai * b1; c32 += ai * b2; c33 += ai * b3;
    }
    int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
    if (add) { // accumulate: the only place C is read
      c00 += c[r0]; c01 += c[r0 + 1]; c02 += c[r0 + 2]; c03 += c[r0 + 3];
      c10 += c[r1]; c11 += c[r1 + 1]; c12 += c[r1 + 2]; c13 += c[r1 + 3];
      c20 += c[r2]; c21 += c[r2 + 1]; c22 += c[r2 + 2]; c23 += c[r2 + 3];
      c30 += c[r3]; c31 += c[r3 + 1]; c32 += c[r3 + 2]; c33 += c[r3 + 3];
    }
    c[r0] = c00; c[r0 + 1] = c01; c[r0 + 2] = c02; c[r0 + 3] = c03;
    c[r1] = c10; c[r1 + 1] = c11; c[r1 + 2] = c12; c[r1 + 3] = c13;
    c[r2] = c20; c[r2 + 1] = c21; c[r2 + 2] = c22; c[r2 + 3] = c23;
    c[r3] = c30; c[r3 + 1] = c31; c[r3 + 2] = c32; c[r3 + 3] = c33;
  }

  /** A tile's pixels as adjacent floats: {@link #windowTile} as a {@link #windowTileAt}. */
  private static final int[] ADJACENT = {0, 1, 2, 3};

  @Override
  public void windowTile(int kc, float[] src, int srcOff, int[] delta, int dOff, float[] b,
      int bOff, float[] tile, int tOff, boolean add) {
    windowTileAt(kc, src, srcOff, ADJACENT, 0, delta, dOff, b, bOff, tile, tOff, add);
  }

  @Override
  public void windowTileAt(int kc, float[] src, int srcOff, int[] at, int atOff, int[] delta,
      int dOff, float[] b, int bOff, float[] tile, int tOff, boolean add) {
    assert kc >= 1 && atOff + MR <= at.length && dOff + kc <= delta.length
        && bOff + kc * NR <= b.length && tOff + MR * NR <= tile.length;
    int s0 = srcOff + at[atOff], s1 = srcOff + at[atOff + 1];
    int s2 = srcOff + at[atOff + 2], s3 = srcOff + at[atOff + 3];
    float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
    float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
    float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
    float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
    for (int p = 0; p < kc; p++) {
      int dp = delta[dOff + p];
      int bp = bOff + p * NR;
      float b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
      float ai = src[s0 + dp];
      c00 += ai * b0; c01 += ai * b1; c02 += ai * b2; c03 += ai * b3;
      ai = src[s1 + dp];
      c10 += ai * b0; c11 += ai * b1; c12 += ai * b2; c13 += ai * b3;
      ai = src[s2 + dp];
      c20 += ai * b0; c21 += ai * b1; c22 += ai * b2; c23 += ai * b3;
      ai = src[s3 + dp];
      c30 += ai * b0; c31 += ai * b1; c32 += ai * b2; c33 += ai * b3;
    }
    float[] t = tile;
    int o = tOff;
    if (add) { // accumulate: the only place the tile is read
      c00 += t[o]; c01 += t[o + 1]; c02 += t[o + 2]; c03 += t[o + 3];
      c10 += t[o + 4]; c11 += t[o + 5]; c12 += t[o + 6]; c13 += t[o + 7];
      c20 += t[o + 8]; c21 += t[o + 9]; c22 += t[o + 10]; c23 += t[o + 11];
      c30 += t[o + 12]; c31 += t[o + 13]; c32 += t[o + 14]; c33 += t[o + 15];
    }
    t[o] = c00; t[o + 1] = c01; t[o + 2] = c02; t[o + 3] = c03;
    t[o + 4] = c10; t[o + 5] = c11; t[o + 6] = c12; t[o + 7] = c13;
    t[o + 8] = c20; t[o + 9] = c21; t[o + 10] = c22; t[o + 11] = c23;
    t[o + 12] = c30; t[o + 13] = c31; t[o + 14] = c32; t[o + 15] = c33;
  }

  @Override
  public void streamTileAdd(int kc, float[] src, int srcOff, int[] base, int baseOff, float[] b,
      int bOff, float[] c, int cOff) {
    assert kc >= 1 && baseOff + MR <= base.length && bOff + kc * NR <= b.length
        && cOff + MR * NR <= c.length;
    int s0 = srcOff + base[baseOff];
    int s1 = srcOff + base[baseOff + 1];
    int s2 = srcOff + base[baseOff + 2];
    int s3 = srcOff + base[baseOff + 3];
    float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
    float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
    float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
    float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
    for (int p = 0; p < kc; p++) {
      int bp = bOff + p * NR;
      float b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
      float ai = src[s0 + p];
      c00 += ai * b0; c01 += ai * b1; c02 += ai * b2; c03 += ai * b3;
      ai = src[s1 + p];
      c10 += ai * b0; c11 += ai * b1; c12 += ai * b2; c13 += ai * b3;
      ai = src[s2 + p];
      c20 += ai * b0; c21 += ai * b1; c22 += ai * b2; c23 += ai * b3;
      ai = src[s3 + p];
      c30 += ai * b0; c31 += ai * b1; c32 += ai * b2; c33 += ai * b3;
    }
    int o = cOff;
    c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03;
    c[o + 4] += c10; c[o + 5] += c11; c[o + 6] += c12; c[o + 7] += c13;
    c[o + 8] += c20; c[o + 9] += c21; c[o + 10] += c22; c[o + 11] += c23;
    c[o + 12] += c30; c[o + 13] += c31; c[o + 14] += c32; c[o + 15] += c33;
  }

  @Override
  public int dotMr() {
    return MR;
  }

  @Override
  public int dotNr() {
    return NR;
  }

  @Override
  public int dotLanes() {
    return 1;
  }

  @Override
  public int dotLane(int q, int len) {
    return 0;
  }

  @Override
  public void dotTileAdd(int rows, int len, float[] a, int aOff, int aPitch, int[] aRows,
      int aRow, float[] b, int bOff, int bPitch, int[] bRows, int bRow, float[] acc,
      int accOff) {
    assert rows >= 0 && len >= 0 && aRow + MR <= aRows.length && bRow + NR <= bRows.length
        && accOff >= 0 && accOff + MR * NR <= acc.length;
    int o = accOff;
    float c00 = acc[o], c01 = acc[o + 1], c02 = acc[o + 2], c03 = acc[o + 3];
    float c10 = acc[o + 4], c11 = acc[o + 5], c12 = acc[o + 6], c13 = acc[o + 7];
    float c20 = acc[o + 8], c21 = acc[o + 9], c22 = acc[o + 10], c23 = acc[o + 11];
    float c30 = acc[o + 12], c31 = acc[o + 13], c32 = acc[o + 14], c33 = acc[o + 15];
    for (int p = 0; p < rows; p++) {
      int a0 = aOff + aRows[aRow] + p * aPitch;
      int a1 = aOff + aRows[aRow + 1] + p * aPitch;
      int a2 = aOff + aRows[aRow + 2] + p * aPitch;
      int a3 = aOff + aRows[aRow + 3] + p * aPitch;
      int b0 = bOff + bRows[bRow] + p * bPitch;
      int b1 = bOff + bRows[bRow + 1] + p * bPitch;
      int b2 = bOff + bRows[bRow + 2] + p * bPitch;
      int b3 = bOff + bRows[bRow + 3] + p * bPitch;
      for (int q = 0; q < len; q++) {
        float y0 = b[b0 + q], y1 = b[b1 + q], y2 = b[b2 + q], y3 = b[b3 + q];
        float ai = a[a0 + q];
        c00 += ai * y0; c01 += ai * y1; c02 += ai * y2; c03 += ai * y3;
        ai = a[a1 + q];
        c10 += ai * y0; c11 += ai * y1; c12 += ai * y2; c13 += ai * y3;
        ai = a[a2 + q];
        c20 += ai * y0; c21 += ai * y1; c22 += ai * y2; c23 += ai * y3;
        ai = a[a3 + q];
        c30 += ai * y0; c31 += ai * y1; c32 += ai * y2; c33 += ai * y3;
      }
    }
    acc[o] = c00; acc[o + 1] = c01; acc[o + 2] = c02; acc[o + 3] = c03;
    acc[o + 4] = c10; acc[o + 5] = c11; acc[o + 6] = c12; acc[o + 7] = c13;
    acc[o + 8] = c20; acc[o + 9] = c21; acc[o + 10] = c22; acc[o + 11] = c23;
    acc[o + 12] = c30; acc[o + 13] = c31; acc[o + 14] = c32; acc[o + 15] = c33;
  }
}
