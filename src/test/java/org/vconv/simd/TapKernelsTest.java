package org.vconv.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vconv.simd.TestArrays.integers;
import static org.vconv.simd.TestArrays.random;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrayKernels#tapSums}, {@link ArrayKernels#tapDots}, {@link ArrayKernels#tapProducts}
 * and {@link ArrayKernels#sumLanes} against their definitions on both providers: lengths 0..67
 * (every split into register tiles, single vectors and masked tails), 0..9 taps at random
 * offsets, 1..6 rows (the four-row tile and the rest), unaligned offsets, arrays sized
 * exactly to what the definition reads (a stray vector load throws). Repeated until C2 has
 * compiled the SIMD bodies (Vector API code is interpreted at first, and C2 has had Vector
 * API miscompiles); checked on the first and the last rounds.
 */
class TapKernelsTest {
  private static final int ROUNDS = 800; // C2 compiles the bodies after ~300 (PrintCompilation)
  private static final float GUARD = 12345f;

  @Test
  void tapSumsAddToTheRowsBitForBit() {
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      boolean fused = !vp.name().equals("scalar");
      SplittableRandom rnd = new SplittableRandom(7);
      for (int round = 0; round < ROUNDS; round++) {
        boolean check = round == 0 || round == ROUNDS - 1;
        for (int len = 0; len <= 67; len++) {
          int outs = 1 + rnd.nextInt(6);
          int taps = rnd.nextInt(10);
          int[] off = offsets(rnd, taps);
          int sOff = rnd.nextInt(5);
          float[] src = random(rnd, sOff + max(off) + len);
          int wStride = taps + rnd.nextInt(3);
          int wOff = rnd.nextInt(4);
          float[] w = random(rnd, wOff + outs * wStride);
          int dOff = rnd.nextInt(5);
          int dStride = Math.max(1, len + rnd.nextInt(3)); // rows may abut
          float[] dst = new float[dOff + outs * dStride];
          java.util.Arrays.fill(dst, GUARD);
          float[] init = random(rnd, outs * len);
          for (int j = 0; j < outs; j++) {
            System.arraycopy(init, j * len, dst, dOff + j * dStride, len);
          }
          k.tapSums(src, sOff, off, taps, w, wOff, wStride, outs, dst, dOff, dStride, len);
          if (!check) {
            continue;
          }
          for (int at = 0; at < dst.length; at++) {
            int j = (at - dOff) / dStride;
            int i = (at - dOff) % dStride;
            float want = GUARD;
            if (at >= dOff && i < len) { // added in tap order; SIMD fuses every term
              want = init[j * len + i];
              for (int t = 0; t < taps; t++) {
                float a = w[wOff + j * wStride + t];
                float b = src[sOff + off[t] + i];
                want = fused ? Math.fma(b, a, want) : want + a * b;
              }
            }
            assertEquals(want, dst[at], vp.name() + " len " + len + " outs " + outs + " taps "
                + taps + " at " + at);
          }
          checked++;
        }
      }
    }
    assertEquals(2 * 2 * 68, checked);
  }

  @Test
  void tapProductsAddToTheRowBitForBit() {
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      boolean fused = !vp.name().equals("scalar");
      SplittableRandom rnd = new SplittableRandom(13);
      for (int round = 0; round < ROUNDS; round++) {
        boolean check = round == 0 || round == ROUNDS - 1;
        for (int len = 0; len <= 67; len++) {
          int taps = rnd.nextInt(10);
          int[] aOff = offsets(rnd, taps);
          int[] bOff = offsets(rnd, taps);
          float[] a = random(rnd, max(aOff) + len);
          float[] b = random(rnd, max(bOff) + len);
          int dOff = rnd.nextInt(5);
          float[] dst = new float[dOff + len + rnd.nextInt(3)];
          java.util.Arrays.fill(dst, GUARD);
          float[] init = random(rnd, len);
          System.arraycopy(init, 0, dst, dOff, len);
          k.tapProducts(a, aOff, b, bOff, taps, dst, dOff, len);
          if (!check) {
            continue;
          }
          for (int at = 0; at < dst.length; at++) {
            int i = at - dOff;
            float want = GUARD;
            if (i >= 0 && i < len) {
              want = init[i];
              for (int t = 0; t < taps; t++) {
                float u = a[aOff[t] + i];
                float v = b[bOff[t] + i];
                want = fused ? Math.fma(u, v, want) : want + u * v;
              }
            }
            assertEquals(want, dst[at], vp.name() + " len " + len + " taps " + taps + " at " + at);
          }
          checked++;
        }
      }
    }
    assertEquals(2 * 2 * 68, checked);
  }

  /** Small integers make every sum exact, so any order of partial sums gives the same bits. */
  @Test
  void tapDotsAddTheExactDotsToTheirPartials() {
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      int lanes = k.dotLanes();
      assertEquals(vp.name().equals("scalar") ? 1 : vp.vectorBitSize() / 32, lanes);
      SplittableRandom rnd = new SplittableRandom(11);
      for (int round = 0; round < ROUNDS; round++) {
        boolean check = round == 0 || round == ROUNDS - 1;
        for (int len = 0; len <= 67; len++) {
          int outs = 1 + rnd.nextInt(6);
          int taps = rnd.nextInt(10);
          int[] off = offsets(rnd, taps);
          int sOff = rnd.nextInt(5);
          float[] src = integers(rnd, sOff + max(off) + len);
          int aOff = rnd.nextInt(5);
          int aStride = len + rnd.nextInt(3);
          float[] a = integers(rnd, aOff + outs * aStride);
          int accOff = rnd.nextInt(3);
          float[] acc = integers(rnd, accOff + outs * taps * lanes + 2);
          float[] before = acc.clone();
          k.tapDots(a, aOff, aStride, outs, src, sOff, off, taps, len, acc, accOff);
          if (!check) {
            continue;
          }
          for (int j = 0; j < outs; j++) {
            for (int t = 0; t < taps; t++) {
              int at = accOff + (j * taps + t) * lanes;
              float want = 0f;
              float got = 0f;
              for (int l = 0; l < lanes; l++) {
                want += before[at + l];
                got += acc[at + l];
              }
              for (int i = 0; i < len; i++) {
                want += a[aOff + j * aStride + i] * src[sOff + off[t] + i];
              }
              assertEquals(want, got, vp.name() + " len " + len + " row " + j + " tap " + t);
            }
          }
          for (int at = 0; at < acc.length; at++) {
            if (at < accOff || at >= accOff + outs * taps * lanes) {
              assertEquals(before[at], acc[at], "outside the partials: " + at);
            }
          }
          checked++;
        }
      }
    }
    assertEquals(2 * 2 * 68, checked);
  }

  @Test
  void sumLanesAddsThePartialsInLaneOrderBitForBit() {
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      SplittableRandom rnd = new SplittableRandom(13);
      int lanes0 = k.dotLanes();
      for (int round = 0; round < ROUNDS; round++) {
        boolean check = round == 0 || round == ROUNDS - 1;
        for (int lanes : new int[] {1, 3, lanes0, 2 * lanes0}) {
          for (int count = 0; count <= 3 * lanes0 + 3; count++) {
            int sOff = rnd.nextInt(5);
            int dOff = rnd.nextInt(5);
            float[] src = random(rnd, sOff + count * lanes);
            float[] dst = new float[dOff + count + 2];
            java.util.Arrays.fill(dst, GUARD);
            k.sumLanes(src, sOff, lanes, dst, dOff, count);
            if (!check) {
              continue;
            }
            for (int at = 0; at < dst.length; at++) {
              float want = GUARD;
              if (at >= dOff && at < dOff + count) { // left to right, from 0f
                want = 0f;
                for (int l = 0; l < lanes; l++) {
                  want += src[sOff + (at - dOff) * lanes + l];
                }
              }
              assertEquals(want, dst[at], vp.name() + " lanes " + lanes + " count " + count
                  + " at " + at);
            }
            checked++;
          }
        }
      }
    }
    int counts = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      counts += 2 * 4 * (3 * vp.arrays().dotLanes() + 4);
    }
    assertEquals(counts, checked);
  }

  private static int[] offsets(SplittableRandom rnd, int taps) {
    int[] off = new int[taps];
    for (int t = 0; t < taps; t++) {
      off[t] = rnd.nextInt(30);
    }
    return off;
  }

  private static int max(int[] a) {
    int m = 0;
    for (int v : a) {
      m = Math.max(m, v);
    }
    return m;
  }
}
