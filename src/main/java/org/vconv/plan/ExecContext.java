package org.vconv.plan;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * How a call may execute: how many threads and how many bytes of scratch memory.
 *
 * <p>{@link #parallelFor} hands out task indices dynamically, so which thread runs a task varies
 * from run to run; kernels keep results bitwise independent of that by giving every task its
 * own outputs and by never splitting a reduction across tasks.
 *
 * @param threads how many threads may work on one call (the caller's included), &gt;= 1
 * @param workspaceBytes the scratch budget of one call across all its threads, &gt; 0
 * @param kernels the SIMD or scalar kernels to run
 */
public record ExecContext(int threads, long workspaceBytes, VectorProvider kernels) {

  /** The default workspace budget: 64 MiB. */
  public static final long DEFAULT_WORKSPACE_BYTES = 64L << 20;

  public ExecContext {
    assert threads >= 1 && workspaceBytes > 0 && kernels != null;
  }

  /** One thread, the default budget, the default kernels. */
  public static ExecContext sequential() {
    return new ExecContext(1, DEFAULT_WORKSPACE_BYTES, VectorProviders.get());
  }

  /** The workspace budget in floats. */
  public long workspaceFloats() {
    return workspaceBytes / Float.BYTES;
  }

  /** The budget of one worker when {@code workers} run at once, in floats. */
  public long workspaceFloatsPerWorker(int workers) {
    return workspaceFloats() / Math.max(1, workers);
  }

  /** How many workers {@link #parallelFor} uses for {@code tasks} tasks. */
  public int workersFor(int tasks) {
    return IN_POOL.get() ? 1 : Math.max(1, Math.min(threads, tasks));
  }

  /**
   * Runs {@code task.accept(i)} for every i in [0, tasks) on up to {@link #threads()} threads,
   * the caller included, and returns when all are done. A nested call from inside a task runs
   * inline. The first exception thrown by a task is rethrown.
   */
  public void parallelFor(int tasks, IntConsumer task) {
    int workers = workersFor(tasks);
    if (workers <= 1) {
      for (int i = 0; i < tasks; i++) {
        task.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Workers.Join helpers = new Workers.Join(workers - 1);
    Runnable drain = () -> {
      boolean outer = IN_POOL.get();
      IN_POOL.set(true);
      try {
        for (int i; failure.get() == null && (i = next.getAndIncrement()) < tasks; ) {
          task.accept(i);
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      } finally {
        IN_POOL.set(outer);
      }
    };
    for (int wkr = 1; wkr < workers; wkr++) {
      Workers.start(drain, helpers);
    }
    drain.run();
    helpers.await();
    Throwable t = failure.get();
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
  }

  private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);
}
