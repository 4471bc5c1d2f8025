package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ArrayKernels#transpose} on 16-lane vectors: 16 x 16 blocks, four rounds of two-vector
 * {@code selectFrom} (one {@code vpermt2ps} each) that swap ever smaller blocks between row
 * pairs. The two-vector form compiles only with AVX-512 (elsewhere it is Java code, many times
 * slower), so narrower species and the rows past the last full 16 take the scalar provider's
 * loop; a last partial block of columns is read under a mask and stored for its columns only.
 */
final class PanamaTranspose {
  private PanamaTranspose() {}

  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;

  /** Whether the vector path runs: 16 float lanes (512-bit species). */
  static final boolean VECTOR = SPECIES.length() == 16;

  /** Per round (block size 8, 4, 2, 1): the lane indices of the pair's low and high rows. */
  private static final FloatVector[] LOW = new FloatVector[4];
  private static final FloatVector[] HIGH = new FloatVector[4];

  static {
    if (VECTOR) {
      for (int round = 0; round < 4; round++) {
        int b = 8 >> round;
        float[] low = new float[16];
        float[] high = new float[16];
        for (int j = 0; j < 16; j++) { // indexes 16.. name the second vector's lanes
          low[j] = (j & b) == 0 ? j : 16 + j - b;
          high[j] = (j & b) == 0 ? j + b : 16 + j;
        }
        LOW[round] = FloatVector.fromArray(SPECIES, low, 0);
        HIGH[round] = FloatVector.fromArray(SPECIES, high, 0);
      }
    }
  }

  static void transpose(float[] src, int sOff, int sStride, int rows, int cols, float[] dst,
      int dOff, int dStride) {
    int r = 0;
    if (VECTOR && rows >= 16) {
      float[] tmp = new float[16 * 16];
      for (; r + 16 <= rows; r += 16) {
        for (int c = 0; c < cols; c += 16) {
          int n = Math.min(16, cols - c);
          int from = sOff + r * sStride + c;
          int to = dOff + c * dStride + r;
          firstRound(src, from, sStride, PanamaMasks.first(n), tmp);
          innerRound(tmp, 1);
          innerRound(tmp, 2);
          lastRound(tmp, dst, to, dStride, n);
        }
      }
    }
    // rows past the last 16, and narrower species
    ScalarArrayKernels.transposeRows(src, sOff, sStride, r, rows, cols, dst, dOff, dStride);
  }

  // A block's rounds run pair by pair through a 16 x 16 scratch in L1: with all 16 rows in
  // registers the method was too large for C1 ("out of virtual registers"), and a method C1
  // cannot compile stays at tier 2, where Vector API calls run as Java code.

  /** Round 1: rows i and i+8 of the block (its first {@code m} columns) into the scratch. */
  private static void firstRound(float[] s, int o, int ss, VectorMask<Float> m, float[] tmp) {
    FloatVector lo = LOW[0];
    FloatVector hi = HIGH[0];
    for (int i = 0; i < 8; i++) {
      FloatVector a = FloatVector.fromArray(SPECIES, s, o + i * ss, m);
      FloatVector b = FloatVector.fromArray(SPECIES, s, o + (i + 8) * ss, m);
      lo.selectFrom(a, b).intoArray(tmp, 16 * i);
      hi.selectFrom(a, b).intoArray(tmp, 16 * (i + 8));
    }
  }

  /** Rounds 2 and 3, in place: rows i and i + (8 >> round). */
  private static void innerRound(float[] tmp, int round) {
    int b = 8 >> round;
    FloatVector lo = LOW[round];
    FloatVector hi = HIGH[round];
    for (int i = 0; i < 16; i++) {
      if ((i & b) == 0) {
        FloatVector x = FloatVector.fromArray(SPECIES, tmp, 16 * i);
        FloatVector y = FloatVector.fromArray(SPECIES, tmp, 16 * (i + b));
        lo.selectFrom(x, y).intoArray(tmp, 16 * i);
        hi.selectFrom(x, y).intoArray(tmp, 16 * (i + b));
      }
    }
  }

  /** Round 4: rows i and i+1, stored as the block's first {@code n} transposed rows. */
  private static void lastRound(float[] tmp, float[] d, int p, int ds, int n) {
    FloatVector lo = LOW[3];
    FloatVector hi = HIGH[3];
    for (int i = 0; i < n; i += 2) {
      FloatVector x = FloatVector.fromArray(SPECIES, tmp, 16 * i);
      FloatVector y = FloatVector.fromArray(SPECIES, tmp, 16 * (i + 1));
      lo.selectFrom(x, y).intoArray(d, p + i * ds);
      if (i + 1 < n) {
        hi.selectFrom(x, y).intoArray(d, p + (i + 1) * ds);
      }
    }
  }
}
