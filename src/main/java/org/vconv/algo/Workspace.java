package org.vconv.algo;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scratch buffers of one call: up to {@code capacity} equal float arrays, created on
 * first need and handed from task to task, so a call allocates at most one buffer per worker
 * that runs at once. Open one per call (try-with-resources); {@link #close} records the bytes
 * the call allocated, which {@link #lastCallBytes} reports to tests on the calling thread.
 */
final class Workspace implements AutoCloseable {
  private static final ThreadLocal<long[]> LAST_CALL = ThreadLocal.withInitial(() -> new long[1]);

  private final int capacity;
  private final int floats;
  private final ConcurrentLinkedQueue<float[]> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger allocated = new AtomicInteger();

  /** Room for {@code capacity} buffers of {@code floats} floats. */
  Workspace(int capacity, int floats) {
    assert capacity >= 0 && floats >= 0;
    this.capacity = capacity;
    this.floats = floats;
  }

  /** No buffers: the call needs no scratch (it still records zero bytes on close). */
  static Workspace none() {
    return new Workspace(0, 0);
  }

  /** A buffer of {@link #floats()} floats with arbitrary contents; return it with {@link #give}. */
  float[] take() {
    float[] b = free.poll();
    if (b == null) {
      int count = allocated.incrementAndGet();
      assert count <= capacity : "more buffers than workers: " + count + " > " + capacity;
      b = new float[floats];
    }
    return b;
  }

  void give(float[] b) {
    assert b.length == floats;
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
    LAST_CALL.get()[0] = allocatedBytes();
  }

  /** The bytes of scratch the last call on this thread allocated (for tests). */
  static long lastCallBytes() {
    return LAST_CALL.get()[0];
  }
}
