package org.vconv.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vconv.Conv2d;
import org.vconv.ConvSpec;
import org.vconv.Gradient;
import org.vconv.Gradients;
import org.vconv.Scratch;
import org.vconv.Tensor;
import org.vconv.testutil.RandomTensors;

/**
 * Many threads at once, on shared and on their own {@link Conv2d} instances, with mixed
 * passes, shapes, thread settings and budgets, under a small scratch cap: every result is
 * bitwise the single caller's, the vconv threads alive afterwards are within the largest
 * thread setting, and the retained scratch is within the cap (none after
 * {@link Scratch#release()}).
 */
class ManyCallersTest {
  static final int CALLERS = 48;
  static final int CALLS_EACH = 6;
  static final long CAP = 8L << 20;

  /** What a single caller gets for a layer: y and the gradients. */
  record Results(Tensor y, Gradients grads) {}

  /**
   * A layer with its inputs and its single-caller results for the default budget and for the
   * smallest (the weight gradient's bits follow the budget's tiles).
   */
  record Layer(ConvSpec spec, Tensor x, Tensor w, Tensor b, Tensor dy, Results byDefault,
      Results bySmallest) {
    static Layer of(ConvSpec spec, int[] xShape, int[] wShape, int seed) {
      Conv2d conv = Conv2d.of(spec).withThreads(1);
      Conv2d small = conv.withWorkspaceBytes(Conv2d.MIN_WORKSPACE_BYTES);
      Tensor x = RandomTensors.uniform(seed, xShape);
      Tensor w = RandomTensors.uniform(seed + 1, wShape);
      Tensor b = RandomTensors.uniform(seed + 2, wShape[0]);
      Tensor dy = RandomTensors.uniform(seed + 3, conv.outputShape(xShape, wShape));
      return new Layer(spec, x, w, b, dy,
          new Results(conv.forward(x, w, b), conv.backward(dy, x, w)),
          new Results(small.forward(x, w, b), small.backward(dy, x, w)));
    }

    Results expected(Conv2d conv) {
      return conv.workspaceBytes() == Conv2d.MIN_WORKSPACE_BYTES ? bySmallest : byDefault;
    }
  }


  /** Runs call {@code pass} of {@code layer} on {@code conv}; fails unless bitwise right. */
  static void call(Conv2d conv, Layer layer, int pass) {
    Results want = layer.expected(conv);
    switch (pass) {
      case 0 -> assertArrayEquals(want.y().data(),
          conv.forward(layer.x(), layer.w(), layer.b()).data(), "forward");
      case 1 -> {
        Gradients g = conv.backward(layer.dy(), layer.x(), layer.w());
        assertArrayEquals(want.grads().input().data(), g.input().data(), "input gradient");
        assertArrayEquals(want.grads().weight().data(), g.weight().data(), "weight gradient");
        assertArrayEquals(want.grads().bias().data(), g.bias().data(), "bias gradient");
      }
      case 2 -> {
        Gradients g = conv.backward(layer.dy(), layer.x(), layer.w(),
            EnumSet.of(Gradient.WEIGHT));
        assertArrayEquals(want.grads().weight().data(), g.weight().data(), "weight only");
        assertNull(g.input());
      }
      default -> {
        Tensor dx = Tensor.zeros(layer.x().shape());
        conv.backwardInto(layer.dy(), layer.x(), layer.w(), dx, null, null);
        assertArrayEquals(want.grads().input().data(), dx.data(), "input gradient, into");
      }
    }
  }

  @Test
  void manyCallersGetTheSingleCallersBitsWithinBoundedThreadsAndScratch() throws Exception {
    List<Layer> layers = List.of(
        Layer.of(ConvSpec.builder().padding(1).build(), new int[] {2, 16, 14, 14},
            new int[] {16, 16, 3, 3}, 1),
        Layer.of(ConvSpec.builder().stride(2).padding(1).groups(2).build(),
            new int[] {1, 8, 15, 15}, new int[] {12, 4, 3, 3}, 10),
        Layer.of(ConvSpec.builder().build(), new int[] {3, 32, 7, 7},
            new int[] {24, 32, 1, 1}, 20),
        Layer.of(ConvSpec.builder().padding(1).groups(8).build(), new int[] {2, 8, 12, 12},
            new int[] {8, 1, 3, 3}, 30));
    // shared instances: the default budget (above the cap: such a call runs alone) and the
    // smallest (many run at once), on 2 and 3 threads
    List<List<Conv2d>> shared = new ArrayList<>();
    for (Layer layer : layers) {
      shared.add(List.of(Conv2d.of(layer.spec()).withThreads(2),
          Conv2d.of(layer.spec()).withThreads(3).withWorkspaceBytes(Conv2d.MIN_WORKSPACE_BYTES)));
    }
    int limitBefore = Workers.limit();
    long cap = Scratch.capBytes();
    Scratch.setCapBytes(CAP);
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    int calls = 0;
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> done = new ArrayList<>();
      for (int c = 0; c < CALLERS; c++) {
        int seed = c;
        done.add(callers.submit(() -> {
          start.await();
          SplittableRandom r = new SplittableRandom(seed);
          for (int i = 0; i < CALLS_EACH; i++) {
            int l = r.nextInt(layers.size());
            Conv2d conv = r.nextBoolean() ? shared.get(l).get(r.nextInt(2)) // or its own
                : Conv2d.of(layers.get(l).spec()).withThreads(1 + r.nextInt(3));
            call(conv, layers.get(l), r.nextInt(4));
          }
          return CALLS_EACH;
        }));
      }
      start.countDown();
      for (Future<Integer> f : done) {
        calls += f.get(300, TimeUnit.SECONDS);
      }
      assertEquals(0, Scratch.inUseBytes(), "every call gave its scratch back");
      assertTrue(Scratch.retainedBytes() <= CAP, "retained " + Scratch.retainedBytes());
      Scratch.release();
      assertEquals(0, Scratch.retainedBytes());
    } finally {
      callers.shutdownNow();
      Scratch.setCapBytes(cap);
    }
    assertEquals(CALLERS * CALLS_EACH, calls);
    long alive = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("vconv")).count();
    // the calls asked for at most 3 threads: the pool may hold 2 helpers, or what earlier
    // tests' thread settings allowed, whatever the number of callers
    int bound = Math.max(limitBefore, 2);
    assertEquals(bound, Workers.limit());
    assertTrue(alive <= bound, alive + " vconv threads alive, more than " + bound);
  }
}
