package org.vconv;

import java.util.List;
import java.util.Objects;

/**
 * Which path computes each pass of a convolution on one shape, and why: what
 * {@link Conv2d#plan} returns. The planner holds, per pass, an ordered list of candidate paths;
 * the first that accepts the shape runs (for {@link Algorithm#AUTO}, rules and the tuning table
 * of the kernels in use; for an explicit algorithm, that algorithm, or im2col + GEMM where it
 * declines the shape, as the reason then says). A plan depends on the shape, the algorithm, the
 * kernels, the thread count and the workspace budget only, so it is the same on every run.
 */
public final class ConvPlan {

  /**
   * The plan of one pass.
   *
   * @param pass "fwd", "bwd_data" or "bwd_weight"
   * @param path the path that runs, e.g. "implicit-gemm" or "im2col-gemm"
   * @param reason the facts that decided it, in one line
   */
  public record Step(String pass, String path, String reason) {

    /**
     * Checks the parts.
     *
     * @param pass the pass
     * @param path the path
     * @param reason the reason
     * @throws NullPointerException if a part is null
     */
    public Step {
      Objects.requireNonNull(pass, "pass");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(reason, "reason");
    }

    /**
     * The step as one line.
     *
     * @return "pass: path (reason)"
     */
    @Override
    public String toString() {
      return pass + ": " + path + " (" + reason + ")";
    }
  }

  private final String kernels;
  private final List<Step> steps;

  ConvPlan(String kernels, List<Step> steps) {
    this.kernels = kernels;
    this.steps = List.copyOf(steps);
  }

  /**
   * The kernels the plan is for.
   *
   * @return e.g. "panama-512" or "scalar"
   */
  public String kernels() {
    return kernels;
  }

  /**
   * The forward pass's step.
   *
   * @return the step of "fwd"
   */
  public Step forward() {
    return steps.get(0);
  }

  /**
   * The input gradient's step.
   *
   * @return the step of "bwd_data"
   */
  public Step inputGradient() {
    return steps.get(1);
  }

  /**
   * The weight gradient's step.
   *
   * @return the step of "bwd_weight"
   */
  public Step weightGradient() {
    return steps.get(2);
  }

  /**
   * All three steps, forward first.
   *
   * @return an unmodifiable list of the forward, input gradient and weight gradient steps
   */
  public List<Step> steps() {
    return steps;
  }

  /**
   * The plan as three lines, one per pass.
   *
   * @return lines starting "fwd:", "bwd_data:" and "bwd_weight:"
   */
  @Override
  public String toString() {
    return String.join("\n", steps.stream().map(Step::toString).toList());
  }
}
