package org.vconv.cli;

import java.util.Arrays;
import org.vconv.Tensor;

/** The few NumPy constructors and reshapes the demo needs, on C-order tensors. */
final class NdArrays {
  private NdArrays() {}

  /** {@code np.arange(from, from + size).reshape(shape)}. */
  static Tensor arange(int from, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = from + i;
    }
    return t;
  }

  /** {@code np.ones(shape)}. */
  static Tensor ones(int... shape) {
    Tensor t = Tensor.zeros(shape);
    Arrays.fill(t.data(), 1f);
    return t;
  }

  /** {@code np.transpose(t, axes)}, copied into C order. */
  static Tensor transpose(Tensor t, int... axes) {
    int[] in = t.shape();
    int rank = in.length;
    if (axes.length != rank) {
      throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " don't match rank "
          + rank);
    }
    int[] out = new int[rank];
    int[] inStride = new int[rank];
    for (int i = rank - 1, s = 1; i >= 0; i--) {
      inStride[i] = s;
      s *= in[i];
    }
    // walk the output in C order; the output's axis i steps the input's axis axes[i]
    int[] step = new int[rank];
    for (int i = 0; i < rank; i++) {
      out[i] = in[axes[i]];
      step[i] = inStride[axes[i]];
    }
    Tensor r = Tensor.zeros(out);
    float[] src = t.data();
    float[] dst = r.data();
    int[] idx = new int[rank];
    int from = 0;
    for (int n = 0; n < dst.length; n++) {
      dst[n] = src[from];
      for (int i = rank - 1; i >= 0; i--) {
        idx[i]++;
        from += step[i];
        if (idx[i] < out[i]) {
          break;
        }
        from -= step[i] * out[i];
        idx[i] = 0;
      }
    }
    return r;
  }

  /** The largest {@code |a - b|} element-wise; the shapes must match. */
  static double maxAbsDiff(Tensor a, Tensor b) {
    if (!Arrays.equals(a.shape(), b.shape())) {
      throw new IllegalArgumentException("shapes differ: " + Arrays.toString(a.shape()) + " vs "
          + Arrays.toString(b.shape()));
    }
    double m = 0;
    for (int i = 0; i < a.size(); i++) {
      double d = Math.abs((double) a.data()[i] - b.data()[i]);
      // NaN differences count as infinitely large
      m = Math.max(m, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
    }
    return m;
  }
}
