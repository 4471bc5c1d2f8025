package org.vconv.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vconv.simd.TestArrays.random;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrayKernels#gatherStrided}, {@link ArrayKernels#addIntoStrided}, {@link
 * ArrayKernels#scatterStrided}, {@link ArrayKernels#addTaps} and {@link ArrayKernels#transpose}
 * against their definitions on both providers, bit for bit. Strided: strides 1..4, lengths
 * 0..70 (every vector count and tail at 4, 8 and 16 lanes), one row or three, runs that start
 * at the array's first float and end at its last (a vector load or store past a run throws or
 * shows), and for the scatters, elements between the strided ones that hold -0, NaN and
 * infinity, whose bits must survive. Transpose: every block shape up to 37 x 37 around the
 * 16 x 16 register blocks, arrays ending at the last element touched. Repeated until C2 has
 * compiled the SIMD bodies; checked on the first and the last rounds.
 */
class StridedKernelsTest {
  private static final int ROUNDS = 400;
  private static final float[] ODD = {-0f, Float.NaN, Float.POSITIVE_INFINITY, 0f, 1.5f};

  @Test
  void gatherStridedCopiesEveryStrideThElement() {
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      SplittableRandom rnd = new SplittableRandom(3);
      for (int round = 0; round < ROUNDS; round++) {
        boolean check = round == 0 || round == ROUNDS - 1;
        for (int stride = 1; stride <= 4; stride++) {
          for (int len = 0; len <= 70; len++) {
            int rows = len % 2 == 0 ? 1 : 3; // one row through the short form
            int span = Math.max(0, (len - 1) * stride + 1);
            int sPitch = span + rnd.nextInt(3);
            int dPitch = Math.max(1, len + rnd.nextInt(3));
            int sOff = round % 2 == 0 ? 0 : rnd.nextInt(5);
            int dOff = rnd.nextInt(3);
            // the last row's last element is the array's last float
            float[] src = random(rnd, sOff + (rows - 1) * sPitch + span);
            float[] dst = random(rnd, dOff + (rows - 1) * dPitch + len + 2);
            float[] before = dst.clone();
            if (rows == 1) {
              k.gatherStrided(src, sOff, stride, dst, dOff, len);
            } else {
              k.gatherStrided(src, sOff, sPitch, stride, dst, dOff, dPitch, len, rows);
            }
            if (!check) {
              continue;
            }
            for (int at = 0; at < dst.length; at++) {
              int r = at < dOff ? -1 : (at - dOff) / dPitch;
              int i = at - dOff - r * dPitch;
              float want = r >= 0 && r < rows && i < len && len > 0
                  ? src[sOff + r * sPitch + i * stride] : before[at];
              assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dst[at]),
                  vp.name() + " stride " + stride + " len " + len + " at " + at);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(2 * 2 * 4 * 71, checked);
  }

  @Test
  void transposeMovesEveryElementAndNothingElse() {
    int checked = 0;
    int[] sizes = {0, 1, 2, 7, 15, 16, 17, 31, 32, 33, 37};
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      SplittableRandom rnd = new SplittableRandom(9);
      for (int round = 0; round < ROUNDS; round++) {
        boolean check = round == 0 || round == ROUNDS - 1;
        for (int rows : sizes) {
          for (int cols : sizes) {
            // column steps 1 (a block's rows), 2 and 9 (a 3x3 tap's channels)
            int cStep = new int[] {1, 2, 9}[(rows + cols + (round == 0 ? 0 : 1)) % 3];
            int sStride = Math.max(1, cols * cStep + rnd.nextInt(3));
            int dStride = Math.max(1, rows + rnd.nextInt(3));
            int sOff = rnd.nextInt(3);
            int dOff = rnd.nextInt(3);
            // both arrays end at the last element the definition touches
            float[] src = random(rnd,
                sOff + Math.max(0, (rows - 1) * sStride + (cols - 1) * cStep + 1));
            if (src.length > 0) {
              src[rnd.nextInt(src.length)] = Float.intBitsToFloat(0x7fc0_1234); // a NaN payload
            }
            float[] dst = random(rnd, dOff + Math.max(0, (cols - 1) * dStride + rows));
            float[] before = dst.clone();
            k.transpose(src, sOff, sStride, cStep, rows, cols, dst, dOff, dStride);
            if (!check) {
              continue;
            }
            for (int at = 0; at < dst.length; at++) {
              int c = (at - dOff) / dStride;
              int r = (at - dOff) % dStride;
              boolean hit = at >= dOff && r < rows && c < cols;
              float want = hit ? src[sOff + r * sStride + c * cStep] : before[at];
              assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dst[at]),
                  vp.name() + " " + rows + " x " + cols + " at " + at);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(2 * 2 * 11 * 11, checked);
  }

  /** Rows 1 and 3, with pitches just past a row and further: each element of each row once. */
  @Test
  void addIntoStridedAddsOncePerElementAndKeepsTheOthersBits() {
    assertEquals(2 * 2 * 4 * 71, stridedStores(true));
  }

  /** As {@link #addIntoStridedAddsOncePerElementAndKeepsTheOthersBits}, overwriting. */
  @Test
  void scatterStridedSetsItsElementsAndKeepsTheOthersBits() {
    assertEquals(2 * 2 * 4 * 71, stridedStores(false));
  }

  /**
   * {@link ArrayKernels#addIntoStrided} ({@code add}) or {@link ArrayKernels#scatterStrided}
   * against its definition; the number of cases checked.
   */
  private static int stridedStores(boolean add) {
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      SplittableRandom rnd = new SplittableRandom(add ? 5 : 9);
      for (int round = 0; round < ROUNDS; round++) {
        boolean check = round == 0 || round == ROUNDS - 1;
        for (int stride = 1; stride <= 4; stride++) {
          for (int len = 0; len <= 70; len++) {
            int rows = len % 2 == 0 ? 1 : 3;
            int span = Math.max(0, (len - 1) * stride + 1);
            int sPitch = len + rnd.nextInt(3);
            int dPitch = span + rnd.nextInt(3);
            int sOff = rnd.nextInt(4);
            int dOff = round % 2 == 0 ? 0 : rnd.nextInt(5);
            float[] src = random(rnd, sOff + (rows - 1) * sPitch + len);
            float[] dst = random(rnd, dOff + (rows - 1) * dPitch + span);
            for (int at = 0; at < dst.length; at++) {
              if (!hit(at, dOff, dPitch, stride, len)) {
                dst[at] = ODD[rnd.nextInt(ODD.length)];
              }
            }
            if (len > 0 && rnd.nextInt(4) == 0) {
              // -0 + 0 is +0, and a stored -0 replaces a +0: the element must change its bits
              dst[dOff] = add ? -0f : 0f;
              src[sOff] = add ? 0f : -0f;
            }
            float[] before = dst.clone();
            if (add) {
              k.addIntoStrided(src, sOff, sPitch, dst, dOff, dPitch, stride, len, rows);
            } else {
              k.scatterStrided(src, sOff, sPitch, dst, dOff, dPitch, stride, len, rows);
            }
            if (!check) {
              continue;
            }
            for (int at = 0; at < dst.length; at++) {
              float want = before[at];
              if (hit(at, dOff, dPitch, stride, len)) {
                int r = (at - dOff) / dPitch;
                float v = src[sOff + r * sPitch + (at - dOff - r * dPitch) / stride];
                want = add ? want + v : v;
              }
              assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(dst[at]),
                  vp.name() + " stride " + stride + " len " + len + " at " + at);
            }
            checked++;
          }
        }
      }
    }
    return checked;
  }

  /**
   * Strides 1 and 2, one to seven taps (three has its own code at stride 2), row widths 1..70
   * (every chunk count and tail at 4, 8 and 16 lanes), each tap's columns random: first column
   * of either parity, runs that stop short of the row's end, reach it, or are empty (len 0 or
   * below), source offsets that start the array. Arrays end at the last row's last column and
   * the last source element read, so a lane past them throws. Each element gets its taps' adds
   * in tap order.
   */
  @Test
  void addTapsAddsEachTapInOrderAndKeepsTheOthersBits() {
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      SplittableRandom rnd = new SplittableRandom(11);
      for (int round = 0; round < 2 * ROUNDS; round++) {
        int stride = 1 + round % 2;
        boolean check = round < 2 || round >= 2 * ROUNDS - 2;
        for (int taps : new int[] {1, 2, 3, 4, 7}) {
          for (int width = 1; width <= 70; width++) {
            int rows = width % 3 == 0 ? 1 : 2 + width % 2;
            int[] iw = new int[taps];
            int[] qLo = new int[taps];
            int[] len = new int[taps];
            int sPitch = 1;
            for (int s = 0; s < taps; s++) {
              iw[s] = rnd.nextInt(Math.min(width, 3)) + (rnd.nextBoolean() ? 0 : width / 3);
              iw[s] = Math.min(iw[s], width - 1);
              int most = (width - 1 - iw[s]) / stride + 1;
              len[s] = rnd.nextInt(5) == 0 ? -rnd.nextInt(2)
                  : most - rnd.nextInt(Math.min(most, 3));
              qLo[s] = round / 2 % 2 == 0 && s == 0 ? 0 : rnd.nextInt(3);
              sPitch = Math.max(sPitch, qLo[s] + Math.max(0, len[s]));
            }
            sPitch += rnd.nextInt(2);
            int tapPitch = rows * sPitch;
            int dPitch = width + rnd.nextInt(3);
            int sOff = rnd.nextInt(3);
            int dOff = round / 2 % 2 == 0 ? 0 : rnd.nextInt(4);
            int srcEnd = sOff + 1;
            for (int s = 0; s < taps; s++) {
              if (len[s] > 0) {
                srcEnd = Math.max(srcEnd,
                    sOff + s * tapPitch + (rows - 1) * sPitch + qLo[s] + len[s]);
              }
            }
            float[] src = random(rnd, srcEnd);
            float[] dst = new float[dOff + (rows - 1) * dPitch + width];
            for (int at = 0; at < dst.length; at++) {
              dst[at] = ODD[rnd.nextInt(ODD.length)];
            }
            float[] want = dst.clone();
            for (int r = 0; r < rows; r++) {
              for (int s = 0; s < taps; s++) {
                for (int i = 0; i < len[s]; i++) {
                  want[dOff + r * dPitch + iw[s] + stride * i] +=
                      src[sOff + s * tapPitch + r * sPitch + qLo[s] + i];
                }
              }
            }
            k.addTaps(stride, src, sOff, tapPitch, sPitch, dst, dOff, dPitch, width, iw, qLo,
                len, rows);
            if (!check) {
              continue;
            }
            for (int at = 0; at < dst.length; at++) {
              assertEquals(Float.floatToRawIntBits(want[at]), Float.floatToRawIntBits(dst[at]),
                  vp.name() + " stride " + stride + " taps " + taps + " width " + width + " at " + at);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(2 * 2 * 2 * 5 * 70, checked);
  }

  /** Whether {@code dst[at]} is one of the elements {@code addIntoStrided} adds to. */
  private static boolean hit(int at, int dOff, int dPitch, int stride, int len) {
    if (at < dOff || len == 0) {
      return false;
    }
    int inRow = (at - dOff) % dPitch; // len > 0: dPitch >= a row's span >= 1
    return inRow % stride == 0 && inRow / stride < len;
  }
}
