package org.vconv.nn;

import java.util.Arrays;
import org.vconv.Tensor;

/**
 * Reshapes {@code [N, d1, d2, ...]} to {@code [N, d1*d2*...]} without copying
 * ({@code torch.nn.Flatten}); the backward pass reshapes the gradient back.
 */
public final class Flatten implements Layer {
  private int[] inShape;

  /** A flatten. */
  public Flatten() {}

  @Override
  public Tensor forward(Tensor x) {
    if (x == null || x.rank() < 1) {
      throw new IllegalArgumentException(this + ": expected an input of rank >= 1, got "
          + (x == null ? "null" : "a scalar"));
    }
    inShape = x.shape();
    int n = inShape[0];
    return Tensor.of(x.data(), n, n == 0 ? 0 : x.size() / n);
  }

  @Override
  public Tensor backward(Tensor dy, boolean inputGradient) {
    if (inShape == null) {
      throw new IllegalStateException(this + ": backward called before forward");
    }
    int n = inShape[0];
    Buffers.checkShape(this, "output gradient", dy, n, n == 0 ? 0 : dy.size() / n);
    if (dy.size() != Arrays.stream(inShape).reduce(1, (a, b) -> a * b)) {
      throw new IllegalArgumentException(this + ": output gradient of shape "
          + Arrays.toString(dy.shape()) + " does not fit input shape "
          + Arrays.toString(inShape));
    }
    return inputGradient ? Tensor.of(dy.data(), inShape) : null;
  }

  @Override
  public Flatten copy() {
    return new Flatten();
  }

  @Override
  public String toString() {
    return "Flatten()";
  }
}
