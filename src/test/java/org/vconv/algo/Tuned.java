package org.vconv.algo;

import org.vconv.plan.Tuning;

/** The algorithms as the planner builds them from panama-512's tuning table. */
final class Tuned {
  private Tuned() {}

  /** Output pixels per image up to which im2col's NCHW tiles span images. */
  static final int SPAN = Tuning.of("panama-512").im2colSpanImagePixels();

  /** im2col + GEMM, spanning images as the table says. */
  static Im2colGemm im2col() {
    return new Im2colGemm(SPAN);
  }
}
