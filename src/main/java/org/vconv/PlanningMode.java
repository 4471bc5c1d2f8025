package org.vconv;

/**
 * How {@link Algorithm#AUTO} chooses among the paths that accept a shape (FFTW's planning
 * modes). Either way a plan is made once per shape and convolution and then kept, and
 * {@link Wisdom} imported earlier decides first.
 */
public enum PlanningMode {
  /**
   * Rules and the kernel provider's tuning table: the first path that accepts runs. The same
   * plan on every run for a given shape, kernels, thread count and budget (the default).
   */
  ESTIMATE,
  /**
   * Times every path that accepts the shape on the real shape, once per pass, and keeps the
   * fastest: two calls of each path in a row per round, so the JIT warms them alike, until every
   * path's best time has held for three rounds and half of the rounds so far, and at least half a
   * second has passed (at most about 4 s per pass). The choice goes into {@link Wisdom}, so that it
   * can be exported and a later run makes the same plan, and so the same bits, without measuring.
   * The first call on a shape takes the time of the measurement.
   */
  MEASURE
}
