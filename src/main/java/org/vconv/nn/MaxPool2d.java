package org.vconv.nn;

import java.util.Arrays;
import org.vconv.Tensor;
import org.vconv.plan.ExecContext;
import org.vconv.simd.LayerKernels;
import org.vconv.simd.VectorProviders;

/**
 * Max pooling over {@code k x k} windows at stride {@code s}, no padding, floor mode
 * ({@code torch.nn.MaxPool2d(k, s)}): {@code [N, C, H, W]} to
 * {@code [N, C, (H-k)/s + 1, (W-k)/s + 1]}. Ties go to the first maximum in row-major window
 * order and a NaN propagates, as in PyTorch; the backward pass routes each output's gradient to
 * that element (added, where windows overlap).
 */
public final class MaxPool2d implements Layer {
  private final int kernel;
  private final int stride;
  private final LayerKernels kernels = VectorProviders.get().layers();
  private int threads = org.vconv.Conv2d.defaultThreads();
  private int[] inShape;
  private Tensor y;
  private int[] argmax;
  private Tensor dx;

  /**
   * Windows of {@code kernel x kernel} at stride {@code kernel}.
   *
   * @param kernel window height and width, and the stride, at least 1
   * @throws IllegalArgumentException when {@code kernel} is below 1
   */
  public MaxPool2d(int kernel) {
    this(kernel, kernel);
  }

  /**
   * Windows of {@code kernel x kernel} at stride {@code stride}.
   *
   * @param kernel window height and width, at least 1
   * @param stride step between windows in both directions, at least 1
   * @throws IllegalArgumentException when either is below 1
   */
  public MaxPool2d(int kernel, int stride) {
    if (kernel < 1 || stride < 1) {
      throw new IllegalArgumentException("MaxPool2d: kernel and stride must be >= 1, got "
          + kernel + " and " + stride);
    }
    this.kernel = kernel;
    this.stride = stride;
  }

  @Override
  public void setThreads(int t) {
    Buffers.checkThreads(t);
    threads = t;
  }

  @Override
  public Tensor forward(Tensor x) {
    Buffers.checkRank(this, "input", x, 4);
    int n = x.dim(0);
    int c = x.dim(1);
    int h = x.dim(2);
    int w = x.dim(3);
    if (h < kernel || w < kernel) {
      throw new IllegalArgumentException(this + ": input " + Arrays.toString(x.shape())
          + " is smaller than the window");
    }
    int p = (h - kernel) / stride + 1;
    int q = (w - kernel) / stride + 1;
    y = Buffers.reuse(y, n, c, p, q);
    if (argmax == null || argmax.length != y.size()) {
      argmax = new int[y.size()];
    }
    inShape = x.shape();
    float[] in = x.data();
    float[] out = y.data();
    int planes = n * c;
    context().parallelFor(tasks(planes), t -> {
      for (int pl = from(t, planes); pl < from(t + 1, planes); pl++) {
        poolPlane(in, pl * h * w, w, out, argmax, pl * p * q, p, q);
      }
    });
    return y;
  }

  /** One plane: each output's maximum and its index within the plane. */
  private void poolPlane(float[] in, int inOff, int w, float[] out, int[] idx, int outOff,
      int p, int q) {
    if (kernel == 2 && stride == 2) {
      kernels.maxPool2x2Rows(in, inOff, w, out, idx, outOff, q, 0, p);
    } else {
      poolAny(in, inOff, w, out, idx, outOff, p, q);
    }
  }

  /**
   * Any window and stride: the first maximum in window order, NaN propagating. 2x2 windows at
   * stride 2 (LeNet's) run {@link LayerKernels#maxPool2x2Rows}, the same but for a window
   * holding both -0 and +0 as its maximum, which routes the gradient to the +0.
   */
  private void poolAny(float[] in, int inOff, int w, float[] out, int[] idx, int outOff,
      int p, int q) {
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < q; j++) {
        int best = (i * stride) * w + j * stride;
        float max = in[inOff + best];
        for (int r = 0; r < kernel; r++) {
          int row = (i * stride + r) * w + j * stride;
          for (int s = 0; s < kernel; s++) {
            float v = in[inOff + row + s];
            if (v > max || Float.isNaN(v)) { // PyTorch's test: NaN propagates
              max = v;
              best = row + s;
            }
          }
        }
        out[outOff + i * q + j] = max;
        idx[outOff + i * q + j] = best;
      }
    }
  }

  @Override
  public Tensor backward(Tensor dy, boolean inputGradient) {
    Buffers.checkForwardRan(this, y);
    Buffers.checkShape(this, "output gradient", dy, y.shape());
    if (!inputGradient) {
      return null;
    }
    dx = Buffers.reuse(dx, inShape);
    float[] g = dy.data();
    float[] d = dx.data();
    int planeIn = inShape[2] * inShape[3];
    int planeOut = y.dim(2) * y.dim(3);
    int planes = inShape[0] * inShape[1];
    context().parallelFor(tasks(planes), t -> {
      int p0 = from(t, planes);
      int p1 = from(t + 1, planes);
      Arrays.fill(d, p0 * planeIn, p1 * planeIn, 0f);
      for (int pl = p0; pl < p1; pl++) {
        for (int o = pl * planeOut; o < (pl + 1) * planeOut; o++) {
          d[pl * planeIn + argmax[o]] += g[o];
        }
      }
    });
    return dx;
  }

  /** Planes are split into this many tasks of consecutive planes (each plane is one task's). */
  private int tasks(int planes) {
    return Math.max(1, Math.min(planes, 4 * threads));
  }

  private int from(int task, int planes) {
    return (int) ((long) planes * task / tasks(planes));
  }

  private ExecContext context() {
    return new ExecContext(threads, ExecContext.DEFAULT_WORKSPACE_BYTES, VectorProviders.get());
  }

  @Override
  public MaxPool2d copy() {
    MaxPool2d m = new MaxPool2d(kernel, stride);
    m.threads = threads;
    return m;
  }

  @Override
  public String toString() {
    return "MaxPool2d(kernel=" + kernel + ", stride=" + stride + ")";
  }
}
