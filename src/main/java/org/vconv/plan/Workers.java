package org.vconv.plan;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * vconv's one pool of helper threads for {@link ExecContext#parallelFor}: at most
 * {@link #limit()} daemon threads for the whole process, however many threads call. A
 * parallel region posts one ticket per helper it would like; an idle helper claims a ticket
 * and joins the region's task loop, and the caller runs tasks itself meanwhile, so a region
 * finishes even when every helper is busy elsewhere (callers beyond the pool run their share
 * on their own thread). The caller closes its unclaimed tickets when it runs out of tasks and
 * waits only for the helpers that joined, each of which is running one of its tasks: no call
 * waits for work that has not started.
 *
 * <p>Helpers spin for {@link #SPIN_NANOS} before they park: a layer pass runs several
 * parallel regions back to back (slab fill, packing, the kernel phase, per tile), and waking
 * a parked thread for each of them costs more than a short region's work.
 */
final class Workers {
  private Workers() {}

  /** How long an idle helper, or a caller waiting for its helpers, spins before parking. */
  static final long SPIN_NANOS = 100_000;

  /** Regions with unclaimed tickets, once per ticket; closed ones are skipped when polled. */
  private static final ConcurrentLinkedQueue<Region> WORK = new ConcurrentLinkedQueue<>();
  private static final ConcurrentLinkedQueue<Helper> PARKED = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger ALIVE = new AtomicInteger();
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static volatile int limit = ExecContext.defaultThreads() - 1;

  /** How many helper threads the pool may hold: the largest thread setting seen, less one. */
  static int limit() {
    return limit;
  }

  /** How many helper threads are alive. */
  static int alive() {
    return ALIVE.get();
  }

  /** Lets the pool hold {@code threads - 1} helpers (it never shrinks). */
  static void allow(int threads) {
    if (threads - 1 > limit) {
      synchronized (Workers.class) {
        limit = Math.max(limit, threads - 1);
      }
    }
  }

  /** Posts {@code tickets} tickets of {@code r} and wakes (or starts) a helper for each. */
  static void post(Region r, int tickets) {
    for (int i = 0; i < tickets; i++) {
      WORK.offer(r);
    }
    for (int i = 0; i < tickets; i++) {
      Helper h = PARKED.poll();
      if (h != null) {
        LockSupport.unpark(h.thread);
      } else if (!start()) {
        return; // the pool is full: spinning or busy helpers take the tickets, or the caller
      }
    }
  }

  /** Starts a helper if the pool has room; false when it has none (or no thread could start). */
  private static boolean start() {
    int n;
    do {
      n = ALIVE.get();
      if (n >= limit) {
        return false;
      }
    } while (!ALIVE.compareAndSet(n, n + 1));
    try {
      Helper h = new Helper();
      // no inheritable thread-locals: a helper must not keep its first caller's values alive
      h.thread = Thread.ofPlatform().name("vconv-worker-" + NAMES.incrementAndGet())
          .daemon(true).inheritInheritableThreadLocals(false).unstarted(h);
      h.thread.start();
      return true;
    } catch (Throwable t) { // e.g. no memory for a new thread: the callers do the work
      ALIVE.decrementAndGet();
      return false;
    }
  }

  private static final class Helper implements Runnable {
    private Thread thread;

    @Override
    public void run() {
      while (true) {
        try {
          Region r = WORK.poll();
          if (r == null) {
            r = await();
          }
          r.help();
        } catch (Throwable t) {
          // Region.help hands its tasks' failures to the caller; anything thrown here (say,
          // no memory for a queue node) concerns no call, and the helper goes on
        }
      }
    }

    private Region await() {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      Region r;
      while ((r = WORK.poll()) == null && System.nanoTime() < spinUntil) {
        Thread.onSpinWait();
      }
      if (r != null) {
        return r;
      }
      // parked only after a last look at the queue: a ticket posted before this helper was
      // listed is found here, one posted after it unparks the helper. A producer's unpark
      // takes the helper off the list, so it lists itself again before every park.
      while (true) {
        PARKED.add(this);
        if ((r = WORK.poll()) != null) {
          PARKED.remove(this);
          break;
        }
        LockSupport.park(this);
        PARKED.remove(this);
        if ((r = WORK.poll()) != null) {
          break;
        }
      }
      return r;
    }
  }
}
