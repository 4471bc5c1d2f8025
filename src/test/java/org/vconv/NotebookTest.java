package org.vconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The arrays the seed notebook prints, reproduced exactly (integers are exact in float32). */
class NotebookTest {

  static float[] range(int from, int toExclusive) {
    float[] a = new float[toExclusive - from];
    for (int i = 0; i < a.length; i++) {
      a[i] = from + i;
    }
    return a;
  }

  static float[] ints(int... v) {
    float[] a = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      a[i] = v[i];
    }
    return a;
  }

  static float[] repeat(float[] block, int times) {
    float[] a = new float[block.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(block, 0, a, i * block.length, block.length);
    }
    return a;
  }

  /** NCHW [2,3,4,4] -> NHWC, as the notebook's x2.transpose(0, 2, 3, 1). */
  static float[] nchwToNhwc(float[] a, int n, int c, int h, int w) {
    float[] out = new float[a.length];
    for (int i = 0; i < n; i++) {
      for (int ci = 0; ci < c; ci++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            out[((i * h + y) * w + x) * c + ci] = a[((i * c + ci) * h + y) * w + x];
          }
        }
      }
    }
    return out;
  }

  /** OIHW -> HWIO, as the notebook's k2.transpose(2, 3, 1, 0). */
  static float[] oihwToHwio(float[] a, int k, int c, int r, int s) {
    float[] out = new float[a.length];
    for (int ki = 0; ki < k; ki++) {
      for (int ci = 0; ci < c; ci++) {
        for (int ri = 0; ri < r; ri++) {
          for (int si = 0; si < s; si++) {
            out[((ri * s + si) * c + ci) * k + ki] = a[((ki * c + ci) * r + ri) * s + si];
          }
        }
      }
    }
    return out;
  }

  static final float[] CONV3D = ints(
      2060, 2138, 2216, 2372, 2450, 2528, 2684, 2762, 2840,
      4868, 5090, 5312, 5756, 5978, 6200, 6644, 6866, 7088,
      5804, 5882, 5960, 6116, 6194, 6272, 6428, 6506, 6584,
      15524, 15746, 15968, 16412, 16634, 16856, 17300, 17522, 17744);

  static final float[] X_GRAD_ONE_IMAGE = ints(
      14, 30, 30, 16, 32, 68, 68, 36, 32, 68, 68, 36, 18, 38, 38, 20,
      22, 46, 46, 24, 48, 100, 100, 52, 48, 100, 100, 52, 26, 54, 54, 28,
      30, 62, 62, 32, 64, 132, 132, 68, 64, 132, 132, 68, 34, 70, 70, 36);

  static final float[] K_GRAD_ONE_FILTER = ints(
      540, 558, 612, 630, 828, 846, 900, 918, 1116, 1134, 1188, 1206);

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void singleChannelForwardAndBackward(Algorithm algorithm) {
    // In [5]: x1 = arange(1,17).reshape(4,4), k1 = arange(1,5).reshape(2,2), grad = ones(3,3)
    Tensor x = Tensor.of(range(1, 17), 4, 4);
    Tensor k = Tensor.of(range(1, 5), 2, 2);
    Tensor grad = Tensor.of(repeat(ints(1), 9), 3, 3);
    Conv2d conv = Conv2d.of(ConvSpec.defaults()).withAlgorithm(algorithm);
    Tensor y = conv.forward(Tensor.of(x.data(), 1, 1, 4, 4), Tensor.of(k.data(), 1, 1, 2, 2));
    // conv_2d(x1, k1) is the 3x3 valid correlation
    assertArrayEquals(ints(44, 54, 64, 84, 94, 104, 124, 134, 144), y.data());

    Gradients g = SingleChannel.backward(grad, x, k);
    assertArrayEquals(ints(1, 3, 3, 2, 4, 10, 10, 6, 4, 10, 10, 6, 3, 7, 7, 4), g.input().data());
    assertArrayEquals(ints(54, 63, 90, 99), g.weight().data());
    assertArrayEquals(new int[] {4, 4}, g.input().shape());
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void batchedMultiChannelForwardNchw(Algorithm algorithm) {
    // In [15]: conv_3d(arange(1,97).reshape(2,3,4,4), arange(1,25).reshape(2,3,2,2))
    Conv2d conv = Conv2d.of(ConvSpec.defaults()).withAlgorithm(algorithm);
    Tensor y = conv.forward(Tensor.of(range(1, 97), 2, 3, 4, 4), Tensor.of(range(1, 25), 2, 3, 2, 2));
    assertArrayEquals(new int[] {2, 2, 3, 3}, y.shape());
    assertArrayEquals(CONV3D, y.data());
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void backwardNchwOihw(Algorithm algorithm) {
    // In [31]: back_propagation_3d(x2, k2, ones_like(res))
    Conv2d conv = Conv2d.of(ConvSpec.defaults()).withAlgorithm(algorithm);
    Gradients g = conv.backward(Tensor.of(repeat(ints(1), 36), 2, 2, 3, 3),
        Tensor.of(range(1, 97), 2, 3, 4, 4), Tensor.of(range(1, 25), 2, 3, 2, 2));
    assertArrayEquals(repeat(X_GRAD_ONE_IMAGE, 2), g.input().data());
    assertArrayEquals(repeat(K_GRAD_ONE_FILTER, 2), g.weight().data());
    assertArrayEquals(ints(18, 18), g.bias().data());
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void backwardNhwcHwio(Algorithm algorithm) {
    // In [30]: back_propagation_baseline on x2.transpose(0,2,3,1), k2.transpose(2,3,1,0)
    Conv2d conv = Conv2d.of(ConvSpec.builder().layout(Layout.NHWC).build()).withAlgorithm(algorithm);
    Tensor x = Tensor.of(nchwToNhwc(range(1, 97), 2, 3, 4, 4), 2, 4, 4, 3);
    Tensor w = Tensor.of(oihwToHwio(range(1, 25), 2, 3, 2, 2), 2, 2, 3, 2);
    Tensor y = conv.forward(x, w);
    assertArrayEquals(nchwToNhwc(CONV3D, 2, 2, 3, 3), y.data());
    Gradients g = conv.backward(Tensor.of(repeat(ints(1), 36), 2, 3, 3, 2), x, w);
    assertArrayEquals(nchwToNhwc(repeat(X_GRAD_ONE_IMAGE, 2), 2, 3, 4, 4), g.input().data());
    assertArrayEquals(oihwToHwio(repeat(K_GRAD_ONE_FILTER, 2), 2, 3, 2, 2), g.weight().data());
  }

}
