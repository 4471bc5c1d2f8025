package org.vconv.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Stochastic gradient descent with momentum and weight decay, as {@code torch.optim.SGD(params,
 * lr, momentum, weight_decay=wd)} with no dampening and no Nesterov: per element,
 * {@code g = grad + wd * p; v = momentum * v + g; p = p - lr * v}, with {@code v} starting at
 * zero (which gives PyTorch's first step {@code v = g}).
 */
public final class Sgd {
  private final List<Parameter> params;
  private final List<float[]> velocity = new ArrayList<>();
  private final float momentum;
  private final float weightDecay;
  private float lr;

  /**
   * An optimizer for {@code params}.
   *
   * @param params the parameters to update, in order (the list is copied, not the parameters)
   * @param lr learning rate, > 0
   * @param momentum in [0, 1)
   * @param weightDecay L2 penalty, >= 0
   * @throws IllegalArgumentException on values outside those ranges
   */
  public Sgd(List<Parameter> params, float lr, float momentum, float weightDecay) {
    if (params == null || params.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("Sgd: params must not be or contain null");
    }
    checkLr(lr);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("Sgd: momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("Sgd: weight decay must be finite and >= 0, got "
          + weightDecay);
    }
    this.params = List.copyOf(params);
    for (Parameter p : this.params) {
      velocity.add(new float[p.size()]);
    }
    this.lr = lr;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
  }

  private static void checkLr(float lr) {
    if (!(lr > 0) || Float.isInfinite(lr)) {
      throw new IllegalArgumentException("Sgd: learning rate must be finite and > 0, got " + lr);
    }
  }

  /** Updates every parameter from its gradient. */
  public void step() {
    for (int i = 0; i < params.size(); i++) {
      float[] p = params.get(i).value().data();
      float[] g = params.get(i).grad().data();
      float[] v = velocity.get(i);
      for (int j = 0; j < p.length; j++) {
        float d = g[j] + weightDecay * p[j];
        v[j] = momentum * v[j] + d;
        p[j] -= lr * v[j];
      }
    }
  }

  /**
   * The current learning rate.
   *
   * @return the learning rate, > 0
   */
  public float learningRate() {
    return lr;
  }

  /**
   * Changes the learning rate for the next steps (a schedule).
   *
   * @param lr the new learning rate, finite and > 0
   * @throws IllegalArgumentException when {@code lr} is not finite and > 0
   */
  public void setLearningRate(float lr) {
    checkLr(lr);
    this.lr = lr;
  }

  /**
   * Every momentum buffer, in parameter order, concatenated into a new array: with
   * {@link Sequential#parameterValues()} and {@link #setMomentumValues}, an optimizer's state
   * can be shipped between processes and averaged (distributed parameter averaging).
   *
   * @return a new array of as many values as the parameters have elements
   */
  public float[] momentumValues() {
    float[] all = new float[velocity.stream().mapToInt(v -> v.length).sum()];
    int at = 0;
    for (float[] v : velocity) {
      System.arraycopy(v, 0, all, at, v.length);
      at += v.length;
    }
    return all;
  }

  /**
   * Overwrites every momentum buffer from {@code values}, laid out as {@link #momentumValues()}
   * gives them.
   *
   * @param values the buffers' new values, as many as the parameters have elements
   * @throws IllegalArgumentException when the length differs
   */
  public void setMomentumValues(float[] values) {
    int n = velocity.stream().mapToInt(v -> v.length).sum();
    if (values == null || values.length != n) {
      throw new IllegalArgumentException("Sgd: expected " + n + " momentum values, got "
          + (values == null ? "null" : values.length));
    }
    int at = 0;
    for (float[] v : velocity) {
      System.arraycopy(values, at, v, 0, v.length);
      at += v.length;
    }
  }

  /** Sets every momentum buffer to zero (as a fresh optimizer). */
  public void resetMomentum() {
    for (float[] v : velocity) {
      java.util.Arrays.fill(v, 0f);
    }
  }
}
