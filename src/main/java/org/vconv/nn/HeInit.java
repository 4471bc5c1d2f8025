package org.vconv.nn;

import java.util.List;
import java.util.Random;

/**
 * Seeded He (Kaiming) normal initialisation, {@code torch.nn.init.kaiming_normal_(w,
 * mode='fan_in', nonlinearity='relu')}: every weight (a {@link Parameter} with a fan-in) gets
 * draws of {@code N(0, 2 / fanIn)}, every bias zero. The draws come from one
 * {@link java.util.Random} seeded once, in parameter order and then element order, so a seed
 * gives the same weights bit for bit on any JVM and thread count.
 */
public final class HeInit {
  private HeInit() {}

  /**
   * Initialises {@code params} in order from {@code seed}.
   *
   * @param params the parameters, whose values are overwritten in place
   * @param seed the seed of the one {@link java.util.Random}
   * @throws IllegalArgumentException when {@code params} is or contains null
   */
  public static void apply(List<Parameter> params, long seed) {
    if (params == null || params.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("HeInit: params must not be or contain null");
    }
    Random rnd = new Random(seed);
    for (Parameter p : params) {
      float[] v = p.value().data();
      if (p.fanIn() == 0) {
        java.util.Arrays.fill(v, 0f);
        continue;
      }
      double std = Math.sqrt(2.0 / p.fanIn());
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rnd.nextGaussian() * std);
      }
    }
  }
}
