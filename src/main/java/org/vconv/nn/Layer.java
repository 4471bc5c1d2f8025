package org.vconv.nn;

import java.util.List;
import org.vconv.Tensor;

/**
 * One differentiable step of a network, with an explicit backward pass. A layer remembers
 * what its last {@link #forward} needs for {@link #backward} (its input, or a mask), so calls
 * alternate: forward, then at most one backward for that forward. The input of the last
 * forward must not be changed before the backward.
 */
public interface Layer {

  /**
   * The layer applied to {@code x}. The result lives in a buffer owned by this layer and is
   * overwritten by its next forward.
   *
   * @param x the input, of the shape the layer takes (e.g. {@code [N, C, H, W]})
   * @return the output; valid until this layer's next forward
   * @throws IllegalArgumentException when {@code x} does not have the shape the layer takes
   */
  Tensor forward(Tensor x);

  /**
   * Back-propagates {@code dy}, the loss gradient with respect to the last forward's output:
   * overwrites the gradients of this layer's {@link #parameters()} and returns the gradient
   * with respect to the last forward's input, or null when {@code inputGradient} is false
   * (then it is not computed). The result is owned by the layer, as in {@link #forward}.
   *
   * @param dy the loss gradient with respect to the last output, of the same shape
   * @param inputGradient whether to compute the gradient with respect to the input
   * @return the input gradient, shaped like the last input, or null when
   *     {@code inputGradient} is false
   * @throws IllegalArgumentException when {@code dy} is not shaped like the last output
   * @throws IllegalStateException when there was no forward before
   */
  Tensor backward(Tensor dy, boolean inputGradient);

  /**
   * The trainable parameters, in a fixed order; empty for layers without any.
   *
   * @return the parameters themselves (not copies), which an optimizer updates in place
   */
  default List<Parameter> parameters() {
    return List.of();
  }

  /**
   * Lets the layer's kernels use up to {@code threads} threads (results do not change).
   *
   * @param threads the thread count, at least 1
   */
  default void setThreads(int threads) {}

  /**
   * A new layer of the same configuration with copies of the parameter values.
   *
   * @return the copy; it shares no parameters or buffers with this layer
   */
  Layer copy();

  /** Short text in PyTorch's style, e.g. {@code Linear(in=400, out=120)}. */
  @Override
  String toString();
}
