package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;

/**
 * A convolution whose kernel covers its whole unpadded input ({@link #applies}: the output is
 * one pixel, every weight meets one input element): a dense layer. Each image's input is then
 * one row of {@code C*H*W} values (NCHW; {@code H*W*C} in NHWC) and the weights are the same
 * matrix as a pointwise convolution's on {@code C*H*W} channels, so every pass runs as
 * {@link PointwiseGemm} on that geometry: one GEMM over the whole batch, no copy, no scratch. The
 * im2col paths would see a one-column GEMM per image; a transposed convolution from a 1x1 input
 * (DCGAN's first layer) is this shape's input gradient.
 */
public final class CoveringGemm implements ConvAlgorithm {
  /** The pass that runs the mapped geometry (same arrays, sizes asserted there). */
  private static final PointwiseGemm POINTWISE = new PointwiseGemm();

  /**
   * Whether the kernel covers the input exactly: {@code R = H}, {@code S = W}, no padding,
   * dilation 1 (any stride: the output is 1x1). NHWC only ungrouped: its rows interleave the
   * groups' channels per pixel.
   */
  public static boolean applies(ConvGeometry g) {
    return g.r() == g.h() && g.s() == g.w() && g.padTop() == 0 && g.padBottom() == 0
        && g.padLeft() == 0 && g.padRight() == 0 && g.dilH() == 1 && g.dilW() == 1
        && (g.layout() == Layout.NCHW || g.groups() == 1);
  }

  /** The pointwise geometry on {@code [N, C*H*W]} that computes {@code g}. */
  static ConvGeometry asPointwise(ConvGeometry g) {
    assert applies(g) && g.p() == 1 && g.q() == 1 : "planned elsewhere";
    return new ConvGeometry(g.layout(), g.n(), Math.multiplyExact(g.c(), g.hw()), 1, 1, g.k(),
        1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, g.groups());
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    POINTWISE.forward(asPointwise(g), x, w, bias, y, ctx);
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    POINTWISE.backwardData(asPointwise(g), dy, w, dx, ctx);
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    POINTWISE.backwardWeight(asPointwise(g), dy, x, dw, ctx);
  }
}
