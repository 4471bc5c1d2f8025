package org.vconv.nn;

import java.util.Arrays;
import org.vconv.Tensor;

/**
 * Softmax followed by the mean negative log-likelihood of the labels
 * ({@code torch.nn.CrossEntropyLoss()} on logits {@code [N, K]} and class indices). Each row is
 * computed in double from its maximum (so large logits do not overflow); {@link #backward()}
 * gives {@code (softmax - onehot) / N}.
 */
public final class SoftmaxCrossEntropy {
  private Tensor grad;
  private boolean ready;

  /** A loss with no batch seen yet. */
  public SoftmaxCrossEntropy() {}

  /**
   * The mean loss over the batch; remembers the gradient for {@link #backward()}.
   *
   * @param logits {@code [N, K]} scores, N >= 1
   * @param labels N class indices in {@code [0, K)}
   * @return the mean negative log-likelihood of the labels, computed in double
   * @throws IllegalArgumentException on shapes that do not match or labels out of range
   */
  public double forward(Tensor logits, int[] labels) {
    Buffers.checkRank(this, "logits", logits, 2);
    int n = logits.dim(0);
    int k = logits.dim(1);
    if (labels == null || labels.length != n) {
      throw new IllegalArgumentException(this + ": expected " + n + " labels, got "
          + (labels == null ? "null" : labels.length));
    }
    if (n == 0 || k == 0) {
      throw new IllegalArgumentException(this + ": empty logits "
          + Arrays.toString(logits.shape()));
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw new IllegalArgumentException(this + ": label " + labels[i] + " at " + i
            + " is outside [0, " + k + ")");
      }
    }
    grad = Buffers.reuse(grad, n, k);
    float[] z = logits.data();
    float[] g = grad.data();
    double total = 0;
    for (int i = 0; i < n; i++) {
      int row = i * k;
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        max = Math.max(max, z[row + j]);
      }
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += Math.exp(z[row + j] - max);
      }
      double logSum = Math.log(sum);
      total += logSum - (z[row + labels[i]] - max);
      for (int j = 0; j < k; j++) {
        double p = Math.exp(z[row + j] - max - logSum);
        g[row + j] = (float) ((p - (j == labels[i] ? 1 : 0)) / n);
      }
    }
    ready = true;
    return total / n;
  }

  /**
   * The gradient of the last {@link #forward}'s mean loss with respect to its logits,
   * {@code [N, K]}; owned by this loss, overwritten by its next forward.
   *
   * @return the gradient {@code (softmax - onehot) / N}
   * @throws IllegalStateException when there was no forward before
   */
  public Tensor backward() {
    if (!ready) {
      throw new IllegalStateException(this + ": backward called before forward");
    }
    return grad;
  }

  @Override
  public String toString() {
    return "SoftmaxCrossEntropy()";
  }
}
