package org.vconv.algo;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.vconv.plan.ScratchPool;

/**
 * The scratch buffers of one call: up to {@code capacity} float arrays of at least
 * {@code floats}, taken from the {@link ScratchPool} on first need and handed from task to
 * task, so a call holds at most one buffer per worker that runs at once. Open one per call
 * (try-with-resources); {@link #close} gives the arrays back to the pool and records the bytes
 * the call took, which {@link #lastCallBytes} reports to tests on the calling thread.
 */
final class Workspace implements AutoCloseable {
  private static final ThreadLocal<long[]> LAST_CALL = ThreadLocal.withInitial(() -> new long[1]);

  private final int capacity;
  private final int floats;
  private final boolean zeroed;
  private final ConcurrentLinkedQueue<float[]> free = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<float[]> taken = new ConcurrentLinkedQueue<>();
  private final AtomicInteger allocated = new AtomicInteger();

  /** Room for {@code capacity} buffers of {@code floats} floats, zeroed when first taken. */
  Workspace(int capacity, int floats) {
    this(capacity, floats, true);
  }

  private Workspace(int capacity, int floats, boolean zeroed) {
    assert capacity >= 0 && floats >= 0;
    this.capacity = capacity;
    this.floats = floats;
    this.zeroed = zeroed;
  }

  /**
   * Room for {@code capacity} buffers of at least {@code floats} floats with arbitrary
   * contents (a pooled array as the last call left it): for callers that write every float
   * before they read it.
   */
  static Workspace reusing(int capacity, int floats) {
    return new Workspace(capacity, floats, false);
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
      b = zeroed ? ScratchPool.takeZeroed(floats) : ScratchPool.take(floats);
      taken.add(b);
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

  /** Gives every buffer back to the pool: the call's tasks must all have ended. */
  @Override
  public void close() {
    for (float[] b; (b = taken.poll()) != null; ) {
      ScratchPool.give(b);
    }
    LAST_CALL.get()[0] = allocatedBytes();
  }

  /** The bytes of scratch the last call on this thread allocated (for tests). */
  static long lastCallBytes() {
    return LAST_CALL.get()[0];
  }
}
