package org.vconv.algo;

import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;

/**
 * One way of computing a convolution's three passes. Arrays are laid out as
 * {@link ConvGeometry#layout()} says. Every method overwrites its output completely (never
 * reads it first), may use up to {@link ExecContext#threads()} threads and
 * {@link ExecContext#workspaceBytes()} of scratch, and must return results that are bitwise
 * independent of the thread count.
 *
 * <p>Implementations are stateless and safe to call from many threads at once. The facade has
 * validated every argument; implementations only {@code assert}. Which implementation runs
 * where is the planner's ({@code org.vconv.plan.Planner}); an implementation hands no shape to
 * another. A path that cannot give the definition's result on non-finite values says so
 * through the {@code ...IfExact} methods, and the plan runs its stated exact path instead.
 */
public interface ConvAlgorithm {

  /** {@code y = conv(x, w) + bias}; {@code bias} may be null. */
  void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, ExecContext ctx);

  /** {@code dx = conv_transpose(dy, w)}: the gradient of the input. */
  void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx);

  /** {@code dw = corr(x, dy)}: the gradient of the weight. */
  void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw, ExecContext ctx);

  /**
   * {@link #forward}, or false, with {@code y} untouched, when these values would give results
   * the definition does not have (a transform's {@code Inf - Inf}).
   */
  default boolean forwardIfExact(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    forward(g, x, w, bias, y, ctx);
    return true;
  }

  /**
   * {@link #backwardData}, or false, with {@code dx} untouched, when these weights' values
   * would give products the definition does not have (0 x Inf through padding).
   */
  default boolean backwardDataIfExact(ConvGeometry g, float[] dy, float[] w, float[] dx,
      ExecContext ctx) {
    backwardData(g, dy, w, dx, ctx);
    return true;
  }

  /** {@link #backwardWeight}, or false, with {@code dw} untouched, as above for the input. */
  default boolean backwardWeightIfExact(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    backwardWeight(g, dy, x, dw, ctx);
    return true;
  }
}
