package org.vconv.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vconv.Conv2d;
import org.vconv.ConvSpec;
import org.vconv.Gradients;
import org.vconv.Scratch;
import org.vconv.Tensor;
import org.vconv.simd.VectorProviders;
import org.vconv.testutil.RandomTensors;

/**
 * Failures reach the caller: a Throwable thrown by a task on a helper thread (an Error, a
 * failed assertion, a checked exception) is thrown to the caller, the region's other tasks do
 * not start, and the pool serves the next call; a real {@link Conv2d} call with a task that
 * fails through {@link ExecContext#taskHook} throws, gives back its scratch, and the next call
 * gives the same bits as before. An interrupted caller gets a CancellationException, whether
 * it runs or waits for its share of the scratch cap.
 */
class FailuresReachTheCallerTest {
  static final ConvSpec SPEC = ConvSpec.builder().padding(1).build();

  @AfterEach
  void clearHook() {
    ExecContext.taskHook = null;
  }

  private static ExecContext threads(int t) {
    return new ExecContext(t, ExecContext.DEFAULT_WORKSPACE_BYTES, VectorProviders.scalar());
  }

  /**
   * Two tasks on two threads; the one that runs on a helper throws {@code t} (the caller's
   * waits, up to 30 s, until the helper has started, so a helper always takes part).
   */
  private static void helperThrows(Throwable t) {
    Thread caller = Thread.currentThread();
    CountDownLatch helperStarted = new CountDownLatch(1);
    threads(2).parallelFor(2, i -> {
      if (Thread.currentThread() != caller) {
        helperStarted.countDown();
        throw Sneaky.<RuntimeException>raise(t);
      }
      try {
        helperStarted.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void anyThrowableOfAHelperReachesTheCallerAndThePoolStaysUsable() throws Exception {
    List<Throwable> failures = List.of(new OutOfMemoryError("injected"),
        new AssertionError("injected"), new StackOverflowError(),
        new IllegalStateException("injected"));
    int checked = 0;
    for (int rep = 0; rep < 5; rep++) {
      for (Throwable t : failures) {
        Throwable got = assertThrows(Throwable.class, () -> helperThrows(t));
        assertSame(t, got);
        checked++;
      }
      IOException checkedException = new IOException("injected");
      Throwable got = assertThrows(IllegalStateException.class,
          () -> helperThrows(checkedException));
      assertSame(checkedException, got.getCause());
      assertEquals(100, everyIndexOnce(threads(2), 100));
      checked++;
    }
    assertEquals(25, checked);
    assertTrue(Workers.alive() <= Workers.limit(), Workers.alive() + " > " + Workers.limit());
  }

  /** Runs {@code regions} regions; fails unless every index ran once in each. */
  private static int everyIndexOnce(ExecContext ctx, int regions) {
    for (int r = 0; r < regions; r++) {
      int tasks = 1 + r % 23;
      AtomicIntegerArray ran = new AtomicIntegerArray(tasks);
      ctx.parallelFor(tasks, ran::incrementAndGet);
      for (int i = 0; i < tasks; i++) {
        assertEquals(1, ran.get(i), "region " + r + " task " + i);
      }
    }
    return regions;
  }

  @Test
  void afterAFailureTheOtherTasksDoNotStart() {
    int tasks = 1000;
    AtomicInteger ran = new AtomicInteger();
    IllegalStateException boom = new IllegalStateException("boom");
    assertSame(boom, assertThrows(IllegalStateException.class,
        () -> threads(2).parallelFor(tasks, i -> {
          if (i == 0) {
            throw boom;
          }
          ran.incrementAndGet();
          LockSupport.parkNanos(2_000_000); // all 999 would take 2 s on one thread
        })));
    assertTrue(ran.get() < tasks / 2, "tasks that ran after the failure: " + ran.get());
  }

  @Test
  void anInterruptedCallerStopsBetweenTasksAndKeepsItsStatus() {
    Thread caller = Thread.currentThread();
    AtomicInteger ran = new AtomicInteger();
    CancellationException e = assertThrows(CancellationException.class,
        () -> threads(2).parallelFor(1000, i -> {
          if (ran.incrementAndGet() == 5) {
            caller.interrupt();
          }
          LockSupport.parkNanos(100_000);
        }));
    assertInstanceOf(InterruptedException.class, e.getCause());
    assertTrue(Thread.interrupted(), "the interrupt status stays set");
    assertTrue(ran.get() < 500, "tasks run: " + ran.get());
    assertEquals(50, everyIndexOnce(threads(2), 50));
  }


  @Test
  void aConvolutionWhoseTaskFailsThrowsThatErrorAndTheNextCallIsExact() {
    Conv2d conv = Conv2d.of(SPEC).withThreads(2);
    Tensor x = RandomTensors.uniform(1, 2, 16, 20, 20);
    Tensor w = RandomTensors.uniform(2, 24, 16, 3, 3);
    Tensor dy = RandomTensors.uniform(3, 2, 24, 20, 20);
    Tensor y0 = conv.forward(x, w);
    Gradients g0 = conv.backward(dy, x, w);
    int checked = 0;
    for (int nth : new int[] {1, 2, 3, 5, 8}) {
      OutOfMemoryError oom = new OutOfMemoryError("injected at task " + nth);
      AtomicInteger left = new AtomicInteger(nth);
      ExecContext.taskHook = () -> {
        if (left.decrementAndGet() == 0) {
          throw oom;
        }
      };
      assertSame(oom, assertThrows(OutOfMemoryError.class, () -> conv.forward(x, w)));
      left.set(nth);
      assertSame(oom, assertThrows(OutOfMemoryError.class, () -> conv.backward(dy, x, w)));
      ExecContext.taskHook = null;
      assertEquals(0, Scratch.inUseBytes(), "the failed calls gave their scratch back");
      assertArrayEquals(y0.data(), conv.forward(x, w).data());
      Gradients g = conv.backward(dy, x, w);
      assertArrayEquals(g0.input().data(), g.input().data());
      assertArrayEquals(g0.weight().data(), g.weight().data());
      checked++;
    }
    assertEquals(5, checked);
  }

  @Test
  void aConvolutionCalledWhileInterruptedThrowsAtOnce() {
    Conv2d conv = Conv2d.of(SPEC).withThreads(2);
    Tensor x = RandomTensors.uniform(4, 1, 8, 12, 12);
    Tensor w = RandomTensors.uniform(5, 8, 8, 3, 3);
    Tensor y0 = conv.forward(x, w);
    Thread.currentThread().interrupt();
    assertThrows(CancellationException.class, () -> conv.forward(x, w));
    assertTrue(Thread.interrupted(), "the interrupt status stays set");
    assertArrayEquals(y0.data(), conv.forward(x, w).data());
  }

  @Test
  void aCallerWaitingForTheScratchCapCanBeInterrupted() throws Exception {
    long cap = Scratch.capBytes();
    Scratch.setCapBytes(Scratch.MIN_CAP_BYTES);
    Conv2d conv = Conv2d.of(SPEC);
    Tensor x = RandomTensors.uniform(6, 1, 4, 6, 6);
    Tensor w = RandomTensors.uniform(7, 4, 4, 3, 3);
    AtomicReference<Throwable> got = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        conv.forward(x, w);
      } catch (Throwable t) {
        got.set(t);
      }
    });
    try (ScratchPool.Admission held = ScratchPool.admit(Scratch.MIN_CAP_BYTES)) {
      waiter.start();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (waiter.getState() != Thread.State.WAITING && System.nanoTime() < until) {
        Thread.sleep(1);
      }
      assertEquals(Thread.State.WAITING, waiter.getState(), "the call waits for the cap");
      waiter.interrupt();
      waiter.join(TimeUnit.SECONDS.toMillis(30));
      assertInstanceOf(CancellationException.class, got.get());
    } finally {
      Scratch.setCapBytes(cap);
    }
    assertArrayEquals(Conv2d.of(SPEC).forward(x, w).data(), conv.forward(x, w).data());
  }

  /** Throws a checked Throwable from a lambda that cannot declare it. */
  private static final class Sneaky {
    @SuppressWarnings("unchecked")
    static <T extends Throwable> T raise(Throwable t) throws T {
      throw (T) t;
    }
  }
}
