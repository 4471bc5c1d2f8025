package org.vconv.nn;

import java.util.Arrays;
import org.vconv.Tensor;

/** The layers' reusable output buffers and their argument checks. */
final class Buffers {
  private Buffers() {}

  /** {@code old} when it has {@code shape}, else a new zero tensor of that shape. */
  static Tensor reuse(Tensor old, int... shape) {
    return old != null && Arrays.equals(old.shape(), shape) ? old : Tensor.zeros(shape);
  }

  /** Throws when {@code t} is not of rank {@code rank}. */
  static void checkRank(Object layer, String what, Tensor t, int rank) {
    if (t == null) {
      throw new IllegalArgumentException(layer + ": " + what + " is null");
    }
    if (t.rank() != rank) {
      throw new IllegalArgumentException(layer + ": expected " + what + " of rank " + rank
          + ", got shape " + Arrays.toString(t.shape()));
    }
  }

  /** Throws when {@code t} is not shaped {@code expected}. */
  static void checkShape(Object layer, String what, Tensor t, int... expected) {
    if (t == null) {
      throw new IllegalArgumentException(layer + ": " + what + " is null");
    }
    if (!Arrays.equals(t.shape(), expected)) {
      throw new IllegalArgumentException(layer + ": expected " + what + " of shape "
          + Arrays.toString(expected) + ", got " + Arrays.toString(t.shape()));
    }
  }

  /** {@code threads}, or an exception when it is below 1. */
  static int checkThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    return threads;
  }

  /** Throws when no forward ran before a backward. */
  static void checkForwardRan(Object layer, Tensor lastOutput) {
    if (lastOutput == null) {
      throw new IllegalStateException(layer + ": backward called before forward");
    }
  }
}
