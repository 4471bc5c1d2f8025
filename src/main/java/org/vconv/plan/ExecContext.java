package org.vconv.plan;

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

  /**
   * Where part {@code part} of {@code parts} near-equal parts of {@code [0, total)} starts
   * ({@code part == parts}: {@code total}), so that part p covers
   * {@code [slice(total, p, parts), slice(total, p + 1, parts))}.
   */
  public static int slice(int total, int part, int parts) {
    return (int) ((long) total * part / parts);
  }

  /** How many workers {@link #parallelFor} uses for {@code tasks} tasks. */
  public int workersFor(int tasks) {
    return IN_POOL.get() ? 1 : Math.max(1, Math.min(threads, tasks));
  }

  /**
   * Runs {@code task.accept(i)} for every i in [0, tasks) on up to {@link #threads()} threads,
   * the caller included, and returns when all are done. A nested call from inside a task runs
   * inline. The helpers come from one process-wide pool ({@link Workers}); when they are busy
   * with other calls, the caller runs the tasks itself.
   *
   * <p>The first Throwable of any task (an Error included) is rethrown to the caller as
   * itself, checked ones wrapped in {@link IllegalStateException}; tasks not yet started then
   * never start. An interrupt of the calling thread stops the call between tasks with a
   * {@link java.util.concurrent.CancellationException} (its interrupt status stays set), and
   * the outputs are then unspecified.
   */
  public void parallelFor(int tasks, IntConsumer task) {
    int workers = workersFor(tasks);
    if (workers <= 1) {
      runInline(tasks, task);
      return;
    }
    Workers.allow(threads);
    Region region = new Region(tasks, task, workers - 1);
    Workers.post(region, workers - 1);
    region.run();
  }

  /** Runs the tasks in order on this thread, stopping when it is interrupted. */
  public static void runInline(int tasks, IntConsumer task) {
    for (int i = 0; i < tasks; i++) {
      beforeTask();
      task.accept(i);
    }
  }

  /** {@code vconv.threads}, or the number of available processors. */
  public static int defaultThreads() {
    int t = Integer.getInteger("vconv.threads", Runtime.getRuntime().availableProcessors());
    return Math.max(1, t);
  }

  /** Run before every task: stops an interrupted caller, and runs the test hook. */
  static void beforeTask() {
    if (Thread.currentThread().isInterrupted()) {
      throw Region.interrupted();
    }
    Runnable hook = taskHook;
    if (hook != null) {
      hook.run();
    }
  }

  /** Marks this thread as running a task; returns what to hand to {@link #leavePool}. */
  static boolean enterPool() {
    boolean outer = IN_POOL.get();
    IN_POOL.set(true);
    return outer;
  }

  static void leavePool(boolean outer) {
    IN_POOL.set(outer);
  }

  /**
   * Fault injection for tests: run before every task of every call (on whichever thread runs
   * it), so a hook that throws fails the task as a kernel bug would. Null: none.
   */
  static volatile Runnable taskHook;

  private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);
}
