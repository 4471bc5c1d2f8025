package org.vconv;

import org.vconv.plan.ScratchPool;

/**
 * The process-wide cap on vconv's scratch memory, and the release of the scratch it keeps.
 *
 * <p>Every {@link Conv2d} call reserves its workspace budget ({@link Conv2d#workspaceBytes()})
 * from the cap while it runs; when the running calls' reservations leave too little, the next
 * call waits, first come first served, until enough is free. A budget larger than the cap
 * reserves the whole cap, so such a call runs alone. A call never changes its tiling to fit
 * under load, so its results are the same as when it runs alone.
 *
 * <p>Scratch arrays are kept after a call for the next one. Kept and lent-out scratch together
 * stay within the cap (an array that would exceed it is dropped), so the scratch retained
 * after calls end is at most the cap, whatever number of threads ever called;
 * {@link #release()} drops it all. Results and the arrays a call allocates for its outputs are
 * not scratch, nor are transient arrays of a weight's size that some paths allocate per call.
 *
 * <p>The default cap comes from the system property {@value #CAP_PROPERTY} (bytes), else is a
 * quarter of the maximum heap, within [64 MiB, 256 MiB].
 */
public final class Scratch {
  private Scratch() {}

  /** The system property that sets the default cap, in bytes. */
  public static final String CAP_PROPERTY = ScratchPool.CAP_PROPERTY;

  /** The smallest cap accepted: 1 MiB. */
  public static final long MIN_CAP_BYTES = ScratchPool.MIN_CAP_BYTES;

  /**
   * The cap that applies when {@link #setCapBytes} was not called: {@value #CAP_PROPERTY}
   * when set (raised to {@link #MIN_CAP_BYTES}), else a quarter of the maximum heap, within
   * [64 MiB, 256 MiB].
   *
   * @return the default cap in bytes
   */
  public static long defaultCapBytes() {
    return ScratchPool.defaultCapBytes();
  }

  /**
   * The cap in force.
   *
   * @return the cap in bytes
   */
  public static long capBytes() {
    return ScratchPool.capBytes();
  }

  /**
   * Sets the process-wide cap. Kept scratch beyond the new cap is dropped at once; calls
   * already running keep their reservations, and waiting calls are admitted against the new
   * cap.
   *
   * @param bytes the new cap in bytes, at least {@link #MIN_CAP_BYTES}
   * @throws IllegalArgumentException if {@code bytes} is below {@link #MIN_CAP_BYTES}
   */
  public static void setCapBytes(long bytes) {
    if (bytes < MIN_CAP_BYTES) {
      throw new IllegalArgumentException("scratch cap must be at least " + MIN_CAP_BYTES
          + " bytes, got " + bytes);
    }
    ScratchPool.setCapBytes(bytes);
  }

  /**
   * The scratch kept for later calls and lent to no running call.
   *
   * @return bytes retained, at most {@link #capBytes()}
   */
  public static long retainedBytes() {
    return ScratchPool.retainedBytes();
  }

  /**
   * The scratch lent to calls that are running now.
   *
   * @return bytes in use
   */
  public static long inUseBytes() {
    return ScratchPool.lentBytes();
  }

  /**
   * Drops all retained scratch, so the garbage collector can reclaim it. Scratch in use by
   * running calls is not affected; it is retained again when they end, within the cap.
   */
  public static void release() {
    ScratchPool.release();
  }
}
