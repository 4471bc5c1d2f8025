package org.vconv.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Tensor;

/**
 * Every layer's backward pass against central finite differences of its definition written
 * in double ({@link DoubleReference}): the input gradient and each parameter gradient of
 * {@code L = sum(r * layer(x))} for a random {@code r}, and the forward output itself; then a
 * small network end to end through the softmax cross-entropy.
 */
class GradientCheckTest {
  private final Random rnd = new Random(20261206);

  private float[] random(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  private static void assertClose(String what, float[] analytic, double[] numeric) {
    assertNull(GradientCheck.mismatch(what, analytic, numeric));
  }

  @Test
  void conv2dGradientsMatchFiniteDifferences() {
    int[][] cases = {{2, 3, 6, 7, 4, 3, 1, 1}, {2, 2, 7, 7, 3, 3, 2, 0}, {1, 1, 5, 5, 2, 5, 1, 2}};
    Algorithm[][] algorithms = {{Algorithm.AUTO, Algorithm.AUTO, Algorithm.AUTO},
        {Algorithm.IM2COL_GEMM, Algorithm.IM2COL_GEMM, Algorithm.IM2COL_GEMM},
        {Algorithm.IMPLICIT_GEMM, Algorithm.IM2COL_GEMM, Algorithm.IMPLICIT_GEMM}};
    for (int[] cs : cases) {
      for (Algorithm[] a : algorithms) {
        checkConv(cs, new Conv2d(cs[1], cs[4], cs[5], cs[6], cs[7]).setAlgorithms(a[0], a[1],
            a[2]));
      }
    }
  }

  private void checkConv(int[] cs, Conv2d layer) {
    int n = cs[0], c = cs[1], h = cs[2], w = cs[3], k = cs[4], r = cs[5], st = cs[6],
        pad = cs[7];
    float[] xf = random(n * c * h * w);
    System.arraycopy(random(k * c * r * r), 0, layer.weight().value().data(), 0,
        k * c * r * r);
    System.arraycopy(random(k), 0, layer.bias().value().data(), 0, k);
    Tensor y = layer.forward(Tensor.of(xf, n, c, h, w));
    float[] rf = random(y.size());
    double[] x = GradientCheck.toDouble(xf);
    double[] wt = GradientCheck.toDouble(layer.weight().value().data());
    double[] b = GradientCheck.toDouble(layer.bias().value().data());
    double[] yRef = DoubleReference.conv(x, n, c, h, w, wt, b, k, r, st, pad);
    assertClose("forward", y.data(), yRef);
    Tensor dx = layer.backward(Tensor.of(rf.clone(), y.shape()), true);
    String at = " of " + layer;
    assertClose("dx" + at, dx.data(), GradientCheck.numeric(
        v -> GradientCheck.dot(DoubleReference.conv(v, n, c, h, w, wt, b, k, r, st, pad), rf),
        x));
    assertClose("dw" + at, layer.weight().grad().data(), GradientCheck.numeric(
        v -> GradientCheck.dot(DoubleReference.conv(x, n, c, h, w, v, b, k, r, st, pad), rf),
        wt));
    assertClose("db" + at, layer.bias().grad().data(), GradientCheck.numeric(
        v -> GradientCheck.dot(DoubleReference.conv(x, n, c, h, w, wt, v, k, r, st, pad), rf),
        b));
  }

  @Test
  void linearGradientsMatchFiniteDifferences() {
    int n = 3, in = 7, out = 5;
    Linear layer = new Linear(in, out);
    System.arraycopy(random(out * in), 0, layer.weight().value().data(), 0, out * in);
    System.arraycopy(random(out), 0, layer.bias().value().data(), 0, out);
    float[] xf = random(n * in);
    Tensor y = layer.forward(Tensor.of(xf, n, in));
    float[] rf = random(y.size());
    double[] x = GradientCheck.toDouble(xf);
    double[] wt = GradientCheck.toDouble(layer.weight().value().data());
    double[] b = GradientCheck.toDouble(layer.bias().value().data());
    assertClose("forward", y.data(), DoubleReference.linear(x, n, in, wt, b, out));
    Tensor dx = layer.backward(Tensor.of(rf.clone(), n, out), true);
    assertClose("dx", dx.data(), GradientCheck.numeric(
        v -> GradientCheck.dot(DoubleReference.linear(v, n, in, wt, b, out), rf), x));
    assertClose("dw", layer.weight().grad().data(), GradientCheck.numeric(
        v -> GradientCheck.dot(DoubleReference.linear(x, n, in, v, b, out), rf), wt));
    assertClose("db", layer.bias().grad().data(), GradientCheck.numeric(
        v -> GradientCheck.dot(DoubleReference.linear(x, n, in, wt, v, out), rf), b));
  }

  @Test
  void reluGradientMatchesFiniteDifferencesAwayFromTheKink() {
    float[] xf = random(2 * 3 * 5);
    for (int i = 0; i < xf.length; i++) {
      xf[i] += Math.copySign(0.01f, xf[i]); // at least 0.01 from 0, far beyond the step
    }
    ReLU layer = new ReLU();
    Tensor y = layer.forward(Tensor.of(xf, 2, 3, 5));
    float[] rf = random(y.size());
    double[] x = GradientCheck.toDouble(xf);
    assertClose("forward", y.data(), DoubleReference.relu(x));
    Tensor dx = layer.backward(Tensor.of(rf.clone(), 2, 3, 5), true);
    assertClose("dx", dx.data(), GradientCheck.numeric(
        v -> GradientCheck.dot(DoubleReference.relu(v), rf), x));
  }

  @Test
  void maxPoolGradientMatchesFiniteDifferencesWithDistinctValues() {
    int[][] cases = {{2, 2}, {3, 2}, {2, 1}}; // kernel, stride: disjoint and overlapping windows
    for (int[] ks : cases) {
      int n = 2, c = 2, h = 7, w = 6;
      int size = n * c * h * w;
      // a shuffled ladder: every window's maximum is unique and 0.01 above the rest
      float[] xf = new float[size];
      for (int i = 0; i < size; i++) {
        xf[i] = 0.01f * i - 1;
      }
      for (int i = size - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        float t = xf[i];
        xf[i] = xf[j];
        xf[j] = t;
      }
      MaxPool2d layer = new MaxPool2d(ks[0], ks[1]);
      Tensor y = layer.forward(Tensor.of(xf, n, c, h, w));
      float[] rf = random(y.size());
      double[] x = GradientCheck.toDouble(xf);
      ToDoubleFunction<double[]> f = v -> GradientCheck.dot(
          DoubleReference.maxPool(v, n * c, h, w, ks[0], ks[1]), rf);
      assertClose("forward", y.data(), DoubleReference.maxPool(x, n * c, h, w, ks[0], ks[1]));
      Tensor dx = layer.backward(Tensor.of(rf.clone(), y.shape()), true);
      assertClose("dx of " + layer, dx.data(), GradientCheck.numeric(f, x));
    }
  }

  @Test
  void flattenPassesTheGradientBackInTheInputShape() {
    float[] xf = random(2 * 3 * 4);
    Flatten layer = new Flatten();
    Tensor y = layer.forward(Tensor.of(xf, 2, 3, 4));
    assertEquals(2, y.dim(0));
    assertEquals(12, y.dim(1));
    float[] rf = random(24);
    Tensor dx = layer.backward(Tensor.of(rf.clone(), 2, 12), true);
    assertEquals(3, dx.rank());
    assertClose("dx", dx.data(), GradientCheck.numeric(
        v -> GradientCheck.dot(v, rf), GradientCheck.toDouble(xf)));
  }

  @Test
  void crossEntropyGradientMatchesFiniteDifferences() {
    int n = 4, k = 5;
    float[] zf = random(n * k);
    int[] labels = {0, 4, 2, 2};
    SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
    double[] z = GradientCheck.toDouble(zf);
    double l = loss.forward(Tensor.of(zf, n, k), labels);
    assertEquals(DoubleReference.crossEntropy(z, n, k, labels), l, 1e-6);
    assertClose("dz", loss.backward().data(), GradientCheck.numeric(
        v -> DoubleReference.crossEntropy(v, n, k, labels), z));
  }

  /** Conv, ReLU, pool, flatten, linear and the loss composed: every parameter's gradient. */
  @Test
  void smallNetworkGradientsMatchFiniteDifferencesEndToEnd() {
    int n = 3, h = 6, k = 2, classes = 4;
    Sequential net = new Sequential(new Conv2d(1, k, 3, 1, 1), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(k * 9, classes));
    HeInit.apply(net.parameters(), 7);
    for (Parameter p : net.parameters()) {
      if (p.fanIn() == 0) { // non-zero biases, so their gradients are checked off zero too
        System.arraycopy(random(p.size()), 0, p.value().data(), 0, p.size());
      }
    }
    float[] xf = random(n * h * h);
    int[] labels = {1, 3, 0};
    SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
    loss.forward(net.forward(Tensor.of(xf, n, 1, h, h)), labels);
    net.backward(loss.backward());
    double[] x = GradientCheck.toDouble(xf);
    var params = net.parameters();
    double[][] v = new double[params.size()][];
    for (int i = 0; i < v.length; i++) {
      v[i] = GradientCheck.toDouble(params.get(i).value().data());
    }
    ToDoubleFunction<double[][]> f = p -> {
      double[] a = DoubleReference.conv(x, n, 1, h, h, p[0], p[1], k, 3, 1, 1);
      a = DoubleReference.maxPool(DoubleReference.relu(a), n * k, h, h, 2, 2);
      a = DoubleReference.linear(a, n, k * 9, p[2], p[3], classes);
      return DoubleReference.crossEntropy(a, n, classes, labels);
    };
    for (int i = 0; i < v.length; i++) {
      int which = i;
      assertClose(net.namedParameters().keySet().toArray()[i].toString(),
          params.get(i).grad().data(), GradientCheck.numeric(p -> {
            double[][] all = v.clone();
            all[which] = p;
            return f.applyAsDouble(all);
          }, v[i]));
    }
  }

  /** The check itself: a gradient off by a little more than the tolerance is reported. */
  @Test
  void checkRejectsAGradientOffInOneElement() {
    int n = 2, in = 6, out = 3;
    Linear layer = new Linear(in, out);
    System.arraycopy(random(out * in), 0, layer.weight().value().data(), 0, out * in);
    float[] xf = random(n * in);
    Tensor y = layer.forward(Tensor.of(xf, n, in));
    float[] rf = random(y.size());
    layer.backward(Tensor.of(rf.clone(), n, out), false);
    double[] x = GradientCheck.toDouble(xf);
    double[] b = new double[out];
    double[] numeric = GradientCheck.numeric(
        v -> GradientCheck.dot(DoubleReference.linear(x, n, in, v, b, out), rf),
        GradientCheck.toDouble(layer.weight().value().data()));
    float[] dw = layer.weight().grad().data().clone();
    assertNull(GradientCheck.mismatch("dw", dw, numeric));
    double scale = 0;
    for (double d : numeric) {
      scale = Math.max(scale, Math.abs(d));
    }
    dw[4] += (float) (3 * GradientCheck.TOLERANCE * scale);
    assertNotNull(GradientCheck.mismatch("dw", dw, numeric));
  }
}
