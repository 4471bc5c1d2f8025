package org.vconv.testutil;

import java.util.SplittableRandom;
import org.vconv.Tensor;

/** Tensors of uniform values in [-1, 1) from a seed, the same on every run. */
public final class RandomTensors {
  private RandomTensors() {}

  public static Tensor uniform(long seed, int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] a = new float[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextDouble(-1, 1);
    }
    return Tensor.of(a, shape);
  }
}
