package org.vconv.algo;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.vconv.im2col.PaddedWindows;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.GemmKernels;

/**
 * {@link ImplicitGemm}'s weight gradient, {@code dW_g = dy_g x cols^T} per group: the
 * micro-kernel ({@link GemmKernels#streamTileAdd}) reads each row of {@code cols} (one input
 * channel and tap) as a run of the slab ({@link PaddedWindows}) along the padded-width pixels,
 * and B is {@code dy_g} transposed into {@code nr}-filter panels with zeros in the padded
 * columns. Each micro-tile of {@code dW} is summed over units (whole images, or output rows of
 * one), then over {@link #DEPTH_BLOCK}-pixel blocks, in order: bitwise independent of the
 * threads (the order follows the units, so the budget).
 *
 * <p>Pipelined: a unit's preparation (its slab copy and {@code dy}'s packing) runs while the
 * kernel works on the unit before it, in a ring of {@link #SLOTS} units' scratch. The copies
 * are bound by memory bandwidth, so a second thread copying at the same time gains little: one
 * thread copies while the other multiplies. All tasks are one {@link ExecContext#parallelFor},
 * in an order where every task depends only on tasks before it; tasks are claimed in order, so
 * a task waits (spinning) only for one already running. A kernel task waits for its unit's
 * preparation and for the same micro-tiles' task of the unit before; a preparation waits
 * until the kernel tasks of the unit whose slot it reuses are done.
 *
 * <p>A non-finite input would meet the zeros in the padded columns (0 x Inf = NaN where no
 * product exists), so when the slab copies find one, the pass returns false with {@code dw}
 * untouched and the caller starts over on {@link Im2colGemm}.
 */
final class ImplicitWeightPass {
  private ImplicitWeightPass() {}

  /**
   * Units of scratch in the ring. With two, a unit's copies, which start early among the kernel
   * tasks of the unit before, would often wait for the last kernel task of the unit before
   * that, still running on the other thread.
   */
  static final int SLOTS = 3;

  /**
   * Pixel columns per unit the plan aims at: one image, but at least {@code MIN_UNIT} (several
   * small images) and at most {@code MAX_UNIT} (output rows of a large image). Short row tiles
   * make the copies slow, as each channel's copy is a short run: on VGG's 224x224 layer, tiles
   * of 4 rows (1024 columns) copy runs of 6 rows per channel where tiles of 72 copy 74.
   */
  static final int MIN_UNIT = 1024;

  /** See {@link #MIN_UNIT}. */
  static final int MAX_UNIT = 16384;

  /** Columns per kernel call: a block of packed {@code dy} (32 KiB) serves a task's tiles. */
  private static final int DEPTH_BLOCK = 256;

  /** Kernel tasks per thread and unit: a few, so a thread slowed by a neighbour is caught up. */
  private static final int TASKS_PER_THREAD = 4;

  /** Slab copy tasks per unit. */
  private static final int FILL_TASKS = 4;

  /** Runs the pass; false, with {@code dw} untouched, when the input is not all finite. */
  static boolean run(ConvGeometry g, float[] dy, float[] x, float[] dw, ExecContext ctx) {
    GemmKernels kernels = ctx.kernels().gemm();
    int mr = kernels.mr();
    int nr = kernels.nr();
    int kPanels = Math.ceilDiv(g.kg(), nr);
    int dTiles = Math.ceilDiv(g.crs(), mr);
    ImplicitGemm.Plan plan = plan(g, ctx.workspaceFloats());
    PaddedWindows windows = new PaddedWindows(g, plan.rows());
    try (ScratchPool.Lease sums = ScratchPool.leaseZeroed(g.groups() * kPanels * dTiles * mr
        * nr)) {
      float[] acc = sums.array(); // zeros: sums start
      Schedule s = new Schedule(g, plan, windows, kernels, ctx.threads());
      try (Workspace ws = Workspace.reusing(1, Tiling.arrayLength(s.floats()))) {
        float[] buf = ws.take();
        windows.clearSlack(SLOTS * plan.images(), buf);
        AtomicBoolean finite = new AtomicBoolean(true);
        ArrayKernels arrays = ctx.kernels().arrays();
        ctx.parallelFor(s.order.length, t -> s.runTask(s.order[t], x, dy, buf, acc, finite,
            arrays));
        if (!finite.get()) {
          return false;
        }
      }
      for (int grp = 0; grp < g.groups(); grp++) { // micro-tiles (d, k) -> OIHW rows k
        for (int k = 0; k < g.kg(); k++) {
          int tileRow = (grp * kPanels + k / nr) * dTiles * mr * nr + k % nr;
          int out = (grp * g.kg() + k) * g.crs();
          for (int d0 = 0; d0 < g.crs(); d0 += mr) { // tile by tile: no division per element
            int at = tileRow + d0 / mr * mr * nr;
            for (int d = d0, end = Math.min(g.crs(), d0 + mr); d < end; d++, at += nr) {
              dw[out + d] = acc[at];
            }
          }
        }
      }
    }
    return true;
  }

  /** The units: {@link ImplicitGemm.Plan}'s tiles, sized so that the ring fits its share. */
  static ImplicitGemm.Plan plan(ConvGeometry g, long budgetFloats) {
    int image = PaddedWindows.columnsPerImage(g, g.p());
    return ImplicitGemm.Plan.weight(g, budgetFloats / SLOTS,
        Math.max(MIN_UNIT, Math.min(MAX_UNIT, image)));
  }

  /** The tasks, their order and their dependencies. */
  private static final class Schedule {
    private final ConvGeometry g;
    private final ImplicitGemm.Plan plan;
    private final PaddedWindows windows;
    private final GemmKernels kernels;
    private final int units;
    private final int chunks;
    private final int kPanels;
    private final int prepTasks;
    private final int kernelTasks;
    private final int outTiles;
    private final int dTiles;
    private final int slotDy;
    private final int dyAt;
    private final int[] rowBase;
    /** Task codes in run order: {@code unit * (prepTasks + kernelTasks) + local}. */
    final int[] order;
    private final AtomicIntegerArray prepared;
    private final AtomicIntegerArray multiplied;
    private final AtomicIntegerArray rangeUnits;

    Schedule(ConvGeometry g, ImplicitGemm.Plan plan, PaddedWindows windows, GemmKernels kernels,
        int threads) {
      this.g = g;
      this.plan = plan;
      this.windows = windows;
      this.kernels = kernels;
      this.units = plan.tiles() * g.groups();
      this.chunks = Math.min(g.cg(), Math.ceilDiv(FILL_TASKS, plan.images()));
      this.kPanels = Math.ceilDiv(g.kg(), kernels.nr());
      this.prepTasks = plan.images() * (chunks + kPanels);
      this.dTiles = Math.ceilDiv(g.crs(), kernels.mr());
      this.outTiles = kPanels * dTiles;
      this.kernelTasks = Math.min(outTiles, TASKS_PER_THREAD * threads);
      int perImage = PaddedWindows.columnsPerImage(g, plan.rows());
      this.slotDy = kPanels * plan.images() * perImage * kernels.nr();
      this.dyAt = (int) windows.slabFloats(SLOTS * plan.images());
      this.rowBase = windows.deltaPadded(dTiles * kernels.mr());
      this.prepared = new AtomicIntegerArray(units);
      this.multiplied = new AtomicIntegerArray(units);
      this.rangeUnits = new AtomicIntegerArray(kernelTasks);
      this.order = order();
    }

    long floats() {
      return dyAt + (long) SLOTS * slotDy;
    }

    /**
     * Unit 0's preparation, then per unit its kernel tasks interleaved with the next unit's
     * preparation, kernel first.
     */
    private int[] order() {
      int per = prepTasks + kernelTasks;
      int[] out = new int[units * per];
      int at = 0;
      for (int p = 0; p < prepTasks; p++) {
        out[at++] = p;
      }
      for (int u = 0; u < units; u++) {
        int next = u + 1 < units ? prepTasks : 0;
        int early = Math.max(1, kernelTasks / 2);
        for (int k = 0, p = 0; k < kernelTasks || p < next; ) {
          if (p < next && (k >= early || (long) p * early < (long) k * next)) {
            out[at++] = (u + 1) * per + p++;
          } else {
            out[at++] = u * per + prepTasks + k++;
          }
        }
      }
      assert at == out.length;
      return out;
    }

    void runTask(int code, float[] x, float[] dy, float[] buf, float[] acc,
        AtomicBoolean finite, ArrayKernels arrays) {
      int per = prepTasks + kernelTasks;
      int unit = code / per;
      int local = code % per;
      int tile = unit / g.groups();
      int grp = unit % g.groups();
      int slot = unit % SLOTS;
      if (local < prepTasks) {
        try {
          if (unit >= SLOTS) {
            awaitAtLeast(multiplied, unit - SLOTS, kernelTasks); // the slot's last user
          }
          if (!prepare(tile, grp, slot, local, x, dy, buf, arrays)) {
            finite.set(false);
          }
        } finally {
          prepared.incrementAndGet(unit);
        }
      } else {
        int range = local - prepTasks;
        try {
          awaitAtLeast(prepared, unit, prepTasks);
          awaitAtLeast(rangeUnits, range, unit); // the same micro-tiles, the unit before
          multiply(tile, grp, slot, range, buf, acc);
        } finally {
          rangeUnits.set(range, unit + 1);
          multiplied.incrementAndGet(unit);
        }
      }
    }

    /** Part {@code part} of a unit's preparation: a slab copy or a panel of {@code dy}. */
    private boolean prepare(int tile, int grp, int slot, int part, float[] x, float[] dy,
        float[] buf, ArrayKernels arrays) {
      int n0 = plan.firstImage(tile);
      int p0 = plan.firstRow(tile);
      int rows = plan.rowsIn(tile);
      int i = part / (chunks + kPanels);
      if (i >= plan.imagesIn(tile)) {
        return true; // the last tile's missing images
      }
      int j = part % (chunks + kPanels);
      if (j < chunks) {
        int cg = g.cg();
        return windows.fill(x, grp, n0 + i, p0, rows, slot * plan.images() + i,
            cg * j / chunks, cg * (j + 1) / chunks, buf, arrays, true);
      }
      int panel = j - chunks;
      int perImage = PaddedWindows.columnsPerImage(g, rows);
      int cols = plan.imagesIn(tile) * perImage;
      packOutputGradient(g, dy, grp, panel, n0 + i, p0, rows, kernels.nr(), buf,
          dyAt + slot * slotDy + (panel * cols + i * perImage) * kernels.nr(), arrays);
      return true;
    }

    /**
     * Kernel task {@code range}: its micro-tiles of {@code dW}, over the unit's images and
     * {@link #DEPTH_BLOCK}-column blocks in order; a block of packed {@code dy} (32 KiB) serves
     * all the task's tiles from L2.
     */
    private void multiply(int tile, int grp, int slot, int range, float[] buf, float[] acc) {
      int mr = kernels.mr();
      int nr = kernels.nr();
      int images = plan.imagesIn(tile);
      int perImage = PaddedWindows.columnsPerImage(g, plan.rowsIn(tile));
      int cols = images * perImage;
      int first = (int) ((long) outTiles * range / kernelTasks);
      int end = (int) ((long) outTiles * (range + 1) / kernelTasks);
      int accAt = grp * outTiles * mr * nr;
      int slab = slot * plan.images() * windows.imageFloats();
      int b = dyAt + slot * slotDy;
      for (int i = 0; i < images; i++) {
        for (int t0 = 0; t0 < perImage; t0 += DEPTH_BLOCK) {
          int len = Math.min(DEPTH_BLOCK, perImage - t0);
          for (int o = first; o < end; o++) {
            kernels.streamTileAdd(len, buf, slab + i * windows.imageFloats() + t0, rowBase,
                o % dTiles * mr, buf, b + (o / dTiles * cols + i * perImage + t0) * nr, acc,
                accAt + o * mr * nr);
          }
        }
      }
    }
  }

  /** Spins until {@code a[i] >= value}: the task it waits for is already running. */
  private static void awaitAtLeast(AtomicIntegerArray a, int i, int value) {
    while (a.get(i) < value) {
      Thread.onSpinWait();
    }
  }

  /**
   * Packs filters {@code [panel*nr, panel*nr + nr)} of {@code dy}'s image {@code n}, output
   * rows {@code [p0, p0 + rows)}, as B of {@link GemmKernels#streamTileAdd}: pixel column
   * {@code col} (padded-width numbering) at {@code dst[off + col*nr + j]}, zeros in the padded
   * columns and past the last filter.
   */
  private static void packOutputGradient(ConvGeometry g, float[] dy, int grp, int panel, int n,
      int p0, int rows, int nr, float[] dst, int off, ArrayKernels arrays) {
    int wp = PaddedWindows.rowPitch(g);
    int q = g.q();
    int live = Math.min(nr, g.kg() - panel * nr);
    int src0 = g.yIndex(n, grp * g.kg() + panel * nr, p0, 0);
    // row by row, so that a row's panel (Wp x nr floats) stays in L1 while it is written: a
    // transpose of the row's [live filters x Q pixels] (one gather per pixel and lane-wide
    // run of filters, rather than a scalar loop per float)
    for (int pp = 0; pp < rows; pp++) {
      int rowAt = off + pp * wp * nr;
      arrays.transpose(dy, src0 + pp * q, g.pq(), 1, live, q, dst, rowAt, nr);
      int end = pp == rows - 1 ? q : wp; // the last row stops at Q: columnsPerImage
      for (int qq = 0; qq < end; qq++) { // padded columns and filters past the end: zeros
        int at = rowAt + qq * nr;
        if (qq >= q) {
          Arrays.fill(dst, at, at + nr, 0f);
        } else if (live < nr) {
          Arrays.fill(dst, at + live, at + nr, 0f);
        }
      }
    }
  }
}
