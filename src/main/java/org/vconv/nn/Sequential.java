package org.vconv.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vconv.Tensor;

/**
 * Layers applied in order ({@code torch.nn.Sequential}). {@link #backward} runs them in
 * reverse and does not compute the gradient of the network's input. Parameters are named as
 * in a PyTorch {@code state_dict}: the layer's index, a dot, the parameter's name
 * ({@code "0.weight"}).
 */
public final class Sequential implements Layer {
  private final List<Layer> layers;

  /**
   * The layers in order.
   *
   * @param layers the layers, first to last; they are used, not copied
   * @throws IllegalArgumentException when there are none, or one is null
   */
  public Sequential(Layer... layers) {
    if (layers == null || layers.length == 0) {
      throw new IllegalArgumentException("Sequential needs at least one layer");
    }
    for (int i = 0; i < layers.length; i++) {
      if (layers[i] == null) {
        throw new IllegalArgumentException("Sequential: layer " + i + " is null");
      }
    }
    this.layers = List.of(layers);
  }

  /**
   * The layers, in order (unmodifiable).
   *
   * @return the layers themselves
   */
  public List<Layer> layers() {
    return layers;
  }

  @Override
  public Tensor forward(Tensor x) {
    Tensor t = x;
    for (Layer l : layers) {
      t = l.forward(t);
    }
    return t;
  }

  /**
   * Back-propagates {@code dy} through every layer, without the input gradient.
   *
   * @param dy the loss gradient with respect to the last forward's output, of its shape
   * @throws IllegalArgumentException when {@code dy} is not shaped like the last output
   * @throws IllegalStateException when there was no forward before
   */
  public void backward(Tensor dy) {
    backward(dy, false);
  }

  @Override
  public Tensor backward(Tensor dy, boolean inputGradient) {
    Tensor g = dy;
    for (int i = layers.size() - 1; i >= 0; i--) {
      g = layers.get(i).backward(g, i > 0 || inputGradient);
    }
    return g;
  }

  /**
   * The class with the highest score per row of the network's output {@code [N, K]}.
   *
   * @param x the input batch, run through {@link #forward}
   * @return N class indices in {@code [0, K)}, the first maximum of each row
   * @throws IllegalArgumentException when the network's output is not of rank 2
   */
  public int[] predict(Tensor x) {
    Tensor out = forward(x);
    Buffers.checkRank(this, "network output", out, 2);
    int n = out.dim(0);
    int k = out.dim(1);
    float[] z = out.data();
    int[] classes = new int[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 1; j < k; j++) {
        if (z[i * k + j] > z[i * k + best]) {
          best = j;
        }
      }
      classes[i] = best;
    }
    return classes;
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>();
    for (Layer l : layers) {
      all.addAll(l.parameters());
    }
    return Collections.unmodifiableList(all);
  }

  /**
   * The parameters by {@code state_dict} name, in order.
   *
   * @return an unmodifiable map from names such as {@code "0.weight"} to the parameters
   */
  public Map<String, Parameter> namedParameters() {
    Map<String, Parameter> named = new LinkedHashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      for (Parameter p : layers.get(i).parameters()) {
        named.put(i + "." + p.name(), p);
      }
    }
    return Collections.unmodifiableMap(named);
  }

  /**
   * Total number of parameter elements.
   *
   * @return the sum of the parameters' sizes
   */
  public int parameterCount() {
    return parameters().stream().mapToInt(Parameter::size).sum();
  }

  /**
   * Every parameter's values, in order, concatenated into a new array.
   *
   * @return a new array of {@link #parameterCount()} values
   */
  public float[] parameterValues() {
    float[] all = new float[parameterCount()];
    int at = 0;
    for (Parameter p : parameters()) {
      System.arraycopy(p.value().data(), 0, all, at, p.size());
      at += p.size();
    }
    return all;
  }

  /**
   * Overwrites every parameter's values from {@code values}, laid out as
   * {@link #parameterValues()} gives them.
   *
   * @param values the values to copy in, {@link #parameterCount()} of them
   * @throws IllegalArgumentException when the length is not {@link #parameterCount()}
   */
  public void setParameterValues(float[] values) {
    if (values == null || values.length != parameterCount()) {
      throw new IllegalArgumentException("expected " + parameterCount() + " parameter values, got "
          + (values == null ? "null" : values.length));
    }
    int at = 0;
    for (Parameter p : parameters()) {
      System.arraycopy(values, at, p.value().data(), 0, p.size());
      at += p.size();
    }
  }

  @Override
  public void setThreads(int threads) {
    Buffers.checkThreads(threads);
    for (Layer l : layers) {
      l.setThreads(threads);
    }
  }

  @Override
  public Sequential copy() {
    return new Sequential(layers.stream().map(Layer::copy).toArray(Layer[]::new));
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Sequential(");
    for (int i = 0; i < layers.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(layers.get(i));
    }
    return b.append(')').toString();
  }
}
