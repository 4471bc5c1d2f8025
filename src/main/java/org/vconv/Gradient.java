package org.vconv;

/** A gradient that {@link Conv2d#backward} can compute. */
public enum Gradient {
  /** dL/dx, shaped like the input. */
  INPUT,
  /** dL/dw, shaped like the weight. */
  WEIGHT,
  /** dL/db, one value per output channel: the sum of dy over batch and space. */
  BIAS
}
