package org.vconv.plan;

/**
 * How the planner chooses among the candidates that accept a shape (FFTW's planning modes).
 * Only ESTIMATE exists yet; MEASURE, which times each accepting candidate once on the real shape
 * and keeps the fastest, goes here, and {@link Planner#plan} is where it would time them.
 */
public enum PlanningMode {
  /** Rules only: the first candidate that accepts runs, the same plan on every run. */
  ESTIMATE
}
