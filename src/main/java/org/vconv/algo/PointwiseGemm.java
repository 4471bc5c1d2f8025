package org.vconv.algo;

import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;

/**
 * The passes of a pointwise convolution ({@link ConvGeometry#isPointwise()}) as plain GEMMs on
 * the input ({@link Pointwise}): no im2col copy and no scratch.
 */
public final class PointwiseGemm implements ConvAlgorithm {

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert g.isPointwise() && Outputs.sized(g, x, w, y) : "planned elsewhere";
    try (Workspace unused = Workspace.none()) {
      Pointwise.forward(g, x, w, bias, y, ctx);
    }
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert g.isPointwise() && Outputs.sized(g, dx, w, dy) : "planned elsewhere";
    try (Workspace unused = Workspace.none()) {
      Pointwise.backwardData(g, dy, w, dx, ctx);
    }
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert g.isPointwise() && Outputs.sized(g, x, dw, dy) : "planned elsewhere";
    try (Workspace unused = Workspace.none()) {
      Pointwise.backwardWeight(g, dy, x, dw, ctx);
    }
  }
}
