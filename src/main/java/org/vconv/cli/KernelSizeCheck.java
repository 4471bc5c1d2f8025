package org.vconv.cli;

import static org.vconv.cli.NdArrays.arange;

import java.io.PrintStream;
import org.vconv.Gradients;
import org.vconv.SingleChannel;
import org.vconv.Tensor;

/**
 * The demo's 3x3-kernel case. The notebook's {@code back_propagation_2d} computes the input
 * gradient as {@code conv_2d(pad(grad, 1), flip(k))}: the full correlation needs a pad of
 * {@code KH-1, KW-1}, so a pad of 1 is right only for 2x2 kernels. Here the notebook's formula
 * is emulated in plain Java, and both it and vconv are checked against central finite
 * differences of {@code L = sum(grad * conv_2d(x, k))} (exact: L is linear and the data are
 * small integers, so every value is exact in double).
 */
final class KernelSizeCheck {
  private KernelSizeCheck() {}

  static void print(PrintStream out) {
    int h = 5;
    int kh = 3;
    int p = h - kh + 1;
    Tensor x = arange(1, h, h);
    Tensor k = arange(1, kh, kh);
    Tensor grad = arange(1, p, p);
    out.println();
    out.println("# a 3x3 kernel: x = arange(1, 26).reshape(5, 5), k = arange(1, 10).reshape(3, 3),"
        + " grad = arange(1, 10).reshape(3, 3)");

    Tensor nbX = conv2d(pad(grad, 1), flip(k));
    Tensor nbK = conv2d(x, grad);
    out.println("notebook back_propagation_2d x_grad = conv_2d(pad(grad, 1), flip(k)), shape "
        + Npy.shapeText(nbX.shape()) + " for an input of shape " + Npy.shapeText(x.shape())
        + ":");
    out.println(NumpyFormat.str(nbX));

    Gradients g = SingleChannel.backward(grad, x, k);
    out.println("vconv x_grad:");
    out.println(NumpyFormat.str(g.input()));
    Tensor fdX = finiteDifference(x, k, grad, true);
    out.println("finite differences dL/dx of L = sum(grad * conv_2d(x, k)):");
    out.println(NumpyFormat.str(fdX));

    out.println("vconv x_grad vs finite differences: " + Demo.agreement(g.input(), fdX));
    out.println("notebook x_grad vs the interior fd[1:4, 1:4]: "
        + Demo.agreement(nbX, crop(fdX, 1, p)) + " (it loses the border: the pad must be"
        + " KH-1 = " + (kh - 1) + ")");
    Tensor fdK = finiteDifference(x, k, grad, false);
    out.println("vconv k_grad vs finite differences: " + Demo.agreement(g.weight(), fdK));
    out.println("notebook k_grad = conv_2d(x, grad) vs finite differences: "
        + Demo.agreement(nbK, fdK) + " (right for any kernel size)");
  }

  /** The notebook's {@code conv_2d}: valid cross-correlation, in double. */
  static Tensor conv2d(Tensor x, Tensor k) {
    int h = x.dim(0);
    int w = x.dim(1);
    int r = k.dim(0);
    int s = k.dim(1);
    Tensor y = Tensor.zeros(h - r + 1, w - s + 1);
    for (int i = 0; i <= h - r; i++) {
      for (int j = 0; j <= w - s; j++) {
        double acc = 0;
        for (int u = 0; u < r; u++) {
          for (int v = 0; v < s; v++) {
            acc += (double) x.data()[(i + u) * w + j + v] * k.data()[u * s + v];
          }
        }
        y.data()[i * (w - s + 1) + j] = (float) acc;
      }
    }
    return y;
  }

  /** {@code np.pad(t, ((n, n), (n, n)))}. */
  static Tensor pad(Tensor t, int n) {
    int h = t.dim(0);
    int w = t.dim(1);
    Tensor r = Tensor.zeros(h + 2 * n, w + 2 * n);
    for (int i = 0; i < h; i++) {
      System.arraycopy(t.data(), i * w, r.data(), (i + n) * (w + 2 * n) + n, w);
    }
    return r;
  }

  /** {@code np.flip(np.flip(t, 1), 0)}. */
  static Tensor flip(Tensor t) {
    float[] d = t.data();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = d[d.length - 1 - i];
    }
    return Tensor.of(f, t.shape());
  }

  /** {@code t[from:from+n, from:from+n]}. */
  static Tensor crop(Tensor t, int from, int n) {
    Tensor r = Tensor.zeros(n, n);
    for (int i = 0; i < n; i++) {
      System.arraycopy(t.data(), (from + i) * t.dim(1) + from, r.data(), i * n, n);
    }
    return r;
  }

  /** dL/dx (or dL/dk) by central differences with step 1, L = sum(grad * conv2d(x, k)). */
  static Tensor finiteDifference(Tensor x, Tensor k, Tensor grad, boolean wrtInput) {
    Tensor var = (wrtInput ? x : k).copy();
    Tensor d = Tensor.zeros(var.shape());
    for (int i = 0; i < var.size(); i++) {
      float keep = var.data()[i];
      var.data()[i] = keep + 1;
      double up = loss(wrtInput ? var : x, wrtInput ? k : var, grad);
      var.data()[i] = keep - 1;
      double down = loss(wrtInput ? var : x, wrtInput ? k : var, grad);
      var.data()[i] = keep;
      d.data()[i] = (float) ((up - down) / 2);
    }
    return d;
  }

  private static double loss(Tensor x, Tensor k, Tensor grad) {
    Tensor y = conv2d(x, k);
    double l = 0;
    for (int i = 0; i < y.size(); i++) {
      l += (double) grad.data()[i] * y.data()[i];
    }
    return l;
  }
}
