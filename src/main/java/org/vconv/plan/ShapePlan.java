package org.vconv.plan;

import java.util.List;

/**
 * The plans of all three passes of one shape, for one algorithm choice, provider, thread count
 * and budget.
 *
 * @param forward the forward pass's plan
 * @param backwardData the input gradient's plan
 * @param backwardWeight the weight gradient's plan
 */
public record ShapePlan(PassPlan forward, PassPlan backwardData, PassPlan backwardWeight) {

  /** The plan of {@code pass}. */
  public PassPlan of(Pass pass) {
    return switch (pass) {
      case FORWARD -> forward;
      case BACKWARD_DATA -> backwardData;
      case BACKWARD_WEIGHT -> backwardWeight;
    };
  }

  /** The three plans in pass order. */
  public List<PassPlan> passes() {
    return List.of(forward, backwardData, backwardWeight);
  }

  /** Three lines, "fwd: path (reason)" and so on. */
  public List<String> lines() {
    return passes().stream().map(p -> p.pass().label() + ": " + p.describe()).toList();
  }
}
