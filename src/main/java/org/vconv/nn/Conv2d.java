package org.vconv.nn;

import java.util.List;
import org.vconv.Algorithm;
import org.vconv.ConvSpec;
import org.vconv.Tensor;

/**
 * A 2-D convolution layer with bias, as {@code torch.nn.Conv2d(in, out, kernel, stride,
 * padding)}: input {@code [N, C, H, W]}, weight {@code [K, C, R, R]}, bias {@code [K]},
 * output {@code [N, K, P, Q]}. Forward and both gradients run on vconv's
 * {@link org.vconv.Conv2d}; the first layer of a network skips its input gradient.
 */
public final class Conv2d implements Layer {
  private final int inChannels;
  private final int outChannels;
  private final int kernel;
  private final int stride;
  private final int padding;
  private final Parameter weight;
  private final Parameter bias;
  private org.vconv.Conv2d conv;
  private org.vconv.Conv2d inputGradientConv;
  private org.vconv.Conv2d weightGradientConv;
  private Tensor x;
  private Tensor y;
  private Tensor dx;

  /**
   * A convolution with zero weights and bias (see {@link HeInit}).
   *
   * @param inChannels input channels C, at least 1
   * @param outChannels output channels K, at least 1
   * @param kernel kernel height and width, at least 1
   * @param stride stride in both directions, at least 1
   * @param padding zero padding on every side, at least 0
   */
  public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding) {
    positive("inChannels", inChannels);
    positive("outChannels", outChannels);
    positive("kernel", kernel);
    positive("stride", stride);
    if (padding < 0) {
      throw new IllegalArgumentException("Conv2d: padding must be >= 0, got " + padding);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernel = kernel;
    this.stride = stride;
    this.padding = padding;
    this.weight = new Parameter("weight", inChannels * kernel * kernel, outChannels,
        inChannels, kernel, kernel);
    this.bias = new Parameter("bias", 0, outChannels);
    this.conv = org.vconv.Conv2d.of(ConvSpec.builder().stride(stride).padding(padding).build());
    this.inputGradientConv = conv;
    this.weightGradientConv = conv;
  }

  private static void positive(String what, int v) {
    if (v < 1) {
      throw new IllegalArgumentException("Conv2d: " + what + " must be >= 1, got " + v);
    }
  }

  /**
   * The weight, {@code [K, C, R, R]}.
   *
   * @return the weight parameter itself (live)
   */
  public Parameter weight() {
    return weight;
  }

  /**
   * The bias, {@code [K]}.
   *
   * @return the bias parameter itself (live)
   */
  public Parameter bias() {
    return bias;
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(weight, bias);
  }

  @Override
  public void setThreads(int threads) {
    conv = conv.withThreads(threads);
    inputGradientConv = inputGradientConv.withThreads(threads);
    weightGradientConv = weightGradientConv.withThreads(threads);
  }

  /**
   * Computes the forward pass, the input gradient and the weight and bias gradients with the
   * given algorithms (all {@link Algorithm#AUTO} by default). Each algorithm's results are
   * deterministic, but they differ from each other in rounding.
   *
   * @param forward the algorithm of the forward pass
   * @param inputGradient the algorithm of the input gradient
   * @param weightGradient the algorithm of the weight and bias gradients
   * @return this layer
   * @throws NullPointerException if any algorithm is null
   */
  public Conv2d setAlgorithms(Algorithm forward, Algorithm inputGradient,
      Algorithm weightGradient) {
    conv = conv.withAlgorithm(forward);
    inputGradientConv = conv.withAlgorithm(inputGradient);
    weightGradientConv = conv.withAlgorithm(weightGradient);
    return this;
  }

  @Override
  public Tensor forward(Tensor in) {
    Buffers.checkRank(this, "input", in, 4);
    if (in.dim(1) != inChannels) {
      throw new IllegalArgumentException(this + ": expected " + inChannels
          + " input channels, got shape " + java.util.Arrays.toString(in.shape()));
    }
    int[] shape = conv.outputShape(in.shape(), weight.value().shape());
    y = Buffers.reuse(y, shape);
    conv.forwardInto(in, weight.value(), bias.value(), y);
    x = in;
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, boolean inputGradient) {
    Buffers.checkForwardRan(this, y);
    Buffers.checkShape(this, "output gradient", dy, y.shape());
    Tensor dIn = null;
    if (inputGradient) {
      dx = Buffers.reuse(dx, x.shape());
      dIn = dx;
    }
    if (dIn != null) {
      inputGradientConv.backwardInto(dy, x, weight.value(), dIn, null, null);
    }
    weightGradientConv.backwardInto(dy, x, weight.value(), null, weight.grad(), bias.grad());
    return dIn;
  }

  @Override
  public Conv2d copy() {
    Conv2d c = new Conv2d(inChannels, outChannels, kernel, stride, padding);
    c.weight.copyValuesFrom(weight);
    c.bias.copyValuesFrom(bias);
    c.conv = conv;
    c.inputGradientConv = inputGradientConv;
    c.weightGradientConv = weightGradientConv;
    return c;
  }

  @Override
  public String toString() {
    return "Conv2d(" + inChannels + ", " + outChannels + ", kernel=" + kernel + ", stride="
        + stride + ", padding=" + padding + ")";
  }
}
