package org.vconv.plan;

import org.vconv.algo.ConvAlgorithm;

/**
 * The plan of one pass: the path that runs, the one-line reason naming the facts that decided
 * it, and the path that runs instead when the data are not finite and the planned path would
 * then differ from the definition (null when it never does). Running it returns the name of the
 * path that ran, so callers and tests see what ran, not what was meant to.
 *
 * @param pass the pass
 * @param path the path's name, e.g. "implicit-gemm"
 * @param reason why, e.g. "NCHW stride 1, padded rows 58 <= 120% of 56"
 * @param algorithm the code of the path
 * @param exact the plan that runs when {@code algorithm} declines the values, or null
 */
public record PassPlan(Pass pass, String path, String reason, ConvAlgorithm algorithm,
    PassPlan exact) {

  /** "path (reason)", as plans print it. */
  public String describe() {
    return path + " (" + reason + ")";
  }

  /**
   * Runs the forward pass; the exact path when the planned one declines the values.
   *
   * @return the name of the path that ran
   */
  public String forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert pass == Pass.FORWARD;
    return algorithm.forwardIfExact(g, x, w, bias, y, ctx) ? path
        : exactPath().forward(g, x, w, bias, y, ctx);
  }

  /**
   * Runs the input gradient; the exact path when the planned one declines the weights.
   *
   * @return the name of the path that ran
   */
  public String backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx,
      ExecContext ctx) {
    assert pass == Pass.BACKWARD_DATA;
    return algorithm.backwardDataIfExact(g, dy, w, dx, ctx) ? path
        : exactPath().backwardData(g, dy, w, dx, ctx);
  }

  /**
   * Runs the weight gradient; the exact path when the planned one declines the input.
   *
   * @return the name of the path that ran
   */
  public String backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert pass == Pass.BACKWARD_WEIGHT;
    return algorithm.backwardWeightIfExact(g, dy, x, dw, ctx) ? path
        : exactPath().backwardWeight(g, dy, x, dw, ctx);
  }

  /** The exact path, which a path that declined values must have been planned with. */
  private PassPlan exactPath() {
    if (exact == null) {
      throw new IllegalStateException(path + " declined the values of a pass planned without"
          + " an exact path");
    }
    return exact;
  }
}
