package org.vconv.gemm;

/**
 * Packing buffers of one thread, reused from call to call (a GEMM worker packs an A block, a B
 * block and uses one edge tile). They grow to the largest size asked for, which
 * {@link Blocking#workspaceFloats()} bounds, and live as long as the thread. The thread that
 * calls a multi-threaded GEMM also holds the A packed for all its workers ({@link #sharedA}).
 *
 * <p>One thread runs one block of one GEMM at a time (nested parallel calls run inline), so a
 * thread's buffers are never used twice at once.
 */
final class Workspace {
  private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);

  private float[] a = new float[0];
  private float[] b = new float[0];
  private float[] tile = new float[0];
  private float[] sharedA = new float[0];

  private Workspace() {}

  static Workspace get() {
    return LOCAL.get();
  }

  /** A buffer of at least {@code n} floats for packed A; contents are garbage. */
  float[] a(int n) {
    if (a.length < n) {
      a = new float[n];
    }
    return a;
  }

  /** A buffer of at least {@code n} floats for packed B; contents are garbage. */
  float[] b(int n) {
    if (b.length < n) {
      b = new float[n];
    }
    return b;
  }

  /** A buffer of at least {@code n} floats for an edge tile; contents are garbage. */
  float[] tile(int n) {
    if (tile.length < n) {
      tile = new float[n];
    }
    return tile;
  }

  /** Up to this many floats (16 MiB) of shared A stay cached with the thread. */
  static final int SHARED_A_CACHED = 1 << 22;

  /**
   * A buffer of at least {@code n} floats for all of A, packed for every worker of a call.
   * Bigger than {@link #SHARED_A_CACHED} it is not kept (a thread should not hold a copy of a
   * huge operand forever); a call that size does enough work to pay for the allocation.
   */
  float[] sharedA(int n) {
    if (n > SHARED_A_CACHED) {
      return new float[n];
    }
    if (sharedA.length < n) {
      sharedA = new float[n];
    }
    return sharedA;
  }
}
