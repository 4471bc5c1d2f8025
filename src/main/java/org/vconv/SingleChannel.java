package org.vconv;

import java.util.Arrays;
import java.util.Objects;

/**
 * The notebook's single-channel 2-D convolution (cross-correlation, no padding, stride 1) and
 * its backward pass, on plain {@code [H, W]} tensors.
 */
public final class SingleChannel {
  private SingleChannel() {}

  private static final Conv2d CONV = Conv2d.of(ConvSpec.defaults());

  /**
   * The valid cross-correlation {@code y[i, j] = sum x[i + u, j + v] * k[u, v]}.
   *
   * @param x the input {@code [H, W]}
   * @param k the kernel {@code [KH, KW]}, at most as large as {@code x}
   * @return a new tensor {@code [H-KH+1, W-KW+1]}
   * @throws IllegalArgumentException if a tensor is not 2-D or the kernel is larger
   */
  public static Tensor forward(Tensor x, Tensor k) {
    check("input", x);
    check("kernel", k);
    Tensor y = CONV.forward(as4d(x), as4d(k));
    return Tensor.of(y.data(), y.dim(2), y.dim(3));
  }

  /**
   * Gradients of input and kernel. The input gradient is the full correlation of
   * {@code grad}, padded by {@code KH-1, KW-1}, with the flipped kernel; the kernel gradient
   * is the valid correlation of {@code x} with {@code grad}. The argument order is that of
   * {@link Conv2d#backward(Tensor, Tensor, Tensor)}.
   *
   * @param grad the gradient of the output, shaped like {@link #forward}'s result
   * @param x the input {@code [H, W]}
   * @param k the kernel {@code [KH, KW]}
   * @return the input and kernel gradients, shaped like {@code x} and {@code k}; the bias
   *     component is null
   * @throws IllegalArgumentException if a tensor is not 2-D or a shape does not match
   */
  public static Gradients backward(Tensor grad, Tensor x, Tensor k) {
    check("input", x);
    check("kernel", k);
    check("grad", grad);
    // checked here so that the message shows the caller's 2-D shapes
    int[] out = CONV.outputShape(as4d(x).shape(), as4d(k).shape());
    if (grad.dim(0) != out[2] || grad.dim(1) != out[3]) {
      throw new IllegalArgumentException("expected grad of shape [" + out[2] + ", " + out[3]
          + "] (the output's), got " + Arrays.toString(grad.shape()));
    }
    Gradients g = CONV.backward(as4d(grad), as4d(x), as4d(k),
        java.util.EnumSet.of(Gradient.INPUT, Gradient.WEIGHT));
    return new Gradients(Tensor.of(g.input().data(), x.shape()),
        Tensor.of(g.weight().data(), k.shape()), null);
  }

  private static void check(String what, Tensor t) {
    Objects.requireNonNull(t, what);
    if (t.rank() != 2) {
      throw new IllegalArgumentException("expected a 2-D " + what + " [H, W], got shape "
          + Arrays.toString(t.shape()));
    }
  }

  private static Tensor as4d(Tensor t) {
    return Tensor.of(t.data(), 1, 1, t.dim(0), t.dim(1));
  }
}
