package org.vconv.cli;

import static org.vconv.cli.NdArrays.arange;
import static org.vconv.cli.NdArrays.maxAbsDiff;
import static org.vconv.cli.NdArrays.ones;
import static org.vconv.cli.NdArrays.transpose;

import java.io.PrintStream;
import org.vconv.Algorithm;
import org.vconv.Conv2d;
import org.vconv.ConvSpec;
import org.vconv.Gradients;
import org.vconv.Layout;
import org.vconv.SingleChannel;
import org.vconv.Tensor;

/**
 * {@code vconv demo}: the seed notebook's printed arrays, computed by vconv and printed as
 * NumPy prints them; then comparisons the notebook did not really make: kernel-offset against
 * im2col backward element by element, and a 3x3 kernel, where the notebook's 2-D backward
 * (which always pads the gradient by 1) is wrong.
 */
final class Demo {
  private Demo() {}

  static void print(PrintStream out) {
    Conv2d nchw = Conv2d.of(ConvSpec.defaults());
    out.println("vconv demo: the seed notebook's examples computed by vconv (kernels: "
        + nchw.kernels() + ")");
    singleChannel(out);
    Tensor x2 = arange(1, 2, 3, 4, 4);
    Tensor k2 = arange(1, 2, 3, 2, 2);
    Tensor res = nchw.forward(x2, k2);
    out.println();
    out.println("# In [15]: res = conv_3d(x2, k2), x2 = arange(1, 97).reshape(2, 3, 4, 4),"
        + " k2 = arange(1, 25).reshape(2, 3, 2, 2)");
    out.println(NumpyFormat.repr(res));

    // In [30]: the kernel-offset baseline runs on NHWC input and HWIO kernel
    Conv2d nhwc = Conv2d.of(ConvSpec.builder().layout(Layout.NHWC).build())
        .withAlgorithm(Algorithm.KERNEL_OFFSET);
    Gradients base = nhwc.backward(ones(2, 3, 3, 2), transpose(x2, 0, 2, 3, 1),
        transpose(k2, 2, 3, 1, 0));
    Tensor xGradBase = transpose(base.input(), 0, 3, 1, 2);
    Tensor kGradBase = transpose(base.weight(), 3, 2, 0, 1);
    out.println();
    out.println("# In [30]: kernel-offset backward (Algorithm.KERNEL_OFFSET) on NHWC/HWIO,"
        + " grad = ones; printed transposed back to NCHW/OIHW");
    printPair(out, xGradBase, kGradBase);

    // In [31]: the im2col version runs on NCHW input and OIHW kernel
    Gradients im2col = nchw.withAlgorithm(Algorithm.IM2COL_GEMM)
        .backward(ones(res.shape()), x2, k2);
    out.println();
    out.println("# In [31]: im2col backward (Algorithm.IM2COL_GEMM) on NCHW/OIHW, grad = ones");
    printPair(out, im2col.input(), im2col.weight());

    out.println();
    out.println("# kernel-offset vs im2col, element by element (the notebook's"
        + " x_grad.all()==x_grad_baseline.all() compares two booleans, not the arrays)");
    out.println("x_grad: " + agreement(xGradBase, im2col.input()));
    out.println("k_grad: " + agreement(kGradBase, im2col.weight()));

    KernelSizeCheck.print(out);
  }

  private static void singleChannel(PrintStream out) {
    Tensor x1 = arange(1, 4, 4);
    Tensor k1 = arange(1, 2, 2);
    Gradients g = SingleChannel.backward(ones(3, 3), x1, k1);
    out.println();
    out.println("# In [5]: back_propagation_2d(x1, k1, grad1), x1 = arange(1, 17).reshape(4, 4),"
        + " k1 = arange(1, 5).reshape(2, 2), grad1 = ones((3, 3)): x_grad, k_grad");
    out.println(NumpyFormat.str(g.input()));
    out.println(NumpyFormat.str(g.weight()));
  }

  private static void printPair(PrintStream out, Tensor xGrad, Tensor kGrad) {
    out.println(NumpyFormat.str(xGrad));
    out.println("*".repeat(50));
    out.println(NumpyFormat.str(kGrad));
  }

  /** "max abs difference D, equal: B", both computed. */
  static String agreement(Tensor a, Tensor b) {
    double d = maxAbsDiff(a, b);
    return "max abs difference " + number(d) + ", equal: " + (d == 0);
  }

  static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d)
        : String.format(java.util.Locale.ROOT, "%.3g", d);
  }
}
