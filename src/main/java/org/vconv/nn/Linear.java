package org.vconv.nn;

import java.util.Arrays;
import java.util.List;
import org.vconv.Tensor;
import org.vconv.gemm.Sgemm;
import org.vconv.gemm.StridedMatrix;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProviders;

/**
 * A fully connected layer, {@code y = x W^T + b} ({@code torch.nn.Linear(in, out)}): input
 * {@code [N, in]}, weight {@code [out, in]}, bias {@code [out]}, output {@code [N, out]}.
 * The three products run on vconv's SGEMM ({@link Sgemm}), whose sums do not depend on the
 * thread count; the bias gradient sums the batch's rows in order.
 */
public final class Linear implements Layer {
  private final int in;
  private final int out;
  private final Parameter weight;
  private final Parameter bias;
  private ExecContext ctx;
  private Tensor x;
  private Tensor y;
  private Tensor dx;

  /**
   * A linear layer with zero weights and bias (see {@link HeInit}).
   *
   * @param in input features per row, at least 1
   * @param out output features per row, at least 1
   * @throws IllegalArgumentException when {@code in} or {@code out} is below 1
   */
  public Linear(int in, int out) {
    if (in < 1 || out < 1) {
      throw new IllegalArgumentException("Linear: in and out must be >= 1, got " + in + " and "
          + out);
    }
    this.in = in;
    this.out = out;
    this.weight = new Parameter("weight", in, out, in);
    this.bias = new Parameter("bias", 0, out);
    this.ctx = context(org.vconv.Conv2d.defaultThreads());
  }

  private static ExecContext context(int threads) {
    return new ExecContext(threads, org.vconv.Conv2d.defaultWorkspaceBytes(),
        VectorProviders.get());
  }

  /**
   * The weight, {@code [out, in]}.
   *
   * @return the weight parameter itself (live)
   */
  public Parameter weight() {
    return weight;
  }

  /**
   * The bias, {@code [out]}.
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
    Buffers.checkThreads(threads);
    ctx = context(threads);
  }

  @Override
  public Tensor forward(Tensor input) {
    Buffers.checkRank(this, "input", input, 2);
    if (input.dim(1) != in) {
      throw new IllegalArgumentException(this + ": expected input of shape [N, " + in
          + "], got " + Arrays.toString(input.shape()));
    }
    int n = input.dim(0);
    y = Buffers.reuse(y, n, out);
    float[] w = weight.value().data();
    float[] yd = y.data();
    // B = W^T as a k x n view: element (i, j) = W[j][i]
    Sgemm.multiply(n, out, in, StridedMatrix.rowMajor(input.data(), 0, in),
        new StridedMatrix(w, 0, 1, in), yd, 0, out, ctx);
    var arrays = ctx.kernels().arrays();
    float[] b = bias.value().data();
    for (int r = 0; r < n; r++) {
      arrays.addInto(b, 0, yd, r * out, out);
    }
    x = input;
    return y;
  }

  @Override
  public Tensor backward(Tensor dy, boolean inputGradient) {
    Buffers.checkForwardRan(this, y);
    Buffers.checkShape(this, "output gradient", dy, y.shape());
    int n = y.dim(0);
    float[] g = dy.data();
    // dW = dy^T x: A = dy^T (out x n), B = x (n x in)
    Sgemm.multiply(out, in, n, new StridedMatrix(g, 0, 1, out),
        StridedMatrix.rowMajor(x.data(), 0, in), weight.grad().data(), 0, in, ctx);
    float[] db = bias.grad().data();
    Arrays.fill(db, 0f);
    var arrays = ctx.kernels().arrays();
    for (int r = 0; r < n; r++) {
      arrays.addInto(g, r * out, db, 0, out);
    }
    if (!inputGradient) {
      return null;
    }
    dx = Buffers.reuse(dx, n, in);
    // dx = dy W: A = dy (n x out), B = W (out x in)
    Sgemm.multiply(n, in, out, StridedMatrix.rowMajor(g, 0, out),
        StridedMatrix.rowMajor(weight.value().data(), 0, in), dx.data(), 0, in, ctx);
    return dx;
  }

  @Override
  public Linear copy() {
    Linear l = new Linear(in, out);
    l.weight.copyValuesFrom(weight);
    l.bias.copyValuesFrom(bias);
    l.ctx = ctx;
    return l;
  }

  @Override
  public String toString() {
    return "Linear(in=" + in + ", out=" + out + ")";
  }
}
