package org.vconv.algo;

import org.vconv.Algorithm;
import org.vconv.plan.ConvGeometry;

/** Maps the public {@link Algorithm} choice to an implementation; AUTO picks per pass. */
public final class ConvAlgorithms {
  private ConvAlgorithms() {}

  /** The three passes, for selection. */
  public enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHT }

  private static final ConvAlgorithm DIRECT = new DirectReference();
  private static final ConvAlgorithm IM2COL_GEMM = new Im2colGemm();
  private static final ConvAlgorithm KERNEL_OFFSET = new KernelOffsetLoop();
  private static final ConvAlgorithm GROUPED = new GroupedDirect();
  private static final ConvAlgorithm IMPLICIT_GEMM = new ImplicitGemm();
  private static final ConvAlgorithm IMAGE_BLOCKED_GEMM = new ImageBlockedGemm();

  /** The implementation of {@code choice} for {@code pass} on {@code g}. */
  public static ConvAlgorithm select(Algorithm choice, ConvGeometry g, Pass pass) {
    return switch (choice) {
      case DIRECT -> DIRECT;
      case IM2COL_GEMM -> IM2COL_GEMM;
      case KERNEL_OFFSET -> KERNEL_OFFSET;
      case IMPLICIT_GEMM -> IMPLICIT_GEMM;
      case IMAGE_BLOCKED_GEMM -> IMAGE_BLOCKED_GEMM;
      // Grouped with few channels per group (depthwise included): K/G x C/G*R*S GEMMs that
      // packing cannot amortize, so direct (bounds per pass: GroupedDirect). NCHW where
      // ImplicitGemm.preferred says: implicit GEMM, which skips the im2col pass and col2im
      // and so the copy of every input K*R*S times. Otherwise im2col + GEMM:
      // its GEMMs are as large as the budget allows, while the kernel-offset loop runs one
      // small GEMM per output row and offset. Pointwise shapes take the same class, which runs
      // them as plain GEMMs on the input, no copy. Batches of small NCHW images, forward and
      // input gradient: image-blocked implicit GEMM, which skips padded taps.
      case AUTO -> {
        if (GroupedDirect.preferred(g, pass)) {
          yield GROUPED;
        }
        if (ImageBlockedGemm.preferred(g, pass)) {
          yield IMAGE_BLOCKED_GEMM;
        }
        yield ImplicitGemm.preferred(g, pass) ? IMPLICIT_GEMM : IM2COL_GEMM;
      }
    };
  }
}
