package org.vconv.plan;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * vconv's one scratch allocator, for the whole process: every float array a call uses for
 * scratch (tiles, packed weights, gathers, GEMM packing buffers) is taken here and given
 * back, and arrays given back are kept for the next call, so that a layer run in a loop does
 * not allocate (and have the JVM zero) its scratch every time.
 *
 * <p>One cap, in bytes, bounds two things:
 * <ul>
 *   <li>Admission ({@link #admit}): a call reserves its workspace budget for as long as it
 *       runs, and waits, first come first served, while the reservations of the running calls
 *       leave too little of the cap. A budget above the cap reserves the whole cap: that call
 *       runs alone. Tilings come from the budget alone, never from what is free, so a call's
 *       results do not depend on the load.
 *   <li>Retention: the arrays kept, plus those lent out, stay within the cap (a kept array is
 *       dropped rather than exceed it), so retained scratch is bounded whatever number of
 *       threads ever called; {@link #release} drops every kept array.
 * </ul>
 */
public final class ScratchPool {
  private ScratchPool() {}

  /** The system property that sets the cap in bytes. */
  public static final String CAP_PROPERTY = "vconv.scratchBytes";

  /** The smallest cap accepted: 1 MiB. */
  public static final long MIN_CAP_BYTES = 1L << 20;

  /** A kept array serves a request of at least this fraction of its length (1 / 2). */
  private static final int MAX_WASTE = 2;

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static final Condition TURN = LOCK.newCondition();
  /** Kept arrays by length. */
  private static final TreeMap<Integer, ArrayDeque<float[]>> FREE = new TreeMap<>();

  // the array this thread gave back last: taken first when it fits, as it is likely still in
  // this core's caches; weak, so that it never keeps an array the pool has dropped alive
  private static final ThreadLocal<java.lang.ref.WeakReference<float[]>> LAST_GIVEN =
      new ThreadLocal<>();
  /** Calls waiting for admission, in arrival order. */
  private static final ArrayDeque<Object> WAITING = new ArrayDeque<>();
  private static long capBytes = defaultCapBytes();
  private static long keptBytes;
  private static long lentBytes;
  private static long reservedBytes;
  private static int admitted;

  /**
   * The default cap: {@value #CAP_PROPERTY} when set, else a quarter of the maximum heap,
   * within [64 MiB, 256 MiB]; at least {@link #MIN_CAP_BYTES}.
   */
  public static long defaultCapBytes() {
    long quarter = Runtime.getRuntime().maxMemory() / 4;
    long fallback = Math.max(64L << 20, Math.min(256L << 20, quarter));
    return Math.max(MIN_CAP_BYTES, Long.getLong(CAP_PROPERTY, fallback));
  }

  /** The cap in bytes. */
  public static long capBytes() {
    return read(() -> capBytes);
  }

  /** Sets the cap; kept arrays beyond it are dropped, waiting calls look again. */
  public static void setCapBytes(long bytes) {
    assert bytes >= MIN_CAP_BYTES;
    LOCK.lock();
    try {
      capBytes = bytes;
      evict();
      TURN.signalAll();
    } finally {
      LOCK.unlock();
    }
  }

  /** Bytes of scratch kept for later calls, not lent to any. */
  public static long retainedBytes() {
    return read(() -> keptBytes);
  }

  /** Bytes of scratch lent to running calls. */
  public static long lentBytes() {
    return read(() -> lentBytes);
  }

  /** Drops every kept array (arrays lent out are kept when given back, within the cap). */
  public static void release() {
    LOCK.lock();
    try {
      FREE.clear();
      keptBytes = 0;
    } finally {
      LOCK.unlock();
    }
  }

  /**
   * Waits until the call may run with {@code budgetBytes} of workspace reserved (at most the
   * cap), first come first served, and reserves it until the admission is closed. Throws
   * {@link java.util.concurrent.CancellationException} if the thread is interrupted before or
   * while it waits (its interrupt status stays set).
   */
  public static Admission admit(long budgetBytes) {
    if (Thread.currentThread().isInterrupted()) { // a call started interrupted stops at once
      throw Region.interrupted();
    }
    Object me = new Object();
    LOCK.lock();
    try {
      WAITING.add(me);
      try {
        while (true) {
          long need = Math.min(budgetBytes, capBytes);
          if (WAITING.peek() == me && (admitted == 0 || reservedBytes + need <= capBytes)) {
            reservedBytes += need;
            admitted++;
            return new Admission(need);
          }
          TURN.await();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Region.interrupted();
      } finally {
        WAITING.remove(me);
        TURN.signalAll(); // the next in line may fit too
      }
    } finally {
      LOCK.unlock();
    }
  }

  /** A call's reservation; closing it lets waiting calls in. */
  public static final class Admission implements AutoCloseable {
    private final long bytes;
    private boolean closed;

    private Admission(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public void close() {
      LOCK.lock();
      try {
        if (!closed) {
          closed = true;
          reservedBytes -= bytes;
          admitted--;
          TURN.signalAll();
        }
      } finally {
        LOCK.unlock();
      }
    }
  }

  /**
   * An array of at least {@code floats} floats, a kept one when one fits; its contents are
   * arbitrary (the last user's). Give it back with {@link #give}.
   */
  public static float[] take(int floats) {
    assert floats >= 0;
    LOCK.lock();
    try {
      java.lang.ref.WeakReference<float[]> ref = LAST_GIVEN.get();
      float[] mine = ref == null ? null : ref.get();
      if (mine != null && mine.length >= floats && mine.length / MAX_WASTE <= floats) {
        ArrayDeque<float[]> same = FREE.get(mine.length);
        if (same != null && same.removeFirstOccurrence(mine)) {
          if (same.isEmpty()) {
            FREE.remove(mine.length);
          }
          keptBytes -= bytes(mine);
          lentBytes += bytes(mine);
          return mine;
        }
      }
      Map.Entry<Integer, ArrayDeque<float[]>> e = FREE.ceilingEntry(floats);
      if (e != null && e.getKey() / MAX_WASTE <= floats) {
        float[] a = e.getValue().pop();
        if (e.getValue().isEmpty()) {
          FREE.remove(e.getKey());
        }
        keptBytes -= bytes(a);
        lentBytes += bytes(a);
        return a;
      }
      lentBytes += bytes(floats);
      evict(); // a new array: make room for it among the kept ones
    } finally {
      LOCK.unlock();
    }
    try {
      return new float[floats];
    } catch (Throwable t) {
      LOCK.lock();
      try {
        lentBytes -= bytes(floats);
      } finally {
        LOCK.unlock();
      }
      throw t;
    }
  }

  /** {@link #take}, zeroed. */
  public static float[] takeZeroed(int floats) {
    float[] a = take(floats);
    Arrays.fill(a, 0, floats, 0f);
    return a;
  }

  /** Gives back an array from {@link #take}; it is kept when the cap allows. */
  public static void give(float[] a) {
    LOCK.lock();
    try {
      lentBytes -= bytes(a);
      if (lentBytes + keptBytes + bytes(a) <= capBytes) {
        FREE.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
        keptBytes += bytes(a);
        java.lang.ref.WeakReference<float[]> last = LAST_GIVEN.get();
        if (last == null || last.get() != a) { // a task taking and giving one array: no new ref
          LAST_GIVEN.set(new java.lang.ref.WeakReference<>(a));
        }
      }
    } finally {
      LOCK.unlock();
    }
  }

  /** One of the counters above, read under the lock. */
  private static long read(LongSupplier counter) {
    LOCK.lock();
    try {
      return counter.getAsLong();
    } finally {
      LOCK.unlock();
    }
  }

  /** Drops kept arrays, largest first, until lent and kept arrays together fit the cap. */
  private static void evict() {
    while (!FREE.isEmpty() && lentBytes + keptBytes > capBytes) {
      Map.Entry<Integer, ArrayDeque<float[]>> e = FREE.lastEntry();
      keptBytes -= bytes(e.getValue().pop());
      if (e.getValue().isEmpty()) {
        FREE.remove(e.getKey());
      }
    }
  }

  private static long bytes(float[] a) {
    return bytes(a.length);
  }

  private static long bytes(int floats) {
    return (long) floats * Float.BYTES;
  }

  /**
   * An array from {@link #take} for the length of a try-with-resources block: given back on
   * close.
   */
  public static final class Lease implements AutoCloseable {
    private final float[] array;

    private Lease(float[] array) {
      this.array = array;
    }

    /** The array, of at least the floats asked for; contents arbitrary. */
    public float[] array() {
      return array;
    }

    @Override
    public void close() {
      give(array);
    }
  }

  /** A {@link Lease} of at least {@code floats} floats. */
  public static Lease lease(int floats) {
    return new Lease(take(floats));
  }

  /** A {@link Lease} whose first {@code floats} floats are zero. */
  public static Lease leaseZeroed(int floats) {
    return new Lease(takeZeroed(floats));
  }
}
