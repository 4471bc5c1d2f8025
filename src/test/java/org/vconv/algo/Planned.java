package org.vconv.algo;

import org.vconv.Algorithm;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.Pass;
import org.vconv.plan.PassPlan;
import org.vconv.plan.Planner;

/**
 * An {@link Algorithm} choice as the facade runs it: each call plans its pass with the
 * planner of the context's kernels and runs the plan; {@link #ran} is the path that ran last.
 */
final class Planned implements ConvAlgorithm {
  private final Algorithm choice;
  private String ran;

  Planned(Algorithm choice) {
    this.choice = choice;
  }

  /** The plan of {@code pass} of {@code g} on {@code ctx}. */
  PassPlan plan(ConvGeometry g, Pass pass, ExecContext ctx) {
    return Planner.of(ctx).plan(choice, pass, g, ctx);
  }

  /** The path the last call ran. */
  String ran() {
    return ran;
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    ran = plan(g, Pass.FORWARD, ctx).forward(g, x, w, bias, y, ctx);
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    ran = plan(g, Pass.BACKWARD_DATA, ctx).backwardData(g, dy, w, dx, ctx);
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    ran = plan(g, Pass.BACKWARD_WEIGHT, ctx).backwardWeight(g, dy, x, dw, ctx);
  }

  @Override
  public String toString() {
    return choice.toString();
  }
}
