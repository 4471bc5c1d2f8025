package org.vconv.gemm;

import java.util.Arrays;
import java.util.Objects;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.GemmKernels;

/**
 * Single-precision GEMM, C row-major with leading dimension {@code ldc}. {@code multiply}
 * overwrites C (never reads it, so garbage or NaN there cannot leak); {@code multiplyAdd}
 * accumulates into it. Operands come either as {@link StridedMatrix} views or as
 * {@link PackSource}s (A as {@code m x k}, B transposed as {@code n x k}). C must not overlap
 * A or B.
 *
 * <p>The engine is BLIS's five loops: column blocks of NC ({@code jc}), depth blocks of KC
 * ({@code pc}, packing a {@code kc x nc} block of B), row blocks of MC ({@code ic}, packing
 * an {@code mc x kc} block of A), then {@link MacroKernel} over NR-column and MR-row
 * micro-panels and the micro-kernel of {@code ctx.kernels().gemm()}; see {@link Blocking}.
 * Threads split C into blocks ({@link TaskGrid}), never the reduction. When blocks of A would
 * be packed more than once (several tasks, or several column blocks) and the copy fits the
 * workspace budget, all of A is packed once up front and tasks pack only their own B. A caller
 * may also hand B over already packed ({@link PanelLayout}); then no task packs B. Packing
 * buffers come from the {@link ScratchPool} per task and go back after it;
 * {@link #workspaceFloatsPerWorker} and {@link #workspaceFloats} say how big.
 *
 * <p>Reduction order (fixed, so results are bitwise the same for any thread count, workspace
 * budget and operand layout): k is cut into {@code ceil(k / KC)} balanced depth blocks in
 * order; each block's product is accumulated from zero by the micro-kernel ({@link
 * GemmKernels}) and then stored ({@code multiply}, first block) or added to C. So
 * {@code multiply} gives {@code ((P0 + P1) + P2) ...} and {@code multiplyAdd} gives
 * {@code (((C + P0) + P1) + ...)}.
 */
public final class Sgemm {
  private Sgemm() {}

  /** {@code C = A * B} with A {@code m x k}, B {@code k x n}. */
  public static void multiply(int m, int n, int k, StridedMatrix a, StridedMatrix b,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    checkViews(m, n, k, a, b);
    multiply(m, n, k, (PackSource) a, b.transpose(), c, cOff, ldc, ctx);
  }

  /** {@code C += A * B} with A {@code m x k}, B {@code k x n}. */
  public static void multiplyAdd(int m, int n, int k, StridedMatrix a, StridedMatrix b,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    checkViews(m, n, k, a, b);
    multiplyAdd(m, n, k, (PackSource) a, b.transpose(), c, cOff, ldc, ctx);
  }

  /** {@code C = A * Bt^T} with A {@code m x k} and Bt {@code n x k}. */
  public static void multiply(int m, int n, int k, PackSource a, PackSource bt,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    checkCall(m, n, k, a, bt, c, cOff, ldc, ctx);
    run(m, n, k, a, bt, null, 0, c, cOff, ldc, ctx, true);
  }

  /** {@code C += A * Bt^T} with A {@code m x k} and Bt {@code n x k}. */
  public static void multiplyAdd(int m, int n, int k, PackSource a, PackSource bt,
      float[] c, int cOff, int ldc, ExecContext ctx) {
    checkCall(m, n, k, a, bt, c, cOff, ldc, ctx);
    run(m, n, k, a, bt, null, 0, c, cOff, ldc, ctx, false);
  }

  /**
   * The layout in which a caller may hand this call's B already packed ({@link PanelLayout}):
   * it depends on {@code n}, {@code k} and the kernels of {@code ctx}.
   */
  public static PanelLayout panelLayout(int n, int k, ExecContext ctx) {
    if (n < 1 || k < 1) {
      throw new IllegalArgumentException("packed B needs n, k >= 1: n=" + n + " k=" + k);
    }
    Blocking bl = blocking(ctx);
    return new PanelLayout(n, k, bl.nr(), bl.depthBlockSize(k));
  }

  /**
   * {@code C = A * B} with A {@code m x k} and B {@code k x n} already packed at
   * {@code b[bOff...]} in {@code layout}, which must be {@link #panelLayout}{@code (n, k, ctx)}.
   * The same sums as the other entries (packing only copies).
   */
  public static void multiply(int m, int n, int k, PackSource a, float[] b, int bOff,
      PanelLayout layout, float[] c, int cOff, int ldc, ExecContext ctx) {
    checkPacked(m, n, k, a, b, bOff, layout, c, cOff, ldc, ctx);
    run(m, n, k, a, null, b, bOff, c, cOff, ldc, ctx, true);
  }

  /** {@code C += A * B}, B packed as for the {@code multiply} above. */
  public static void multiplyAdd(int m, int n, int k, PackSource a, float[] b, int bOff,
      PanelLayout layout, float[] c, int cOff, int ldc, ExecContext ctx) {
    checkPacked(m, n, k, a, b, bOff, layout, c, cOff, ldc, ctx);
    run(m, n, k, a, null, b, bOff, c, cOff, ldc, ctx, false);
  }

  /**
   * Floats of scratch one GEMM worker uses at most (packed A and B blocks and an edge tile),
   * taken per task from the scratch pool: count it once per worker in a workspace budget.
   * A call may also pack all of A once; {@link #workspaceFloats} gives a call's total.
   */
  public static long workspaceFloatsPerWorker(ExecContext ctx) {
    return blocking(ctx).workspaceFloats();
  }

  /**
   * Floats of scratch one call uses at most across all its workers: the per-worker buffers,
   * plus, when blocks of A would be packed more than once (several threads, or n > NC) and it
   * fits in {@code ctx}'s budget, all of A packed once ({@code ceil(m / MR) * MR * k} floats,
   * held by the calling thread).
   */
  public static long workspaceFloats(int m, int n, int k, ExecContext ctx) {
    Blocking bl = blocking(ctx);
    TaskGrid grid = TaskGrid.plan(m, n, k, bl.mr(), bl.nr(), ctx, false);
    int workers = ctx.workersFor(grid.tasks());
    long perWorkers = workers * bl.workspaceFloats();
    return perWorkers + (sharesA(m, n, k, bl, grid, ctx) ? sharedAFloats(m, k, bl) : 0);
  }

  private static Blocking blocking(ExecContext ctx) {
    return Blocking.of(ctx.kernels().gemm(), ctx.workspaceFloatsPerWorker(ctx.threads()));
  }

  /** A row-panel-padded copy of all of A: depth block at {@code pc} starts at pc * mPad. */
  private static long sharedAFloats(int m, int k, Blocking bl) {
    return (long) (m + bl.mr() - 1) / bl.mr() * bl.mr() * k;
  }

  /** Whether a call of this shape packs all of A once, up front (see below; for tests). */
  static boolean sharesA(int m, int n, int k, ExecContext ctx) {
    Blocking bl = blocking(ctx);
    return sharesA(m, n, k, bl, TaskGrid.plan(m, n, k, bl.mr(), bl.nr(), ctx, false), ctx);
  }

  /**
   * Whether a call packs all of A once, up front, rather than block by block in each task:
   * when blocks of A would otherwise be packed more than once (by several tasks, or for
   * several column blocks of one task) and the copy fits next to the workers' buffers.
   */
  private static boolean sharesA(int m, int n, int k, Blocking bl, TaskGrid grid,
      ExecContext ctx) {
    long perWorkers = (long) ctx.workersFor(grid.tasks()) * bl.workspaceFloats();
    long shared = sharedAFloats(m, k, bl);
    return (grid.tasks() > 1 || n > bl.nc()) && shared <= Integer.MAX_VALUE - 8
        && perWorkers + shared <= ctx.workspaceFloats();
  }

  /** B comes as {@code bt} to pack, or (bt null) packed in {@link #panelLayout} at bp[bpOff]. */
  private static void run(int m, int n, int k, PackSource a, PackSource bt, float[] bp,
      int bpOff, float[] c, int cOff, int ldc, ExecContext ctx, boolean overwrite) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) { // an empty sum: C = 0, or C unchanged
      if (overwrite) {
        for (int i = 0; i < m; i++) {
          Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
      }
      return;
    }
    GemmKernels kernels = ctx.kernels().gemm();
    Blocking bl = blocking(ctx);
    boolean bPacked = bt == null;
    TaskGrid grid = TaskGrid.plan(m, n, k, bl.mr(), bl.nr(), ctx, false, bPacked);
    ScratchPool.Lease sharedA = null;
    int mPad = 0;
    if (sharesA(m, n, k, bl, grid, ctx)) {
      sharedA = ScratchPool.lease((int) sharedAFloats(m, k, bl));
      if (grid.tasks() > 1) { // A is no longer packed per task: replan for the reads alone
        grid = TaskGrid.plan(m, n, k, bl.mr(), bl.nr(), ctx, true, bPacked);
      }
    }
    try (ScratchPool.Lease unused = sharedA) {
      float[] ap = null;
      if (sharedA != null) {
        ap = sharedA.array();
        mPad = packAll(a, m, k, bl, ap, kernels, ctx);
      }
      long nPad = (long) (n + bl.nr() - 1) / bl.nr() * bl.nr();
      Operands ops = new Operands(a, bt, bp, bpOff, nPad, ap, mPad);
      if (grid.tasks() == 1) {
        block(kernels, bl, k, ops, 0, m, 0, n, c, cOff, ldc, overwrite);
      } else {
        TaskGrid g = grid;
        ctx.parallelFor(g.tasks(), t -> block(kernels, bl, k, ops, g.rowStart(t), g.rowEnd(t),
            g.colStart(t), g.colEnd(t), c, cOff, ldc, overwrite));
      }
    }
  }

  /**
   * Packs all of A, every depth block, in parallel blocks of MC rows: depth block {@code pc}
   * at {@code pc * mPad}, its rows {@code ic...} at {@code + ic * kc}. Returns mPad.
   */
  private static int packAll(PackSource a, int m, int k, Blocking bl, float[] ap,
      GemmKernels kernels, ExecContext ctx) {
    int mPad = (m + bl.mr() - 1) / bl.mr() * bl.mr();
    int kcMax = bl.depthBlockSize(k);
    int rowBlocks = (m + bl.mc() - 1) / bl.mc();
    ctx.parallelFor(bl.depthBlocks(k) * rowBlocks, t -> {
      int pc = t / rowBlocks * kcMax;
      int ic = t % rowBlocks * bl.mc();
      Packing.pack(a, ic, Math.min(bl.mc(), m - ic), pc, Math.min(kcMax, k - pc), bl.mr(), ap,
          pc * mPad + ic * Math.min(kcMax, k - pc), kernels);
    });
    return mPad;
  }

  /**
   * A call's operands: A to pack ({@code a}) or packed beforehand ({@code sharedA}, rows padded
   * to {@code mPad}, see {@link #packAll}); B to pack ({@code bt}) or packed by the caller
   * ({@code bt} null: {@code packedB} from {@code bOff}, columns padded to {@code nPad}).
   */
  private record Operands(PackSource a, PackSource bt, float[] packedB, int bOff, long nPad,
      float[] sharedA, int mPad) {}

  /**
   * The BLIS loops over one block of C, rows {@code [r0, r1)} x columns {@code [c0, c1)},
   * all of k, with pooled packing buffers for whatever is not packed yet.
   */
  private static void block(GemmKernels kernels, Blocking bl, int k, Operands ops, int r0,
      int r1, int c0, int c1, float[] c, int cOff, int ldc, boolean overwrite) {
    float[] sharedA = ops.sharedA();
    int kcMax = bl.depthBlockSize(k);
    float[] bp = null;
    float[] ap = null;
    float[] tile = null;
    try {
      bp = ops.bt() != null
          ? ScratchPool.take(Blocking.balanced(c1 - c0, bl.nc(), bl.nr()) * kcMax)
          : ops.packedB();
      ap = sharedA != null ? sharedA
          : ScratchPool.take(Blocking.balanced(r1 - r0, bl.mc(), bl.mr()) * kcMax);
      tile = ScratchPool.take(bl.mr() * bl.nr());
      blockLoops(kernels, bl, k, ops, r0, r1, c0, c1, c, cOff, ldc, overwrite, ap, bp, tile);
    } finally { // the buffers go back however the block ends
      if (tile != null) {
        ScratchPool.give(tile);
      }
      if (ap != null && ap != sharedA) {
        ScratchPool.give(ap);
      }
      if (bp != null && bp != ops.packedB()) {
        ScratchPool.give(bp);
      }
    }
  }

  /** {@link #block}'s loops, with its packing buffers. */
  private static void blockLoops(GemmKernels kernels, Blocking bl, int k, Operands ops, int r0,
      int r1, int c0, int c1, float[] c, int cOff, int ldc, boolean overwrite, float[] ap,
      float[] bp, float[] tile) {
    float[] sharedA = ops.sharedA();
    int mPad = ops.mPad();
    int mr = bl.mr();
    int nr = bl.nr();
    int kBlocks = bl.depthBlocks(k);
    int kcMax = bl.depthBlockSize(k);
    int ncMax = Blocking.balanced(c1 - c0, bl.nc(), nr);
    int mcMax = Blocking.balanced(r1 - r0, bl.mc(), mr);
    for (int jc = c0; jc < c1; jc += ncMax) {
      int nc = Math.min(ncMax, c1 - jc);
      for (int pb = 0; pb < kBlocks; pb++) { // depth blocks in order: the fixed reduction order
        int pc = pb * kcMax;
        int kc = Math.min(kcMax, k - pc);
        int bOff = 0;
        if (ops.bt() != null) {
          Packing.pack(ops.bt(), jc, nc, pc, kc, nr, bp, 0, kernels);
        } else {
          bOff = Math.toIntExact(ops.bOff() + pc * ops.nPad() + (long) jc * kc);
        }
        for (int ic = r0; ic < r1; ic += mcMax) {
          int mc = Math.min(mcMax, r1 - ic);
          int aOff = 0;
          if (sharedA == null) {
            Packing.pack(ops.a(), ic, mc, pc, kc, mr, ap, 0, kernels);
          } else {
            aOff = pc * mPad + ic * kc;
          }
          MacroKernel.run(kernels, mc, nc, kc, ap, aOff, bp, bOff, c, cOff + ic * ldc + jc,
              ldc, overwrite && pb == 0, tile);
        }
      }
    }
  }

  private static void checkCall(int m, int n, int k, PackSource a, PackSource bt, float[] c,
      int cOff, int ldc, ExecContext ctx) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(bt, "bt");
    Objects.requireNonNull(c, "c");
    Objects.requireNonNull(ctx, "ctx");
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("negative size: m=" + m + " n=" + n + " k=" + k);
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (ldc < n || cOff < 0 || cOff + (long) (m - 1) * ldc + n > c.length) {
      throw new IllegalArgumentException("C (" + m + " x " + n + ", offset " + cOff + ", ldc "
          + ldc + ") does not fit in float[" + c.length + "] with ldc >= n");
    }
  }

  private static void checkPacked(int m, int n, int k, PackSource a, float[] b, int bOff,
      PanelLayout layout, float[] c, int cOff, int ldc, ExecContext ctx) {
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(layout, "layout");
    checkCall(m, n, k, a, (row0, rows, k0, kc, width, dst, off) -> { }, c, cOff, ldc, ctx);
    if (m == 0 || n == 0 || k == 0) {
      return;
    }
    if (!layout.equals(panelLayout(n, k, ctx))) {
      throw new IllegalArgumentException("B was packed as " + layout + ", this call needs "
          + panelLayout(n, k, ctx));
    }
    if (bOff < 0 || bOff + layout.floats() > b.length) {
      throw new IllegalArgumentException("packed B (" + layout.floats() + " floats from "
          + bOff + ") does not fit in float[" + b.length + "]");
    }
  }

  private static void checkViews(int m, int n, int k, StridedMatrix a, StridedMatrix b) {
    checkView("A", Objects.requireNonNull(a, "a"), m, k);
    checkView("B", Objects.requireNonNull(b, "b"), k, n);
  }

  /** Every element of the {@code rows x cols} view lies inside its array (strides may be < 0). */
  private static void checkView(String name, StridedMatrix v, int rows, int cols) {
    if (rows <= 0 || cols <= 0) {
      return;
    }
    long dr = (long) (rows - 1) * v.rowStride();
    long dc = (long) (cols - 1) * v.colStride();
    long lo = v.offset() + Math.min(0, dr) + Math.min(0, dc);
    long hi = v.offset() + Math.max(0, dr) + Math.max(0, dc);
    if (lo < 0 || hi >= v.data().length) {
      throw new IllegalArgumentException(name + " (" + rows + " x " + cols + ", " + v
          + ") reaches outside float[" + v.data().length + "]");
    }
  }
}
