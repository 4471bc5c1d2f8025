package org.vconv.simd;

import java.util.SplittableRandom;

/** Random operands for the kernel tests. */
final class TestArrays {
  private TestArrays() {}

  /** Uniform in [-1, 1). */
  static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }

  /** Integers in [-8, 8]: sums of products stay exact, so any summation order agrees. */
  static float[] integers(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rnd.nextInt(17) - 8;
    }
    return a;
  }
}
