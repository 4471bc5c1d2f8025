package org.vconv.algo;

import org.vconv.simd.GemmKernels;

/**
 * How the dot-product weight gradients ({@link WindowDots}, {@link PlaneDots},
 * {@link PointwiseDots}) keep their partial sums: {@code dW} ({@code [groups*kg][depth]}) in
 * tiles of {@code dotMr()} depth rows (A) x {@code dotNr()} filters (B), each entry
 * {@code dotLanes()} partials ({@link GemmKernels#dotTileAdd}); tiles filter-major within a
 * group, each group's after the last group's. Tile {@code o} of the whole list is group
 * {@code o / tiles()}; its partials start at {@code o * tileFloats()}.
 */
record DotTiles(GemmKernels kernels, int groups, int kg, int depth) {

  /** Pixels per kernel call: a tile's 8 rows of them (32 KiB) stay in L1 across the tiles. */
  static final int CALL_PIXELS = 1024;

  int depthTiles() {
    return Math.ceilDiv(depth, kernels.dotMr());
  }

  int filterTiles() {
    return Math.ceilDiv(kg, kernels.dotNr());
  }

  /** Tiles per group. */
  int tiles() {
    return depthTiles() * filterTiles();
  }

  int tileFloats() {
    return kernels.dotMr() * kernels.dotNr() * kernels.dotLanes();
  }

  /** Floats of all the partials (zeroed before the first call adds to them). */
  int floats() {
    return groups * tiles() * tileFloats();
  }

  /** The first A row of tile {@code o} (within its group): an index into the A row offsets. */
  int aRow(int o) {
    return o % tiles() % depthTiles() * kernels.dotMr();
  }

  /** The first B row of tile {@code o} (within its group): an index into the B row offsets. */
  int bRow(int o) {
    return o % tiles() / depthTiles() * kernels.dotNr();
  }

  /** A rows the tiles read: {@code depth} rounded up to whole tiles. */
  int paddedDepth() {
    return depthTiles() * kernels.dotMr();
  }

  /** A row offsets {@code min(i, depth - 1) * plane}: the rows past the last repeat it. */
  int[] depthRows(int plane) {
    return rows(paddedDepth(), depth, plane);
  }

  /** B row offsets {@code min(k, kg - 1) * plane}: the filters past the last repeat it. */
  int[] filterRows(int plane) {
    return rows(filterTiles() * kernels.dotNr(), kg, plane);
  }

  private static int[] rows(int count, int live, int plane) {
    int[] rows = new int[count]; // the repeated rows' products are discarded
    for (int i = 0; i < count; i++) {
      rows[i] = Math.min(i, live - 1) * plane;
    }
    return rows;
  }

  /**
   * Adds to tiles {@code [from, end)} of the whole list the dot products of one plane of
   * {@code pixels} pixels per row, in runs of {@link #CALL_PIXELS} pixels, each run through
   * every tile before the next: A row i of tile o's group {@code grp} at
   * {@code a[aOff + grp * aGroup + aRows[i]]}, B row j at {@code b[bOff + grp * bGroup +
   * bRows[j]]}, the partials at {@code acc[o * tileFloats()]}.
   */
  void addPlanes(float[] a, int aOff, int aGroup, int[] aRows, float[] b, int bOff, int bGroup,
      int[] bRows, int pixels, int from, int end, float[] acc) {
    int tileFloats = tileFloats();
    for (int t0 = 0; t0 < pixels; t0 += CALL_PIXELS) {
      int len = Math.min(CALL_PIXELS, pixels - t0);
      for (int o = from; o < end; o++) {
        int grp = o / tiles();
        kernels.dotTileAdd(1, len, a, aOff + grp * aGroup + t0, 0, aRows, aRow(o), b,
            bOff + grp * bGroup + t0, 0, bRows, bRow(o), acc, o * tileFloats);
      }
    }
  }

  /** Overwrites {@code dw} with the partials of {@code acc} added in lane order. */
  void sumInto(float[] acc, float[] dw) {
    int mr = kernels.dotMr();
    int nr = kernels.dotNr();
    int lanes = kernels.dotLanes();
    int dTiles = depthTiles();
    int tileFloats = tileFloats();
    int groupFloats = tiles() * tileFloats;
    for (int grp = 0; grp < groups; grp++) {
      for (int k = 0; k < kg; k++) {
        for (int d = 0; d < depth; d++) {
          int at = grp * groupFloats + (k / nr * dTiles + d / mr) * tileFloats
              + (d % mr * nr + k % nr) * lanes;
          float sum = acc[at];
          for (int l = 1; l < lanes; l++) {
            sum += acc[at + l];
          }
          dw[(grp * kg + k) * depth + d] = sum;
        }
      }
    }
  }
}
