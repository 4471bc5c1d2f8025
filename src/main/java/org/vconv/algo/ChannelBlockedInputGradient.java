package org.vconv.algo;

import static org.vconv.gemm.StridedMatrix.rowMajor;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.vconv.gemm.RowBlockGemm;
import org.vconv.im2col.Col2im;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.GemmKernels;

/**
 * {@link Im2colGemm}'s NCHW input gradient with col2im fused in: {@code dcols = W_g^T x dy_g}
 * is computed a block of whole input channels at a time ({@link RowBlockGemm}) and each block
 * is scattered into {@code dx} while it is in L2. The whole matrix went out to L3 and came
 * back for col2im: on ResNet-50's stride-2 3x3 layer 3.6 MB per image. The weights are
 * packed once per call, not once per image. Each {@code dcols} element and each {@code dx}
 * element's order of adds are those of the unfused path (same GEMM sums, channels scattered
 * independently), so the bits are too.
 */
final class ChannelBlockedInputGradient {
  /** Rows of {@code dcols} per block, about: a block's C ({@code rows x T}) stays in L2. */
  private static final int TARGET_ROWS = 64;

  private final ConvGeometry g;
  private final GemmKernels kernels;
  private final int rowBlock;
  private final long weightFloats;

  private ChannelBlockedInputGradient(ConvGeometry g, GemmKernels kernels, int rowBlock) {
    this.g = g;
    this.kernels = kernels;
    this.rowBlock = rowBlock;
    this.weightFloats = RowBlockGemm.packedAFloats(g.crs(), g.kg(), kernels);
  }

  /**
   * The fused pass for {@code g}, or null when its buffer ({@link RowBlockGemm#bufferFloats})
   * would not fit in the column tile {@code plan} budgets for: then the unfused path runs.
   */
  static ChannelBlockedInputGradient of(ConvGeometry g, TilePlan plan, GemmKernels kernels) {
    int rows = blockRows(g, kernels);
    long t = (long) plan.rowsPerTile() * g.q();
    long need = RowBlockGemm.bufferFloats(g.crs(), (int) t, g.kg(), rows, kernels);
    return need <= plan.tileFloats() ? new ChannelBlockedInputGradient(g, kernels, rows) : null;
  }

  /**
   * The fused pass over tiles that span images ({@link #spanningTile}), or null when the
   * staged {@code dy}, its packing and one block do not fit in {@code plan}'s tile buffer.
   */
  static ChannelBlockedInputGradient spanning(ConvGeometry g, TilePlan plan,
      GemmKernels kernels) {
    ChannelBlockedInputGradient f = new ChannelBlockedInputGradient(g, kernels,
        blockRows(g, kernels));
    return plan.spansImages() && f.slots(plan) >= 1 ? f : null;
  }

  /** Rows of a block: whole channels, whole MR panels, about {@link #TARGET_ROWS}. */
  private static int blockRows(ConvGeometry g, GemmKernels kernels) {
    int rs = g.r() * g.s();
    int mr = kernels.mr();
    int unit = mr / gcd(rs, mr); // channels per block come in units of whole MR panels
    int channels = unit * Math.max(1, TARGET_ROWS / (unit * rs));
    return channels >= g.cg() ? Math.ceilDiv(g.crs(), mr) * mr : channels * rs;
  }

  /** Block buffers a spanning tile's buffer holds after the staged and packed {@code dy}. */
  private long slots(TilePlan plan) {
    long t = (long) plan.rowsPerTile() * g.q();
    long fixed = g.kg() * t + RowBlockGemm.packedBFloats((int) t, g.kg(), kernels);
    return (plan.tileFloats() - fixed) / ((long) Math.min(rowBlock, g.crs()) * t);
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /** Floats of the packed weights, all groups: {@link #packWeights}'s {@code dst}. */
  long weightFloats() {
    return weightFloats * g.groups();
  }

  /** Packs {@code W_g^T} of every group into {@code dst}, in parallel blocks of rows. */
  void packWeights(float[] w, float[] dst, ExecContext ctx) {
    int crs = g.crs();
    int kg = g.kg();
    int chunk = Math.max(kernels.mr(), 256 / kernels.mr() * kernels.mr());
    int chunks = Math.ceilDiv(crs, chunk);
    ctx.parallelFor(g.groups() * chunks, t -> {
      int grp = t / chunks;
      int row0 = t % chunks * chunk;
      RowBlockGemm.packA(crs, kg, rowMajor(w, grp * kg * crs, crs).transpose(), row0,
          Math.min(chunk, crs - row0), kernels, dst, (int) (grp * weightFloats));
    });
  }

  /**
   * {@code dx += col2im(W_g^T x dy_g)} over the global output rows {@code [row0, row1)}, which
   * may span images (small images: one tile's GEMM is then wide enough to fill the
   * micro-panels, where 49 pixels filled 49 of 64 columns). {@code dy}'s rows are staged and
   * packed once; the blocks of channels then run in parallel on {@code ctx}, each scattering
   * into its own channels' planes, so the bits do not depend on the threads. {@code buf} is
   * the tile buffer of {@code plan} (see {@link #spanning}).
   */
  void spanningTile(float[] dy, float[] packedW, float[] dx, int grp, int row0, int row1,
      TilePlan plan, float[] buf, ExecContext ctx) {
    int t = (row1 - row0) * g.q();
    int kg = g.kg();
    int crs = g.crs();
    int rs = g.r() * g.s();
    int bAt = kg * t;
    int cAt = Math.toIntExact(bAt + RowBlockGemm.packedBFloats(t, kg, kernels));
    int cFloats = Math.min(rowBlock, crs) * t;
    Im2colGemm.copyTileRows(g, grp, row0, row1, buf, 0, dy, true); // [K/G, T]
    RowBlockGemm.packB(t, kg, rowMajor(buf, 0, t).transpose(), buf, bAt, kernels);
    int blocks = Math.ceilDiv(crs, rowBlock);
    int workers = (int) Math.min(ctx.workersFor(blocks), slots(plan));
    ConcurrentLinkedQueue<Integer> free = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < workers; i++) {
      free.add(cAt + i * cFloats);
    }
    ArrayKernels arrays = ctx.kernels().arrays();
    new ExecContext(workers, ctx.workspaceBytes(), ctx.kernels()).parallelFor(blocks, b -> {
      Integer cOff = free.poll(); // one per running task: never null
      int i0 = b * rowBlock;
      int i1 = Math.min(crs, i0 + rowBlock);
      RowBlockGemm.multiplyRows(crs, t, kg, packedW, (int) (grp * weightFloats), buf, bAt, i0,
          i1, buf, cOff, new float[kernels.mr() * kernels.nr()], kernels);
      Col2im.scatterAddChannels(g, buf, cOff, grp, row0, row1, i0 / rs, i1 / rs, dx, arrays);
      free.add(cOff);
    });
  }

  /**
   * {@code dx += col2im(W_g^T x dy_g)} over the global output rows {@code [row0, row1)} of one
   * image; {@code buf} holds the tile's column matrix budget. With {@code zeroFirst} (the
   * image's first tile), each block's channels of {@code dx} are zeroed just before its
   * scatter: then they are still in cache for it, where zeroing the whole image first left
   * them in L3 (1.6 MB per image on ResNet-50's stride-2 3x3 layer).
   */
  void tile(float[] dy, float[] packedW, float[] dx, int grp, int row0, int row1,
      boolean zeroFirst, float[] buf, ArrayKernels arrays) {
    int n = row0 / g.p();
    int t = (row1 - row0) * g.q();
    int rs = g.r() * g.s();
    var dyg = rowMajor(dy, g.yIndex(n, grp * g.kg(), row0 - n * g.p(), 0), g.pq()); // [K/G, T]
    RowBlockGemm.multiply(g.crs(), t, g.kg(), packedW, (int) (grp * weightFloats),
        dyg.transpose(), rowBlock, buf, 0, (i0, i1, c, cOff) -> {
          int c0 = i0 / rs; // blocks are whole channels
          int c1 = i1 / rs;
          if (zeroFirst) {
            int at = g.xIndex(n, grp * g.cg() + c0, 0, 0);
            Arrays.fill(dx, at, at + (c1 - c0) * g.hw(), 0f);
          }
          Col2im.scatterAddChannels(g, c, cOff, grp, row0, row1, c0, c1, dx, arrays);
        }, kernels);
  }
}
