package org.vconv.plan;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * One {@link ExecContext#parallelFor} call: tasks handed out by a counter to the caller and
 * to the helpers that claim one of its tickets ({@link Workers}). The first failure of any
 * task stops the others from starting tasks and is thrown to the caller.
 */
final class Region {
  /** Low bits: unclaimed tickets; high bits: helpers that claimed one and have not left. */
  private static final int HELPER = 1 << 16;
  private static final int TICKETS = HELPER - 1;

  private final int tasks;
  private IntConsumer task; // dropped once the region is over, so a stale ticket holds nothing
  private final Thread caller = Thread.currentThread();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger state;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  Region(int tasks, IntConsumer task, int tickets) {
    assert tickets >= 0 && tickets < HELPER;
    this.tasks = tasks;
    this.task = task;
    this.state = new AtomicInteger(tickets);
  }

  /** On a helper: joins the task loop if a ticket is left, then leaves. */
  void help() {
    int s;
    do {
      s = state.get();
      if ((s & TICKETS) == 0) {
        return; // closed, or every ticket taken
      }
    } while (!state.compareAndSet(s, s - 1 + HELPER));
    try {
      drain(task);
    } finally {
      if ((state.addAndGet(-HELPER) & ~TICKETS) == 0) {
        LockSupport.unpark(caller);
      }
    }
  }

  /**
   * On the caller: runs tasks until none is left, closes the tickets, waits for the helpers
   * that joined (each finishes the task it runs), and throws the first failure. An interrupt
   * of the caller stops the region between tasks and throws {@link #interrupted()}.
   */
  void run() {
    drain(task);
    state.getAndUpdate(s -> s & ~TICKETS);
    boolean interrupted = false;
    long spinUntil = System.nanoTime() + Workers.SPIN_NANOS;
    while ((state.get() & ~TICKETS) != 0) {
      if (System.nanoTime() < spinUntil) {
        Thread.onSpinWait();
      } else {
        LockSupport.park(this);
        if (Thread.interrupted()) { // cleared so that park blocks again; set again below
          interrupted = true;
          failure.compareAndSet(null, interrupted());
        }
      }
    }
    task = null;
    if (interrupted) {
      caller.interrupt();
    }
    rethrow(failure.get());
  }

  private void drain(IntConsumer body) {
    boolean outer = ExecContext.enterPool();
    try {
      for (int i; failure.get() == null && (i = next.getAndIncrement()) < tasks; ) {
        ExecContext.beforeTask();
        body.accept(i);
      }
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
    } finally {
      ExecContext.leavePool(outer);
    }
  }

  /** The exception an interrupted caller gets; its interrupt status stays set. */
  static CancellationException interrupted() {
    CancellationException e = new CancellationException(
        "vconv: the calling thread was interrupted; the call's outputs are unspecified");
    e.initCause(new InterruptedException());
    return e;
  }

  /** Throws {@code t} as itself when unchecked, else wrapped; returns when null. */
  static void rethrow(Throwable t) {
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
}
