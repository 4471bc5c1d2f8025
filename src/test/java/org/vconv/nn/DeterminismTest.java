package org.vconv.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.Tensor;

/**
 * The same seed gives the same weights, bit for bit, before and after training, for any
 * thread count; a different seed gives different ones.
 */
class DeterminismTest {

  /** A LeNet-shaped network small enough for a test, big enough for the kernels to split. */
  private static Sequential network() {
    return new Sequential(new Conv2d(1, 6, 5, 1, 2), new ReLU(), new MaxPool2d(2),
        new Conv2d(6, 16, 5, 1, 0), new ReLU(), new MaxPool2d(2), new Flatten(),
        new Linear(16 * 5 * 5, 120), new ReLU(), new Linear(120, 10));
  }

  /** Parameter values after {@code steps} SGD steps from seed {@code seed} on threads. */
  private static float[] train(long seed, int threads, int steps) {
    Sequential net = network();
    HeInit.apply(net.parameters(), seed);
    net.setThreads(threads);
    Sgd sgd = new Sgd(net.parameters(), 0.05f, 0.9f, 5e-4f);
    SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
    Random data = new Random(99);
    int n = 32;
    for (int s = 0; s < steps; s++) {
      float[] x = new float[n * 28 * 28];
      int[] y = new int[n];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) data.nextGaussian();
      }
      for (int i = 0; i < n; i++) {
        y[i] = data.nextInt(10);
      }
      loss.forward(net.forward(Tensor.of(x, n, 1, 28, 28)), y);
      net.backward(loss.backward());
      sgd.step();
    }
    return net.parameterValues();
  }

  @Test
  void sameSeedSameInitialWeights() {
    assertArrayEquals(train(5, 1, 0), train(5, 1, 0));
    assertFalse(Arrays.equals(train(5, 1, 0), train(6, 1, 0)), "seeds 5 and 6 agree");
  }

  @Test
  void trainingGivesTheSameBitsOnOneTwoAndThreeThreads() {
    float[] one = train(11, 1, 4);
    assertFalse(Arrays.equals(one, train(11, 1, 0)), "training changed nothing");
    assertArrayEquals(one, train(11, 2, 4), "2 threads");
    assertArrayEquals(one, train(11, 3, 4), "3 threads");
  }

  @Test
  void copyTrainsLikeTheOriginal() {
    Sequential net = network();
    HeInit.apply(net.parameters(), 3);
    Sequential copy = net.copy();
    assertArrayEquals(net.parameterValues(), copy.parameterValues());
    copy.parameters().get(0).value().data()[0] += 1;
    assertFalse(Arrays.equals(net.parameterValues(), copy.parameterValues()),
        "the copy shares its weights");
  }
}
