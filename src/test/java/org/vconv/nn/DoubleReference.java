package org.vconv.nn;

/**
 * The layers' forward passes in double, written from the definitions (PyTorch's
 * {@code torch.nn} documentation) in plain loops, independent of the main code: the functions
 * that the gradient checks differentiate numerically.
 */
final class DoubleReference {
  private DoubleReference() {}

  /** Conv2d, NCHW/OIHW, square kernel, zero padding, with bias. */
  static double[] conv(double[] x, int n, int c, int h, int w, double[] wt, double[] b, int k,
      int r, int stride, int pad) {
    int p = (h + 2 * pad - r) / stride + 1;
    int q = (w + 2 * pad - r) / stride + 1;
    double[] y = new double[n * k * p * q];
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < k; o++) {
        for (int u = 0; u < p; u++) {
          for (int v = 0; v < q; v++) {
            double s = b[o];
            for (int ch = 0; ch < c; ch++) {
              for (int dr = 0; dr < r; dr++) {
                for (int ds = 0; ds < r; ds++) {
                  int hh = u * stride + dr - pad;
                  int ww = v * stride + ds - pad;
                  if (hh >= 0 && hh < h && ww >= 0 && ww < w) {
                    s += x[((i * c + ch) * h + hh) * w + ww] * wt[((o * c + ch) * r + dr) * r + ds];
                  }
                }
              }
            }
            y[((i * k + o) * p + u) * q + v] = s;
          }
        }
      }
    }
    return y;
  }

  /** Linear: {@code y = x W^T + b}, x {@code [n, in]}, W {@code [out, in]}. */
  static double[] linear(double[] x, int n, int in, double[] wt, double[] b, int out) {
    double[] y = new double[n * out];
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < out; o++) {
        double s = b[o];
        for (int j = 0; j < in; j++) {
          s += x[i * in + j] * wt[o * in + j];
        }
        y[i * out + o] = s;
      }
    }
    return y;
  }

  static double[] relu(double[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.max(0, x[i]);
    }
    return y;
  }

  /** Max over {@code k x k} windows at stride {@code s}, per plane of {@code h x w}. */
  static double[] maxPool(double[] x, int planes, int h, int w, int k, int s) {
    int p = (h - k) / s + 1;
    int q = (w - k) / s + 1;
    double[] y = new double[planes * p * q];
    for (int pl = 0; pl < planes; pl++) {
      for (int u = 0; u < p; u++) {
        for (int v = 0; v < q; v++) {
          double m = Double.NEGATIVE_INFINITY;
          for (int a = 0; a < k; a++) {
            for (int c = 0; c < k; c++) {
              m = Math.max(m, x[(pl * h + u * s + a) * w + v * s + c]);
            }
          }
          y[(pl * p + u) * q + v] = m;
        }
      }
    }
    return y;
  }

  /** Mean over rows of {@code -log softmax(z)[label]}. */
  static double crossEntropy(double[] z, int n, int k, int[] labels) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = 0; j < k; j++) {
        sum += Math.exp(z[i * k + j]);
      }
      total += Math.log(sum) - z[i * k + labels[i]];
    }
    return total / n;
  }
}
