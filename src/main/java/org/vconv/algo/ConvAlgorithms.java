package org.vconv.algo;

import org.vconv.Algorithm;
import org.vconv.plan.ConvGeometry;

/** Maps the public {@link Algorithm} choice to an implementation; AUTO picks per pass. */
public final class ConvAlgorithms {
  private ConvAlgorithms() {}

  /** The three passes, for selection. */
  public enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHT }

  private static final ConvAlgorithm DIRECT = new DirectReference();

  /** The implementation of {@code choice} for {@code pass} on {@code g}. */
  public static ConvAlgorithm select(Algorithm choice, ConvGeometry g, Pass pass) {
    return switch (choice) {
      case DIRECT -> DIRECT;
      case AUTO, IM2COL_GEMM, KERNEL_OFFSET -> DIRECT; // PLACEHOLDER until the GEMM algorithms land
    };
  }
}
