package org.vconv.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.Tensor;

/**
 * Chunked batches give the gradients of the whole batch's mean loss, whatever the chunk sizes
 * (a short last chunk included), and the same bits on any number of threads.
 */
class DataParallelTest {

  private static Sequential network(long seed) {
    Sequential net = new Sequential(new Conv2d(1, 3, 3, 1, 1), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(3 * 4 * 4, 5));
    HeInit.apply(net.parameters(), seed);
    return net;
  }

  private static List<float[]> grads(Sequential net) {
    List<float[]> g = new ArrayList<>();
    for (Parameter p : net.parameters()) {
      g.add(p.grad().data().clone());
    }
    return g;
  }

  private final Random rnd = new Random(31);
  private final int n = 10;
  private final float[] x = new float[n * 64];
  private final int[] labels = new int[n];

  DataParallelTest() {
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      labels[i] = rnd.nextInt(5);
    }
  }

  @Test
  void chunkedGradientsAreTheWholeBatchGradients() {
    Sequential whole = network(4);
    SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
    double l = loss.forward(whole.forward(Tensor.of(x.clone(), n, 1, 8, 8)), labels);
    whole.backward(loss.backward());
    List<float[]> want = grads(whole);
    for (int chunk : new int[] {1, 3, 4, 10, 16}) {
      Sequential net = network(4);
      double lc = new DataParallel(net, chunk, 2).lossAndGradients(Tensor.of(x, n, 1, 8, 8),
          labels);
      assertEquals(l, lc, 1e-6 * Math.abs(l), "chunk " + chunk);
      List<float[]> got = grads(net);
      for (int p = 0; p < want.size(); p++) {
        double scale = 1e-6;
        for (float v : want.get(p)) {
          scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < want.get(p).length; i++) {
          assertEquals(want.get(p)[i], got.get(p)[i], 1e-5 * scale,
              "chunk " + chunk + " parameter " + p + " element " + i);
        }
      }
    }
  }

  @Test
  void threadsDoNotChangeTheBits() {
    List<float[]> one = null;
    for (int threads = 1; threads <= 3; threads++) {
      Sequential net = network(9);
      new DataParallel(net, 3, threads).lossAndGradients(Tensor.of(x, n, 1, 8, 8), labels);
      List<float[]> g = grads(net);
      if (one == null) {
        one = g;
        continue;
      }
      for (int p = 0; p < g.size(); p++) {
        assertArrayEquals(one.get(p), g.get(p), threads + " threads, parameter " + p);
      }
    }
  }
}
