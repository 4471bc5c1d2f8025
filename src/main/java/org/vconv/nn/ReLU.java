package org.vconv.nn;

import org.vconv.Tensor;
import org.vconv.simd.LayerKernels;
import org.vconv.simd.VectorProviders;

/**
 * {@code max(x, 0)} element-wise, any shape ({@code torch.nn.ReLU}; NaN stays NaN). The
 * backward pass passes the gradient where the output is positive.
 */
public final class ReLU implements Layer {
  private final LayerKernels kernels = VectorProviders.get().layers();
  private Tensor y;
  private Tensor dx;

  /** A ReLU. */
  public ReLU() {}

  @Override
  public Tensor forward(Tensor x) {
    if (x == null) {
      throw new IllegalArgumentException(this + ": input is null");
    }
    y = Buffers.reuse(y, x.shape());
    kernels.reluInto(x.data(), y.data(), x.size());
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, boolean inputGradient) {
    Buffers.checkForwardRan(this, y);
    Buffers.checkShape(this, "output gradient", dy, y.shape());
    if (!inputGradient) {
      return null;
    }
    dx = Buffers.reuse(dx, y.shape());
    kernels.reluGradientInto(y.data(), dy.data(), dx.data(), y.size());
    return dx;
  }

  @Override
  public ReLU copy() {
    return new ReLU();
  }

  @Override
  public String toString() {
    return "ReLU()";
  }
}
