package org.vconv.algo;

import org.vconv.plan.ConvGeometry;

/**
 * One NCHW input plane, zero-padded and split into {@code strideW} column phases, so that the
 * inputs one kernel tap meets along an output row are consecutive floats whatever the stride
 * and dilation. Padded element {@code (row, col)} lives in phase {@code col % sw} at column
 * {@code col / sw}.
 */
final class PhasePlane {
  private PhasePlane() {}

  /** Sizes of the phase-split plane for one geometry; hands out per-thread scratch. */
  record Shape(int rows, int cols, int phases) {

    static Shape of(ConvGeometry g) {
      int rows = g.h() + g.padTop() + g.padBottom();
      int padded = g.w() + g.padLeft() + g.padRight();
      int phases = g.strideW();
      return new Shape(rows, (padded + phases - 1) / phases, phases);
    }

    int size() {
      return rows * cols * phases;
    }

    /** Index of the first input a tap reads for output column 0 on padded row {@code row}. */
    int offset(int row, int colOffset) {
      return ((colOffset % phases) * rows + row) * cols + colOffset / phases;
    }

    /** A zeroed scratch plane owned by the calling thread. */
    float[] zeroed() {
      float[] plane = scratch();
      java.util.Arrays.fill(plane, 0, size(), 0f);
      return plane;
    }

    /** Copies the plane of {@code x} starting at {@code base} into padded, phase-split scratch. */
    float[] load(float[] x, int base, ConvGeometry g) {
      float[] plane = zeroed();
      for (int ih = 0; ih < g.h(); ih++) {
        int src = base + ih * g.w();
        int row = ih + g.padTop();
        if (phases == 1) {
          System.arraycopy(x, src, plane, row * cols + g.padLeft(), g.w());
          continue;
        }
        for (int iw = 0; iw < g.w(); iw++) {
          int col = iw + g.padLeft();
          plane[((col % phases) * rows + row) * cols + col / phases] = x[src + iw];
        }
      }
      return plane;
    }

    /** Overwrites the plane of {@code dx} at {@code base} with the unpadded part of scratch. */
    void store(float[] plane, float[] dx, int base, ConvGeometry g) {
      for (int ih = 0; ih < g.h(); ih++) {
        int dst = base + ih * g.w();
        int row = ih + g.padTop();
        if (phases == 1) {
          System.arraycopy(plane, row * cols + g.padLeft(), dx, dst, g.w());
          continue;
        }
        for (int iw = 0; iw < g.w(); iw++) {
          int col = iw + g.padLeft();
          dx[dst + iw] = plane[((col % phases) * rows + row) * cols + col / phases];
        }
      }
    }

    private float[] scratch() {
      float[] buf = SCRATCH.get();
      if (buf.length < size()) {
        buf = new float[size()];
        SCRATCH.set(buf);
      }
      return buf;
    }
  }

  // reused per thread: a plane is at most a few MB and depthwise calls come in long series
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
}
