package org.vconv.plan;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * vconv's helper threads for {@link ExecContext#parallelFor}: daemon threads, created on
 * demand and reused, that wait for their next job spinning for {@link #SPIN_NANOS} before they
 * park. A layer pass runs several parallel regions back to back (slab fill, packing, the
 * kernel phase, per tile); through a parked thread pool's hand-off and a latch, a region of
 * 14 us of work took 27-45 us on two threads here, against about 7 once the helper is awake.
 * A thread that waits longer than the spin parks and costs nothing; concurrent callers each
 * get idle helpers of their own (new ones if none is idle).
 */
final class Workers {
  private Workers() {}

  /** How long an idle helper, or a caller waiting for its helpers, spins before parking. */
  static final long SPIN_NANOS = 100_000;

  private static final ConcurrentLinkedQueue<Helper> IDLE = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger COUNT = new AtomicInteger();

  /** Runs {@code job} on an idle helper (or a new one); {@code done} counts down after it. */
  static void start(Runnable job, Join done) {
    Helper h = IDLE.poll();
    if (h == null) {
      h = new Helper();
      h.give(job, done);
      Thread t = new Thread(h, "vconv-worker-" + COUNT.incrementAndGet());
      t.setDaemon(true);
      t.start();
      return;
    }
    h.give(job, done);
  }

  /** Counts helpers down; the caller spins, then parks, until all are done. */
  static final class Join {
    private final AtomicInteger left;
    private final Thread caller = Thread.currentThread();

    Join(int helpers) {
      left = new AtomicInteger(helpers);
    }

    void countDown() {
      if (left.decrementAndGet() == 0) {
        LockSupport.unpark(caller);
      }
    }

    /** Returns when every helper has counted down (interrupts are kept, not thrown). */
    void await() {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (left.get() > 0) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
    }
  }

  private static final class Helper implements Runnable {
    private volatile Runnable job;
    private volatile Join done;
    private volatile Thread thread;

    void give(Runnable j, Join d) {
      done = d;
      job = j; // published last: the helper reads job first
      Thread t = thread;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }

    @Override
    public void run() {
      thread = Thread.currentThread();
      while (true) {
        Runnable j = job;
        if (j == null) {
          j = awaitJob();
        }
        Join d = done;
        job = null;
        done = null;
        try {
          j.run();
        } finally {
          // idle before the count: the caller's next region finds this helper awake (else it
          // could start a new thread); a job given meanwhile waits in the slot
          IDLE.add(this);
          d.countDown();
        }
      }
    }

    private Runnable awaitJob() {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      Runnable j;
      while ((j = job) == null) {
        if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          LockSupport.park(this);
        }
      }
      return j;
    }
  }
}
