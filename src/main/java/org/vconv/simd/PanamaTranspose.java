package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ArrayKernels#transpose} on vector lanes. With 16 lanes and adjacent source columns
 * ({@code cStep == 1}), 16 x 16 blocks: 16 row loads, four rounds of two-source permutes
 * ({@code vpermi2ps}) and 16 stores. Otherwise each destination row's run of {@code L} source
 * rows is one gather ({@code vgatherdps}) and one store; blocks come first because plain
 * loads and permutes cost much less than gathers. Masked loads cost far more than full ones, so
 * a short block for the last columns reads its full rows when they lie inside the array and
 * stores only its columns' outputs, else the columns take gathers. Rows past the last full
 * {@code L} take the scalar provider's loop. GEMM micro-panels of 8 rows and multiples of 8
 * (the 16-lane kernels' A panels, the 8-lane kernels' B panels) take 8 x 8 blocks of 8-lane
 * vectors ({@link #panel}).
 */
final class PanamaTranspose {
  private PanamaTranspose() {}

  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;
  private static final int L = SPECIES.length();

  /** Lane indices into two vectors {@code (a, b)}: their first halves interleaved. */
  private static final FloatVector LO = zip(SPECIES, 0);

  /** Their second halves interleaved. */
  private static final FloatVector HI = zip(SPECIES, L / 2);

  /**
   * Lane indices of {@code species} into two vectors {@code (a, b)}: lanes {@code from...} of
   * each, interleaved ({@code a[from], b[from], a[from + 1], ...}).
   */
  private static FloatVector zip(VectorSpecies<Float> species, int from) {
    int lanes = species.length();
    float[] index = new float[lanes];
    for (int i = 0; i < lanes / 2; i++) {
      index[2 * i] = from + i;
      index[2 * i + 1] = from + i + lanes;
    }
    return FloatVector.fromArray(species, index, 0);
  }

  /** 8-lane vectors, for GEMM panels of 8 rows or a multiple of 8 ({@link #panel}). */
  private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;

  /** {@link #LO} and {@link #HI} of 8-lane vectors. */
  private static final FloatVector LO8 = zip(S8, 0);

  private static final FloatVector HI8 = zip(S8, 4);

  /**
   * A GEMM micro-panel from rows contiguous along the depth:
   * {@code dst[dOff + p*width + i] = src[sOff + i*sStride + p]}, {@code i < rows},
   * {@code p < kc}; in 8 x 8 blocks of three rounds of two-source permutes on 8-lane vectors,
   * the rows past the last 8 and the last columns by the scalar loop.
   */
  static void panel(float[] src, int sOff, int sStride, int rows, int kc, float[] dst, int dOff,
      int width) {
    int r = 0;
    for (; r + 8 <= rows; r += 8) {
      int c = 0;
      for (; c + 8 <= kc; c += 8) {
        block8(src, sOff + r * sStride + c, sStride, dst, dOff + c * width + r, width);
      }
      ScalarArrayKernels.transposeRows(src, sOff + r * sStride + c, sStride, 1, 0, 8, kc - c,
          dst, dOff + c * width + r, width);
    }
    ScalarArrayKernels.transposeRows(src, sOff, sStride, 1, r, rows, kc, dst, dOff, width);
  }

  /** The 8 x 8 block at {@code s[at + i*ss + j]} into {@code d[to + j*ds + i]}. */
  private static void block8(float[] s, int at, int ss, float[] d, int to, int ds) {
    FloatVector r0 = FloatVector.fromArray(S8, s, at);
    FloatVector r1 = FloatVector.fromArray(S8, s, at + ss);
    FloatVector r2 = FloatVector.fromArray(S8, s, at + 2 * ss);
    FloatVector r3 = FloatVector.fromArray(S8, s, at + 3 * ss);
    FloatVector r4 = FloatVector.fromArray(S8, s, at + 4 * ss);
    FloatVector r5 = FloatVector.fromArray(S8, s, at + 5 * ss);
    FloatVector r6 = FloatVector.fromArray(S8, s, at + 6 * ss);
    FloatVector r7 = FloatVector.fromArray(S8, s, at + 7 * ss);
    for (int round = 0; round < 3; round++) { // interleave rows i and i + 4 into 2i, 2i + 1
      FloatVector t0 = LO8.selectFrom(r0, r4);
      FloatVector t1 = HI8.selectFrom(r0, r4);
      FloatVector t2 = LO8.selectFrom(r1, r5);
      FloatVector t3 = HI8.selectFrom(r1, r5);
      FloatVector t4 = LO8.selectFrom(r2, r6);
      FloatVector t5 = HI8.selectFrom(r2, r6);
      FloatVector t6 = LO8.selectFrom(r3, r7);
      FloatVector t7 = HI8.selectFrom(r3, r7);
      r0 = t0;
      r1 = t1;
      r2 = t2;
      r3 = t3;
      r4 = t4;
      r5 = t5;
      r6 = t6;
      r7 = t7;
    }
    r0.intoArray(d, to);
    r1.intoArray(d, to + ds);
    r2.intoArray(d, to + 2 * ds);
    r3.intoArray(d, to + 3 * ds);
    r4.intoArray(d, to + 4 * ds);
    r5.intoArray(d, to + 5 * ds);
    r6.intoArray(d, to + 6 * ds);
    r7.intoArray(d, to + 7 * ds);
  }

  /** Whether {@link #transpose} moves 16 x 16 blocks in registers (16-lane vectors). */
  static boolean blocks16() {
    return L == 16;
  }

  /** Whether {@link #panel}'s 8-lane vectors are at most this provider's width. */
  static boolean blocks8() {
    return L >= 8;
  }

  static void transpose(float[] src, int sOff, int sStride, int cStep, int rows, int cols,
      float[] dst, int dOff, int dStride) {
    int r = 0;
    if (rows >= L) {
      int[] rowAt = new int[L];
      for (int i = 0; i < L; i++) {
        rowAt[i] = i * sStride;
      }
      boolean blocks = L == 16 && cStep == 1;
      for (; r + L <= rows; r += L) {
        int from = sOff + r * sStride;
        int to = dOff + r;
        int c = 0;
        if (blocks) {
          for (; c + L <= cols; c += L, to += L * dStride) {
            block16(src, from + c, sStride, dst, to, dStride, L);
          }
          // a short last block reads past its columns: only inside the array
          if (c < cols && from + c + (L - 1) * sStride + L <= src.length) {
            block16(src, from + c, sStride, dst, to, dStride, cols - c);
            c = cols;
          }
        }
        for (from += c * cStep; c < cols; c++, from += cStep, to += dStride) {
          FloatVector.fromArray(SPECIES, src, from, rowAt, 0).intoArray(dst, to);
        }
      }
    }
    ScalarArrayKernels.transposeRows(src, sOff, sStride, cStep, r, rows, cols, dst, dOff,
        dStride);
  }

  /**
   * The 16 x 16 block at {@code s[at + i*ss + j]} into {@code d[to + j*ds + i]}, columns
   * {@code j < n} only (the others are read, not written): each round
   * interleaves rows {@code i} and {@code i + 8} into rows {@code 2i} and {@code 2i + 1}, and
   * four rounds (log2 16) transpose. Unrolled by hand, so that the 16 rows stay in registers
   * across the rounds.
   */
  private static void block16(float[] s, int at, int ss, float[] d, int to, int ds, int n) {
    FloatVector r0 = FloatVector.fromArray(SPECIES, s, at);
    FloatVector r1 = FloatVector.fromArray(SPECIES, s, at + ss);
    FloatVector r2 = FloatVector.fromArray(SPECIES, s, at + 2 * ss);
    FloatVector r3 = FloatVector.fromArray(SPECIES, s, at + 3 * ss);
    FloatVector r4 = FloatVector.fromArray(SPECIES, s, at + 4 * ss);
    FloatVector r5 = FloatVector.fromArray(SPECIES, s, at + 5 * ss);
    FloatVector r6 = FloatVector.fromArray(SPECIES, s, at + 6 * ss);
    FloatVector r7 = FloatVector.fromArray(SPECIES, s, at + 7 * ss);
    FloatVector r8 = FloatVector.fromArray(SPECIES, s, at + 8 * ss);
    FloatVector r9 = FloatVector.fromArray(SPECIES, s, at + 9 * ss);
    FloatVector r10 = FloatVector.fromArray(SPECIES, s, at + 10 * ss);
    FloatVector r11 = FloatVector.fromArray(SPECIES, s, at + 11 * ss);
    FloatVector r12 = FloatVector.fromArray(SPECIES, s, at + 12 * ss);
    FloatVector r13 = FloatVector.fromArray(SPECIES, s, at + 13 * ss);
    FloatVector r14 = FloatVector.fromArray(SPECIES, s, at + 14 * ss);
    FloatVector r15 = FloatVector.fromArray(SPECIES, s, at + 15 * ss);
    FloatVector t0 = LO.selectFrom(r0, r8), t1 = HI.selectFrom(r0, r8);
    FloatVector t2 = LO.selectFrom(r1, r9), t3 = HI.selectFrom(r1, r9);
    FloatVector t4 = LO.selectFrom(r2, r10), t5 = HI.selectFrom(r2, r10);
    FloatVector t6 = LO.selectFrom(r3, r11), t7 = HI.selectFrom(r3, r11);
    FloatVector t8 = LO.selectFrom(r4, r12), t9 = HI.selectFrom(r4, r12);
    FloatVector t10 = LO.selectFrom(r5, r13), t11 = HI.selectFrom(r5, r13);
    FloatVector t12 = LO.selectFrom(r6, r14), t13 = HI.selectFrom(r6, r14);
    FloatVector t14 = LO.selectFrom(r7, r15), t15 = HI.selectFrom(r7, r15);
    r0 = t0; r1 = t1; r2 = t2; r3 = t3; r4 = t4; r5 = t5; r6 = t6; r7 = t7;
    r8 = t8; r9 = t9; r10 = t10; r11 = t11; r12 = t12; r13 = t13; r14 = t14; r15 = t15;
    t0 = LO.selectFrom(r0, r8); t1 = HI.selectFrom(r0, r8);
    t2 = LO.selectFrom(r1, r9); t3 = HI.selectFrom(r1, r9);
    t4 = LO.selectFrom(r2, r10); t5 = HI.selectFrom(r2, r10);
    t6 = LO.selectFrom(r3, r11); t7 = HI.selectFrom(r3, r11);
    t8 = LO.selectFrom(r4, r12); t9 = HI.selectFrom(r4, r12);
    t10 = LO.selectFrom(r5, r13); t11 = HI.selectFrom(r5, r13);
    t12 = LO.selectFrom(r6, r14); t13 = HI.selectFrom(r6, r14);
    t14 = LO.selectFrom(r7, r15); t15 = HI.selectFrom(r7, r15);
    r0 = t0; r1 = t1; r2 = t2; r3 = t3; r4 = t4; r5 = t5; r6 = t6; r7 = t7;
    r8 = t8; r9 = t9; r10 = t10; r11 = t11; r12 = t12; r13 = t13; r14 = t14; r15 = t15;
    t0 = LO.selectFrom(r0, r8); t1 = HI.selectFrom(r0, r8);
    t2 = LO.selectFrom(r1, r9); t3 = HI.selectFrom(r1, r9);
    t4 = LO.selectFrom(r2, r10); t5 = HI.selectFrom(r2, r10);
    t6 = LO.selectFrom(r3, r11); t7 = HI.selectFrom(r3, r11);
    t8 = LO.selectFrom(r4, r12); t9 = HI.selectFrom(r4, r12);
    t10 = LO.selectFrom(r5, r13); t11 = HI.selectFrom(r5, r13);
    t12 = LO.selectFrom(r6, r14); t13 = HI.selectFrom(r6, r14);
    t14 = LO.selectFrom(r7, r15); t15 = HI.selectFrom(r7, r15);
    r0 = t0; r1 = t1; r2 = t2; r3 = t3; r4 = t4; r5 = t5; r6 = t6; r7 = t7;
    r8 = t8; r9 = t9; r10 = t10; r11 = t11; r12 = t12; r13 = t13; r14 = t14; r15 = t15;
    t0 = LO.selectFrom(r0, r8); t1 = HI.selectFrom(r0, r8);
    t2 = LO.selectFrom(r1, r9); t3 = HI.selectFrom(r1, r9);
    t4 = LO.selectFrom(r2, r10); t5 = HI.selectFrom(r2, r10);
    t6 = LO.selectFrom(r3, r11); t7 = HI.selectFrom(r3, r11);
    t8 = LO.selectFrom(r4, r12); t9 = HI.selectFrom(r4, r12);
    t10 = LO.selectFrom(r5, r13); t11 = HI.selectFrom(r5, r13);
    t12 = LO.selectFrom(r6, r14); t13 = HI.selectFrom(r6, r14);
    t14 = LO.selectFrom(r7, r15); t15 = HI.selectFrom(r7, r15);
    t0.intoArray(d, to);
    if (n > 1) {
      t1.intoArray(d, to + ds);
    }
    if (n > 2) {
      t2.intoArray(d, to + 2 * ds);
    }
    if (n > 3) {
      t3.intoArray(d, to + 3 * ds);
    }
    if (n > 4) {
      t4.intoArray(d, to + 4 * ds);
    }
    if (n > 5) {
      t5.intoArray(d, to + 5 * ds);
    }
    if (n > 6) {
      t6.intoArray(d, to + 6 * ds);
    }
    if (n > 7) {
      t7.intoArray(d, to + 7 * ds);
    }
    if (n > 8) {
      t8.intoArray(d, to + 8 * ds);
    }
    if (n > 9) {
      t9.intoArray(d, to + 9 * ds);
    }
    if (n > 10) {
      t10.intoArray(d, to + 10 * ds);
    }
    if (n > 11) {
      t11.intoArray(d, to + 11 * ds);
    }
    if (n > 12) {
      t12.intoArray(d, to + 12 * ds);
    }
    if (n > 13) {
      t13.intoArray(d, to + 13 * ds);
    }
    if (n > 14) {
      t14.intoArray(d, to + 14 * ds);
    }
    if (n > 15) {
      t15.intoArray(d, to + 15 * ds);
    }
  }
}
