package org.vconv.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vconv.simd.TestArrays.integers;
import static org.vconv.simd.TestArrays.random;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ArrayKernels#planeSums} and {@link ArrayKernels#planeDots} against their definitions
 * on both providers. Shapes: same-width planes (the flat paths, 3x3 bulk kernels included) at
 * widths around the vector lengths and 56, heights from 1, and other planes (the column path):
 * crops (negative pads), pads past the kernel, dilations, 1xN and Nx1 kernels. The plane sits
 * inside NaN-filled neighbours, at the array's very start and end too, so a read outside the
 * taps' valid ranges that reaches a result shows, and so does a stray write. Repeated until C2
 * has compiled the SIMD bodies; checked on the first and the last rounds.
 */
class PlaneKernelsTest {
  private static final int ROUNDS = 300;

  /** srcH, srcW, dstH, dstW, r, s, padTop, padLeft, dilH, dilW. */
  static List<PlaneTaps> shapes() {
    List<PlaneTaps> out = new ArrayList<>();
    for (int w : new int[] {1, 2, 7, 15, 16, 17, 31, 33, 56, 70}) { // 70: the mask period
      for (int h : new int[] {1, 3, 9}) {
        out.add(new PlaneTaps(h, w, h, w, 3, 3, 1, 1, 1, 1)); // SAME 3x3
      }
    }
    out.add(new PlaneTaps(12, 20, 12, 20, 3, 3, 2, 2, 2, 2)); // SAME, dilated
    out.add(new PlaneTaps(11, 19, 11, 19, 5, 5, 2, 2, 1, 1)); // SAME 5x5
    out.add(new PlaneTaps(10, 18, 10, 18, 3, 3, 1, 1, 2, 1)); // row dilation: 3x3 bulk
    out.add(new PlaneTaps(9, 17, 9, 17, 1, 3, 0, 1, 1, 1));
    out.add(new PlaneTaps(9, 17, 9, 17, 3, 1, 1, 0, 1, 1));
    out.add(new PlaneTaps(8, 33, 8, 33, 3, 3, 0, 2, 1, 1)); // asymmetric: rows shift
    out.add(new PlaneTaps(8, 17, 6, 15, 3, 3, 0, 0, 1, 1)); // VALID
    out.add(new PlaneTaps(7, 20, 11, 24, 3, 3, 3, 3, 1, 1)); // pad past the kernel
    out.add(new PlaneTaps(9, 40, 5, 34, 3, 3, -1, -2, 1, 1)); // crops (an input gradient's)
    out.add(new PlaneTaps(6, 16, 8, 18, 3, 3, 2, 2, 1, 1)); // FULL (input gradient of VALID)
    out.add(new PlaneTaps(5, 5, 3, 3, 2, 4, 1, 0, 2, 1));
    // the padded copy's blocks: a last block of 1-3 rows, strips of two vectors and of one
    out.add(new PlaneTaps(13, 28, 13, 28, 5, 5, 2, 2, 1, 1));
    out.add(new PlaneTaps(10, 40, 10, 40, 7, 7, 3, 3, 1, 1));
    out.add(new PlaneTaps(6, 24, 7, 26, 4, 2, 2, 1, 1, 1)); // even kernel, rows past the source
    return out;
  }

  @Test
  void planeSumsMatchTheirDefinitionBitForBit() {
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      boolean simd = !vp.name().equals("scalar");
      SplittableRandom rnd = new SplittableRandom(3);
      for (int round = 0; round < ROUNDS; round++) {
        boolean check = round == 0 || round == ROUNDS - 1;
        for (PlaneTaps pt : shapes()) {
          int before = round % 3 == 0 ? 0 : 1 + rnd.nextInt(40); // 0: the array's very start
          int after = round % 3 == 1 ? 0 : 1 + rnd.nextInt(40);
          float[] src = framed(rnd, pt.srcH() * pt.srcW(), before, after, false);
          float[] w = random(rnd, pt.taps() + 3);
          int wOff = rnd.nextInt(4);
          float bias = (float) rnd.nextDouble();
          int dOff = rnd.nextInt(20);
          float[] dst = new float[dOff + pt.dstH() * pt.dstW() + rnd.nextInt(20)];
          java.util.Arrays.fill(dst, Float.NaN);
          // in place, and from a padded copy where the kernels take one
          float[] scratch = round % 2 == 0 ? null : new float[k.planeSumsScratch(pt)];
          k.planeSums(src, before, pt, w, wOff, bias, dst, dOff, scratch);
          if (!check) {
            continue;
          }
          for (int at = 0; at < dst.length; at++) {
            int e = at - dOff;
            if (e < 0 || e >= pt.dstH() * pt.dstW()) {
              assertTrue(Float.isNaN(dst[at]), "written outside the plane: " + pt + " at " + at);
              continue;
            }
            float want = sum(src, before, pt, w, wOff, bias, e / pt.dstW(), e % pt.dstW(), simd);
            assertTrue(want == dst[at], vp.name() + " " + pt + " at " + e + ": want " + want
                + ", got " + dst[at]);
          }
          checked++;
        }
      }
    }
    assertEquals(2 * 2 * shapes().size(), checked);
  }

  /** Small integers make every sum exact, so any order of partial sums gives the same bits. */
  @Test
  void planeDotsAddTheExactDotsToTheirPartials() {
    int checked = 0;
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      int lanes = k.dotLanes();
      SplittableRandom rnd = new SplittableRandom(5);
      for (int round = 0; round < ROUNDS; round++) {
        boolean check = round == 0 || round == ROUNDS - 1;
        for (PlaneTaps pt : shapes()) {
          int before = round % 3 == 0 ? 0 : 1 + rnd.nextInt(40);
          int after = round % 3 == 1 ? 0 : 1 + rnd.nextInt(40);
          // infinite neighbours: a kernel that multiplies one by a zeroed dy makes a NaN
          float[] src = framed(rnd, pt.srcH() * pt.srcW(), before, after, true);
          int aOff = rnd.nextInt(20);
          float[] a = integers(rnd, aOff + pt.dstH() * pt.dstW() + rnd.nextInt(20));
          int accOff = rnd.nextInt(3);
          float[] acc = integers(rnd, accOff + pt.taps() * lanes + 2);
          float[] init = acc.clone();
          k.planeDots(a, aOff, src, before, pt, acc, accOff);
          if (!check) {
            continue;
          }
          for (int t = 0; t < pt.taps(); t++) {
            int at = accOff + t * lanes;
            float want = 0f;
            float got = 0f;
            for (int l = 0; l < lanes; l++) {
              want += init[at + l];
              got += acc[at + l];
            }
            want += dot(a, aOff, src, before, pt, t / pt.s(), t % pt.s());
            assertEquals(want, got, vp.name() + " " + pt + " tap " + t);
          }
          for (int at = 0; at < acc.length; at++) {
            if (at < accOff || at >= accOff + pt.taps() * lanes) {
              assertEquals(init[at], acc[at], "outside the partials: " + at);
            }
          }
          checked++;
        }
      }
    }
    assertEquals(2 * 2 * shapes().size(), checked);
  }

  /**
   * The same-width 3x3 bulk reads wrapped source values unmasked; an infinite one inside the
   * plane that no valid tap reads (the last column, for kernel column 0) must not reach the
   * result.
   */
  @Test
  void planeDotsIgnoreInfinitiesThatNoTapReads() {
    for (VectorProvider vp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      ArrayKernels k = vp.arrays();
      int lanes = k.dotLanes();
      PlaneTaps pt = new PlaneTaps(20, 56, 20, 56, 3, 3, 1, 1, 1, 1);
      SplittableRandom rnd = new SplittableRandom(9);
      for (int round = 0; round < ROUNDS; round++) {
        float[] src = integers(rnd, 56 * 20);
        float[] a = integers(rnd, 56 * 20);
        for (int c : new int[] {0, 55}) {
          for (int i = 0; i < 20; i++) {
            a[i * 56 + c] = 0f; // dy zero on the edge columns: only wrapped reads meet them
          }
        }
        src[7 * 56 + 55] = Float.POSITIVE_INFINITY; // read only by kernel column 0 (wrapped)
        float[] acc = new float[9 * lanes];
        k.planeDots(a, 0, src, 0, pt, acc, 0);
        for (int t = 0; t < 9; t++) {
          float got = 0f;
          for (int l = 0; l < lanes; l++) {
            got += acc[t * lanes + l];
          }
          float want = dot(a, 0, src, 0, pt, t / 3, t % 3);
          assertEquals(want, got, vp.name() + " tap " + t);
        }
        assertTrue(Float.isFinite(dot(a, 0, src, 0, pt, 0, 0)), "column 0 reads no infinity");
      }
    }
  }

  /**
   * The provider's documented order (see {@link ArrayKernels#planeSums}): SIMD sums each
   * kernel column's taps from zero, fused, and adds the columns' sums to the bias; scalar adds
   * the taps to the bias in tap order.
   */
  private static float sum(float[] src, int sOff, PlaneTaps pt, float[] w, int wOff, float bias,
      int p, int q, boolean simd) {
    float acc = bias;
    for (int outer = 0; outer < (simd ? pt.s() : pt.r()); outer++) {
      float part = 0f;
      for (int inner = 0; inner < (simd ? pt.r() : pt.s()); inner++) {
        int i = simd ? inner : outer;
        int j = simd ? outer : inner;
        int ih = p + i * pt.dilH() - pt.padTop();
        int iw = q + j * pt.dilW() - pt.padLeft();
        if (ih < 0 || ih >= pt.srcH() || iw < 0 || iw >= pt.srcW()) {
          continue;
        }
        float x = src[sOff + ih * pt.srcW() + iw];
        float wt = w[wOff + i * pt.s() + j];
        if (simd) {
          part = Math.fma(x, wt, part);
        } else {
          acc += wt * x;
        }
      }
      acc += part; // +0 for scalar; SIMD adds a column's sum even when no tap reaches
    }
    return acc;
  }

  private static float dot(float[] a, int aOff, float[] src, int sOff, PlaneTaps pt, int i,
      int j) {
    float sum = 0f;
    for (int p = 0; p < pt.dstH(); p++) {
      for (int q = 0; q < pt.dstW(); q++) {
        int ih = p + i * pt.dilH() - pt.padTop();
        int iw = q + j * pt.dilW() - pt.padLeft();
        if (ih >= 0 && ih < pt.srcH() && iw >= 0 && iw < pt.srcW()) {
          sum += a[aOff + p * pt.dstW() + q] * src[sOff + ih * pt.srcW() + iw];
        }
      }
    }
    return sum;
  }

  /** A random plane with {@code before} and {@code after} neighbours of NaN or infinity. */
  private static float[] framed(SplittableRandom rnd, int plane, int before, int after,
      boolean integers) {
    float[] a = new float[before + plane + after];
    java.util.Arrays.fill(a, integers ? Float.POSITIVE_INFINITY : Float.NaN);
    float[] body = integers ? integers(rnd, plane) : random(rnd, plane);
    System.arraycopy(body, 0, a, before, plane);
    return a;
  }
}
