package org.vconv.nn;

import java.util.Objects;
import org.vconv.Tensor;

/**
 * A trainable tensor and its gradient, of the same shape. The layer that owns it overwrites
 * {@link #grad()} in every backward pass; an optimizer reads it and updates {@link #value()}
 * in place.
 */
public final class Parameter {
  private final String name;
  private final Tensor value;
  private final Tensor grad;
  private final int fanIn;

  /**
   * A zero parameter.
   *
   * @param name its name in its layer, e.g. "weight" or "bias"
   * @param fanIn inputs per output unit, for {@link HeInit}; 0 for a bias (initialised to 0)
   * @param shape its shape
   */
  public Parameter(String name, int fanIn, int... shape) {
    this.name = Objects.requireNonNull(name, "name");
    if (fanIn < 0) {
      throw new IllegalArgumentException("fanIn must be >= 0, got " + fanIn);
    }
    this.fanIn = fanIn;
    this.value = Tensor.zeros(shape);
    this.grad = Tensor.zeros(shape);
  }

  /**
   * The name given at construction (a {@link Sequential} prefixes the layer's index).
   *
   * @return the name, e.g. "weight"
   */
  public String name() {
    return name;
  }

  /**
   * The values (live: optimizers write here).
   *
   * @return the value tensor itself, not a copy
   */
  public Tensor value() {
    return value;
  }

  /**
   * The gradient of the last backward pass (live).
   *
   * @return the gradient tensor itself, shaped like {@link #value()}
   */
  public Tensor grad() {
    return grad;
  }

  /**
   * Inputs per output unit ({@code C*R*S} for a convolution weight); 0 for a bias.
   *
   * @return the fan-in, >= 0
   */
  public int fanIn() {
    return fanIn;
  }

  /**
   * Number of elements.
   *
   * @return the element count of the value (and of the gradient)
   */
  public int size() {
    return value.size();
  }

  /**
   * Overwrites this parameter's values with {@code other}'s.
   *
   * @param other the parameter to copy from, of the same shape; the gradients are untouched
   * @throws IllegalArgumentException when the shapes differ
   */
  public void copyValuesFrom(Parameter other) {
    if (!java.util.Arrays.equals(other.value.shape(), value.shape())) {
      throw new IllegalArgumentException("cannot copy " + other + " into " + this);
    }
    System.arraycopy(other.value.data(), 0, value.data(), 0, value.size());
  }

  @Override
  public String toString() {
    return name + java.util.Arrays.toString(value.shape());
  }
}
