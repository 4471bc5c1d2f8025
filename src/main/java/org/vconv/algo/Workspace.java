package org.vconv.algo;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scratch buffers of one call: up to {@code capacity} float arrays of at least
 * {@code floats}, taken on first need (new ones, or with {@link #reusing} each thread's kept
 * array from the last call) and handed from task to task, so a call holds at most one buffer
 * per worker that runs at once. Open one per call (try-with-resources); {@link #close}
 * records the bytes the call took, which {@link #lastCallBytes} reports to tests on the
 * calling thread.
 */
final class Workspace implements AutoCloseable {
  private static final ThreadLocal<long[]> LAST_CALL = ThreadLocal.withInitial(() -> new long[1]);

  private final int capacity;
  private final int floats;
  private final ConcurrentLinkedQueue<float[]> free = new ConcurrentLinkedQueue<>();
  private final boolean reuse;
  private final AtomicInteger allocated = new AtomicInteger();
  private final ConcurrentLinkedQueue<ReusedArrays.Loan> loans = new ConcurrentLinkedQueue<>();

  /** Room for {@code capacity} buffers of {@code floats} floats, new (zeroed) arrays. */
  Workspace(int capacity, int floats) {
    this(capacity, floats, false);
  }

  private Workspace(int capacity, int floats, boolean reuse) {
    assert capacity >= 0 && floats >= 0;
    this.capacity = capacity;
    this.floats = floats;
    this.reuse = reuse;
  }

  /**
   * Room for {@code capacity} buffers of at least {@code floats} floats, each the taking
   * thread's kept array when it is free ({@link ReusedArrays}): for callers that write every
   * float before they read it, since the contents are the last call's.
   */
  static Workspace reusing(int capacity, int floats) {
    return new Workspace(capacity, floats, true);
  }

  /** No buffers: the call needs no scratch (it still records zero bytes on close). */
  static Workspace none() {
    return new Workspace(0, 0);
  }

  /**
   * A buffer of at least {@link #floats()} floats; return it with {@link #give}. Its contents
   * are arbitrary: zeros the first time unless {@link #reusing}, then what the last task left.
   */
  float[] take() {
    float[] b = free.poll();
    if (b == null) {
      int count = allocated.incrementAndGet();
      assert count <= capacity : "more buffers than workers: " + count + " > " + capacity;
      ReusedArrays.Loan loan = reuse ? ReusedArrays.borrow(ReusedArrays.Slot.SCRATCH, floats)
          : null;
      if (loan == null) {
        b = new float[floats];
      } else {
        loans.add(loan);
        b = loan.array();
      }
    }
    return b;
  }

  void give(float[] b) {
    assert b.length >= floats;
    free.add(b);
  }

  int floats() {
    return floats;
  }

  /** Bytes allocated so far: the peak held at once, since buffers are reused. */
  long allocatedBytes() {
    return (long) allocated.get() * floats * Float.BYTES;
  }

  @Override
  public void close() {
    for (ReusedArrays.Loan loan : loans) {
      loan.release();
    }
    LAST_CALL.get()[0] = allocatedBytes();
  }

  /** The bytes of scratch the last call on this thread allocated (for tests). */
  static long lastCallBytes() {
    return LAST_CALL.get()[0];
  }
}
