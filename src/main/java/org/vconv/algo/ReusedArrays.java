package org.vconv.algo;

/**
 * Float arrays kept by each thread from one call to the next, so that a layer run in a loop
 * does not allocate (and have the JVM zero) its scratch every time: zeroing fresh scratch took
 * about 7% of ResNet-50's 28x28 3x3 forward, and 7 MB per call on its stride-2 layer. Contents
 * are whatever the last user left: callers must write before they read. A thread lends its
 * array to one holder at a time ({@link Loan#release}); a second request while it is out, or
 * one above {@link #MAX_KEPT_FLOATS}, gets a fresh array that is not kept.
 */
final class ReusedArrays {
  private ReusedArrays() {}

  /** What one slot may keep between calls: 16 MiB, the default budget's share of a tile. */
  static final int MAX_KEPT_FLOATS = 4 << 20;

  /**
   * The kinds of array a call may hold at once, one kept array each per thread: tile scratch,
   * packed weights, and a gather's row or panel of rows ({@code Im2col.gatherPacked}).
   */
  enum Slot { SCRATCH, WEIGHTS, GATHER }

  /** A thread's kept array of one slot, and whether it is lent out. */
  static final class Loan {
    private float[] array = new float[0];
    private boolean out;

    /** The array, of at least the length asked for. */
    float[] array() {
      return array;
    }

    /**
     * Returns the array to its thread. May run on another thread than the one that took it,
     * once that thread's work is joined (the pool's join orders the accesses).
     */
    void release() {
      out = false;
    }
  }

  private static final ThreadLocal<Loan[]> KEPT = ThreadLocal.withInitial(() -> {
    Loan[] loans = new Loan[Slot.values().length];
    for (int i = 0; i < loans.length; i++) {
      loans[i] = new Loan();
    }
    return loans;
  });

  /**
   * An array of at least the floats asked for, for the length of a try-with-resources block:
   * the thread's kept array of a slot when {@link #borrow} lends it, else a fresh one.
   */
  static final class Lease implements AutoCloseable {
    private final Loan loan;
    private final float[] array;

    private Lease(Loan loan, int floats) {
      this.loan = loan;
      this.array = loan != null ? loan.array() : new float[floats];
    }

    float[] array() {
      return array;
    }

    @Override
    public void close() {
      if (loan != null) {
        loan.release();
      }
    }
  }

  /** {@link #borrow}, falling back to a fresh array: never null. */
  static Lease lease(Slot slot, int floats) {
    return new Lease(borrow(slot, floats), floats);
  }

  /**
   * Lends this thread's array of {@code slot}, grown to at least {@code floats}; null when it
   * is already out or {@code floats} is above {@link #MAX_KEPT_FLOATS}: allocate instead.
   */
  static Loan borrow(Slot slot, int floats) {
    Loan loan = KEPT.get()[slot.ordinal()];
    if (loan.out || floats > MAX_KEPT_FLOATS) {
      return null;
    }
    if (loan.array.length < floats) {
      loan.array = new float[floats];
    }
    loan.out = true;
    return loan;
  }
}
