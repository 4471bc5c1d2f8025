package org.vconv.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.vconv.Tensor;

/** Argument checks with their messages, buffer reuse, and the input gradient skipped. */
class LayerContractTest {

  @Test
  void wrongShapesAreRejectedWithTheLayerAndShapesInTheMessage() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new Linear(4, 2).forward(Tensor.zeros(3, 5)));
    assertEquals("Linear(in=4, out=2): expected input of shape [N, 4], got [3, 5]",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Conv2d(3, 2, 3, 1, 1).forward(Tensor.zeros(1, 2, 5, 5)));
    assertEquals("Conv2d(3, 2, kernel=3, stride=1, padding=1): expected 3 input channels, got"
        + " shape [1, 2, 5, 5]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new MaxPool2d(2).forward(Tensor.zeros(1, 2, 5)));
    assertEquals("MaxPool2d(kernel=2, stride=2): expected input of rank 4, got shape [1, 2, 5]",
        e.getMessage());
    ReLU relu = new ReLU();
    relu.forward(Tensor.zeros(2, 3));
    e = assertThrows(IllegalArgumentException.class,
        () -> relu.backward(Tensor.zeros(3, 2), true));
    assertEquals("ReLU(): expected output gradient of shape [2, 3], got [3, 2]",
        e.getMessage());
    var s = assertThrows(IllegalStateException.class,
        () -> new Linear(2, 2).backward(Tensor.zeros(1, 2), true));
    assertEquals("Linear(in=2, out=2): backward called before forward", s.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new SoftmaxCrossEntropy().forward(Tensor.zeros(2, 3), new int[] {0, 3}));
    assertEquals("SoftmaxCrossEntropy(): label 3 at 1 is outside [0, 3)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(1, 1, 0, 1, 0));
    assertEquals("Conv2d: kernel must be >= 1, got 0", e.getMessage());
  }

  @Test
  void outputsAreReusedWhileTheShapeStaysAndTheInputGradientCanBeSkipped() {
    Conv2d conv = new Conv2d(1, 2, 3, 1, 1);
    Tensor y1 = conv.forward(Tensor.zeros(2, 1, 4, 4));
    Tensor y2 = conv.forward(Tensor.zeros(2, 1, 4, 4));
    assertSame(y1, y2);
    assertNull(conv.backward(Tensor.zeros(2, 2, 4, 4), false));
    Tensor y3 = conv.forward(Tensor.zeros(3, 1, 4, 4));
    assertEquals(3, y3.dim(0));
  }

  @Test
  void reluKeepsNanAndZeroesNegatives() {
    float[] x = {Float.NaN, -1f, 2f, -0f, 0f, Float.NEGATIVE_INFINITY};
    Tensor y = new ReLU().forward(Tensor.of(x, 6));
    assertEquals(Float.NaN, y.data()[0]);
    assertEquals(0f, y.data()[1]);
    assertEquals(2f, y.data()[2]);
    assertEquals(0f, y.data()[5]);
  }

  @Test
  void maxPoolPropagatesNanAsTorchDoes() {
    float[] x = {1f, Float.NaN, 3f, 2f};
    Tensor y = new MaxPool2d(2).forward(Tensor.of(x, 1, 1, 2, 2));
    assertEquals(Float.NaN, y.data()[0]);
  }

  /**
   * 2x2 pooling on data full of ties (small integers, many zeros, as after a ReLU): each
   * output is its window's maximum and its gradient goes to the window's first maximum,
   * PyTorch's rule, checked against a plain scan written here.
   */
  @Test
  void maxPool2x2RoutesEachGradientToTheFirstMaximumOfItsWindow() {
    java.util.Random rnd = new java.util.Random(12);
    int n = 3, c = 2, h = 6, w = 8;
    float[] x = new float[n * c * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.max(0, rnd.nextInt(5) - 2); // 0, 0, 0, 1, 2
    }
    MaxPool2d pool = new MaxPool2d(2);
    Tensor y = pool.forward(Tensor.of(x, n, c, h, w));
    float[] dy = new float[y.size()];
    for (int i = 0; i < dy.length; i++) {
      dy[i] = i + 1;
    }
    float[] dx = pool.backward(Tensor.of(dy, y.shape()), true).data();
    float[] want = new float[x.length];
    int o = 0;
    for (int plane = 0; plane < n * c; plane++) {
      for (int i = 0; i < h / 2; i++) {
        for (int j = 0; j < w / 2; j++, o++) {
          int best = -1;
          for (int r = 0; r < 2; r++) {
            for (int s = 0; s < 2; s++) {
              int at = plane * h * w + (2 * i + r) * w + 2 * j + s;
              if (best < 0 || x[at] > x[best]) {
                best = at;
              }
            }
          }
          assertEquals(x[best], y.data()[o], "output " + o);
          want[best] += dy[o];
        }
      }
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(want, dx);
  }
}
