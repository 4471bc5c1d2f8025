package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Conv2d;
import org.vconv.Gradients;
import org.vconv.Padding;
import org.vconv.Tensor;

/** Eight threads calling one {@link Conv2d} at once all get the sequential results. */
class ConcurrentCallsTest {
  static final int CALLERS = 8;

  @Test
  void oneInstanceServesManyThreadsAtOnce() throws Exception {
    ConvCase cs = ConvCase.of("shared").x(2, 6, 10, 9).kernel(6, 3, 3).groups(2)
        .pad(Padding.of(1)).stride(1, 2).bias().build();
    Problem pb = new Problem(cs, 17);
    Tensor x = Tensor.of(pb.x, cs.inputShape());
    Tensor w = Tensor.of(pb.w, cs.weightShape());
    Tensor b = Tensor.of(pb.bias, cs.k());
    Tensor dy = Tensor.of(pb.dy, cs.geometry().outputShape());
    int compared = 0;
    ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
    try {
      for (Algorithm a : new Algorithm[] {Algorithm.IM2COL_GEMM, Algorithm.KERNEL_OFFSET}) {
        // a small budget, so every call tiles and takes buffers while the others run
        Conv2d conv = Conv2d.of(cs.spec()).withAlgorithm(a).withThreads(2)
            .withWorkspaceBytes(Conv2d.MIN_WORKSPACE_BYTES);
        Tensor y0 = conv.forward(x, w, b);
        Gradients g0 = conv.backward(dy, x, w);
        pb.checkForward(a.name(), y0.data());
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Object[]>> calls = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
          calls.add(pool.submit(() -> {
            start.await();
            Object[] last = null;
            for (int rep = 0; rep < 5; rep++) {
              last = new Object[] {conv.forward(x, w, b), conv.backward(dy, x, w)};
            }
            return last;
          }));
        }
        start.countDown();
        for (Future<Object[]> f : calls) {
          Object[] r = f.get();
          Gradients g = (Gradients) r[1];
          Checks.assertBitwise(a + " y", y0.data(), ((Tensor) r[0]).data());
          Checks.assertBitwise(a + " dx", g0.input().data(), g.input().data());
          Checks.assertBitwise(a + " dw", g0.weight().data(), g.weight().data());
          Checks.assertBitwise(a + " db", g0.bias().data(), g.bias().data());
          compared++;
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(2 * CALLERS, compared);
  }
}
