package org.vconv.plan;

import java.util.function.Predicate;
import org.vconv.algo.ConvAlgorithm;

/**
 * One entry of a planner list (oneDNN's implementation list): a path that either accepts a
 * validated geometry, with a reason, or declines it, with a reason.
 *
 * @param path the path's name, e.g. "implicit-gemm"
 * @param algorithm the code that runs when it accepts
 * @param rule accepts or declines a geometry on a provider, thread count and budget
 * @param needsExact whether an accepted geometry may meet values (non-finite weights or input)
 *     on which the path declines at run time, so that the plan needs an exact path
 */
public record Candidate(String path, ConvAlgorithm algorithm, Rule rule,
    Predicate<ConvGeometry> needsExact) {

  /** Accepts or declines a geometry. */
  @FunctionalInterface
  public interface Rule {
    /** The verdict on {@code g} for {@code ctx}'s kernels, threads and budget. */
    Verdict judge(ConvGeometry g, ExecContext ctx);
  }

  /**
   * A candidate's answer.
   *
   * @param accepts whether the candidate takes the geometry
   * @param reason the deciding facts, in a few words
   */
  public record Verdict(boolean accepts, String reason) {

    /** An acceptance for {@code reason}. */
    public static Verdict accept(String reason) {
      return new Verdict(true, reason);
    }

    /** A refusal for {@code reason}. */
    public static Verdict decline(String reason) {
      return new Verdict(false, reason);
    }
  }

  /** A candidate whose path never declines values. */
  static Candidate of(String path, ConvAlgorithm algorithm, Rule rule) {
    return new Candidate(path, algorithm, rule, g -> false);
  }
}
