package org.vconv.algo;

import java.util.Arrays;
import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.GemmKernels;

/**
 * Implicit GEMM for NCHW batches of small images whose micro-tile rows are images: {@code mr}
 * images at one output pixel, times {@code nr} filters ({@link GemmKernels#multiplyTile}). Per
 * block of {@code mr} images and group, the input is copied into a slab of channel blocks
 * (at most {@link #DEPTH_BLOCK} channels) with the images innermost and the block's channels
 * next, {@code slab[(((c/D)*H*W + ih*W + iw)*D + c%D)*mr + i]} for blocks of D channels, so
 * one tap's block of channels at one pixel is a packed A micro-panel, read in place; and the
 * weights are packed tap-major (depth {@code (r*S + s)*C/G + c}), so one tap's channels are
 * one run of B. Taps that fall in the padding are skipped, whole: no product with padding is
 * computed (ResNet-50's 7x7 layer: 18% of im2col's products are zeros) and, when the batch is
 * a multiple of {@code mr}, no lane or column of a micro-tile is padding either (im2col's 392
 * columns fill 13 panels of 32 to 94%). Any stride, padding and dilation; the facade's
 * {@link PaddingSemantics} restores PyTorch's NaN where a non-finite weight meets padding.
 *
 * <p>The input gradient is computed the same way, as a gather rather than col2im's scatter:
 * its micro-tile rows are {@code mr} images at one input pixel, its slab holds {@code dy}, and
 * tap (r, s) of input pixel (ih, iw) reads output pixel {@code ((ih + padTop - r*dilH) /
 * strideH, ...)} where that divides exactly and lies inside: exactly col2im's products, so a
 * stride-2 pixel sums a quarter of the taps and non-finite weights need no care. It has no
 * weight gradient; the planner gives it only passes whose scratch fits ({@link #runs}).
 *
 * <p>Each output sums its valid taps in (r, s) order and each tap's channels in fixed blocks
 * of at most {@link #DEPTH_BLOCK}, so it is bitwise independent of the thread count. Jobs are
 * (panel of output channels, block of at most {@link #PIXEL_BLOCK} pixels), tasks runs of
 * jobs. Scratch within the budget: the slab and one block of micro-tiles per task; outside it,
 * the packed weights (one weight's size, as in {@link ImplicitGemm}) and, per thread while it
 * packs, one panel's filters.
 */
public final class ImageBlockedGemm implements ConvAlgorithm {
  /**
   * Channels of one tap per micro-kernel call: a 256 x 32 slice of a weight panel (32 KiB)
   * stays in L1 while it sweeps over the pixels. Fixed, so it changes no result.
   */
  static final int DEPTH_BLOCK = 256;

  /** Source channels per block when packing: a block's rows stay in L1 across its taps. */
  private static final int PACK_BLOCK = 16;

  /** Floats between a packing scratch row's end and the next row's start: a cache line. */
  private static final int ROW_PAD = 16;

  /**
   * Output pixels per job at most: a job's micro-tiles ({@code 128 x 8 x 32} floats, 128 KiB)
   * stay in L2 while every tap adds to them. Fixed blocks change no result.
   */
  static final int PIXEL_BLOCK = 128;

  /** Tasks per thread, so a thread slowed by a neighbour is caught up on. */
  private static final int TASKS_PER_THREAD = 4;

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert Outputs.sized(g, x, w, y) && (bias == null || bias.length == g.k()) : "sizes";
    Roles roles = new Roles(g, false);
    assert runs(roles, ctx) : "planned elsewhere";
    run(roles, x, w, bias, y, ctx);
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert Outputs.sized(g, dx, w, dy) : "sizes";
    Roles roles = new Roles(g, true);
    assert runs(roles, ctx) : "planned elsewhere";
    run(roles, dy, w, null, dx, ctx);
  }

  /** None: the planner never gives this algorithm a weight gradient. */
  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    throw new UnsupportedOperationException("image-blocked-gemm has no weight gradient");
  }

  /**
   * A pass as a gather: its outputs ({@code y}, or {@code dx} for the input gradient) by
   * channel and pixel, read from a source ({@code x}, or {@code dy}) through the taps.
   */
  record Roles(ConvGeometry g, boolean inputGradient) {

    /** Output channels per group: the micro-tile columns. */
    int outChannels() {
      return inputGradient ? g.cg() : g.kg();
    }

    /** Source channels per group: the reduction of one tap. */
    int srcChannels() {
      return inputGradient ? g.kg() : g.cg();
    }

    int outPixels() {
      return inputGradient ? g.hw() : g.pq();
    }

    int outWidth() {
      return inputGradient ? g.w() : g.q();
    }

    int srcHeight() {
      return inputGradient ? g.p() : g.h();
    }

    int srcWidth() {
      return inputGradient ? g.q() : g.w();
    }

    /** Index of channel {@code ch} (of all groups) of image {@code n} in the source. */
    int srcIndex(int n, int ch) {
      return inputGradient ? g.yIndex(n, ch, 0, 0) : g.xIndex(n, ch, 0, 0);
    }

    /** Index of channel {@code ch} (of all groups) of image {@code n} in the output. */
    int outIndex(int n, int ch) {
      return inputGradient ? g.xIndex(n, ch, 0, 0) : g.yIndex(n, ch, 0, 0);
    }

    /** The source row that kernel row {@code r} of output row {@code o} reads, or -1. */
    int srcRow(int o, int r) {
      return source(o, r, g.strideH(), g.padTop(), g.dilH(), srcHeight());
    }

    /** The source column that kernel column {@code s} of output column {@code o} reads, or -1. */
    int srcCol(int o, int s) {
      return source(o, s, g.strideW(), g.padLeft(), g.dilW(), srcWidth());
    }

    private int source(int o, int tap, int stride, int pad, int dil, int extent) {
      int at;
      if (inputGradient) { // y[p] reads x[p*stride - pad + tap*dil]: invert for x's index o
        int t = o + pad - tap * dil;
        if (t < 0 || t % stride != 0) {
          return -1;
        }
        at = t / stride;
      } else {
        at = o * stride - pad + tap * dil;
      }
      return at >= 0 && at < extent ? at : -1;
    }
  }

  /** Whether {@code g}'s forward, or input gradient, runs here: see the other {@link #runs}. */
  public static boolean runs(ConvGeometry g, boolean inputGradient, ExecContext ctx) {
    return runs(new Roles(g, inputGradient), ctx);
  }

  /** Whether the pass runs here: NCHW, not 1x1, scratch within the budget. */
  static boolean runs(Roles roles, ExecContext ctx) {
    ConvGeometry g = roles.g();
    if (g.layout() != Layout.NCHW || g.isPointwise()) {
      return false;
    }
    GemmKernels kernels = ctx.kernels().gemm();
    int tasks = tasks(roles, kernels.nr(), ctx);
    return scratchFloats(roles, kernels.mr(), kernels.nr(), tasks) <= ctx.workspaceFloats();
  }

  /** Jobs: panels of output channels x blocks of pixels; tasks: runs of jobs. */
  private static int tasks(Roles roles, int nr, ExecContext ctx) {
    long jobs = (long) Math.ceilDiv(roles.outChannels(), nr) * pixelBlocks(roles);
    return (int) Math.min(jobs, TASKS_PER_THREAD * ctx.threads());
  }

  private static int pixelBlocks(Roles roles) {
    return Math.ceilDiv(roles.outPixels(), PIXEL_BLOCK);
  }

  /** Pixels per block (the last may have fewer): balanced, fixed by the geometry alone. */
  private static int blockPixels(Roles roles) {
    return Math.ceilDiv(roles.outPixels(), pixelBlocks(roles));
  }

  /** The slab, then one block of micro-tiles per task. */
  private static long scratchFloats(Roles roles, int mr, int nr, int tasks) {
    return slabFloats(roles, mr) + (long) tasks * blockPixels(roles) * mr * nr;
  }

  /** Channels per depth block: at most {@link #DEPTH_BLOCK}, balanced, fixed by the shape. */
  private static int depthBlock(Roles roles) {
    int depth = roles.srcChannels();
    return Math.ceilDiv(depth, Math.ceilDiv(depth, DEPTH_BLOCK));
  }

  /** Whole depth blocks (the last one's unused channels are never read). */
  private static long slabFloats(Roles roles, int mr) {
    int kcMax = depthBlock(roles);
    long channels = (long) Math.ceilDiv(roles.srcChannels(), kcMax) * kcMax;
    return channels * roles.srcHeight() * roles.srcWidth() * mr;
  }

  /** The pass of {@code roles} from {@code src} into {@code out}, bias added if not null. */
  private static void run(Roles roles, float[] src, float[] w, float[] bias, float[] out,
      ExecContext ctx) {
    ConvGeometry g = roles.g();
    GemmKernels kernels = ctx.kernels().gemm();
    int mr = kernels.mr();
    int nr = kernels.nr();
    int outChannels = roles.outChannels();
    int panels = Math.ceilDiv(outChannels, nr);
    int panelFloats = nr * roles.srcChannels() * g.r() * g.s(); // a row per tap, channel
    int tasks = tasks(roles, nr, ctx);
    int slabFloats = Math.toIntExact(slabFloats(roles, mr));
    int blockPixels = blockPixels(roles);
    int pixelBlocks = pixelBlocks(roles);
    int jobs = panels * pixelBlocks; // panel-major: a task's jobs share a panel
    int tileFloats = blockPixels * mr * nr;
    int kcMax = depthBlock(roles);
    int packedFloats = g.groups() * panels * panelFloats;
    int bufFloats = Math.toIntExact(scratchFloats(roles, mr, nr, tasks));
    try (ScratchPool.Lease lease = ScratchPool.lease(packedFloats);
        Workspace ws = Workspace.reusing(1, bufFloats)) {
      float[] packed = lease.array();
      ArrayKernels arrays = ctx.kernels().arrays();
      ctx.parallelFor(g.groups() * panels, t -> packPanel(roles, w, t / panels, t % panels, nr,
          packed, t * panelFloats, arrays));
      float[] buf = ws.take();
      for (int n0 = 0; n0 < g.n(); n0 += mr) {
        int images = Math.min(mr, g.n() - n0);
        for (int grp = 0; grp < g.groups(); grp++) {
          int grp0 = grp;
          int block0 = n0;
          fillSlab(roles, src, grp, n0, images, mr, buf, ctx);
          ctx.parallelFor(tasks, task -> {
            int tOff = slabFloats + task * tileFloats;
            boolean[] summed = new boolean[blockPixels];
            for (int job = jobs * task / tasks; job < jobs * (task + 1) / tasks; job++) {
              int panel = job / pixelBlocks;
              int px0 = job % pixelBlocks * blockPixels;
              int px1 = Math.min(roles.outPixels(), px0 + blockPixels);
              int bOff = (grp0 * panels + panel) * panelFloats;
              sumTaps(roles, kernels, kcMax, buf, packed, bOff, px0, px1, tOff, summed);
              int f0 = panel * nr;
              store(roles, buf, tOff, mr, nr, summed, px0, px1, block0, images,
                  grp0 * outChannels + f0, Math.min(nr, outChannels - f0), bias, out);
            }
          });
        }
      }
    }
  }

  /**
   * One panel's micro-tiles for output pixels {@code [px0, px1)}, pixel {@code px0 + i} at
   * {@code buf[tOff + i*mr*nr]}: each valid tap's source channels in blocks of {@code kcMax},
   * the first overwriting the tile, the rest adding to it. {@code summed[i]}: whether any tap
   * was valid (else the tile is stale).
   */
  private static void sumTaps(Roles roles, GemmKernels kernels, int kcMax, float[] buf,
      float[] packed, int bOff, int px0, int px1, int tOff, boolean[] summed) {
    ConvGeometry g = roles.g();
    int mr = kernels.mr();
    int nr = kernels.nr();
    int depth = roles.srcChannels();
    int width = roles.outWidth();
    int srcH = roles.srcHeight();
    int srcW = roles.srcWidth();
    Arrays.fill(summed, false);
    for (int r = 0; r < g.r(); r++) {
      for (int s = 0; s < g.s(); s++) {
        int tap = r * g.s() + s;
        for (int c0 = 0; c0 < depth; c0 += kcMax) {
          int kc = Math.min(kcMax, depth - c0);
          int b = bOff + (tap * depth + c0) * nr;
          for (int pixel = px0; pixel < px1; pixel++) {
            int row = roles.srcRow(pixel / width, r);
            int col = roles.srcCol(pixel % width, s);
            if (row < 0 || col < 0) {
              continue; // no product: padding, or a stride step the tap skips
            }
            int i = pixel - px0;
            int a = ((c0 / kcMax * srcH + row) * srcW + col) * kcMax * mr;
            if (summed[i]) {
              kernels.multiplyAddTile(kc, buf, a, packed, b, buf, tOff + i * mr * nr, nr);
            } else {
              kernels.multiplyTile(kc, buf, a, packed, b, buf, tOff + i * mr * nr, nr);
            }
            summed[i] = true;
          }
        }
      }
    }
  }

  /**
   * Pixels {@code [px0, px1)} of output channels {@code [f0, f0 + live)} (of all groups) of
   * images {@code [n0, n0 + images)}, from the micro-tiles at
   * {@code t[tOff + (pixel-px0)*mr*nr + image*nr + channel]}, with the bias added; a pixel no
   * tap reached gets the bias alone (or zero).
   */
  private static void store(Roles roles, float[] t, int tOff, int mr, int nr,
      boolean[] summed, int px0, int px1, int n0, int images, int f0, int live, float[] bias,
      float[] out) {
    for (int i = 0; i < images; i++) {
      for (int j = 0; j < live; j++) {
        float b = bias == null ? -0f : bias[f0 + j]; // v + -0 == v for every v, -0 included
        int dst = roles.outIndex(n0 + i, f0 + j);
        for (int px = px0, at = tOff + i * nr + j; px < px1; px++, at += mr * nr) {
          out[dst + px] = (summed[px - px0] ? t[at] : 0f) + b;
        }
      }
    }
  }

  /**
   * Copies images {@code [n0, n0 + images)} of group {@code grp} of the source into the slab
   * (layout: the class comment), lane i of {@code mr} holding image {@code n0 + i}; lanes past
   * the batch are zeros. Per channel, pixel by pixel: each step writes one run of {@code mr}
   * lanes, reading one float of each image's plane in address order.
   */
  private static void fillSlab(Roles roles, float[] src, int grp, int n0, int images, int mr,
      float[] slab, ExecContext ctx) {
    int depth = roles.srcChannels();
    int kcMax = depthBlock(roles);
    int hw = roles.srcHeight() * roles.srcWidth();
    int pitch = kcMax * mr; // between a channel's runs at adjacent pixels
    int chunks = Math.min(depth, TASKS_PER_THREAD * ctx.threads());
    ctx.parallelFor(chunks, part -> {
      int[] from = new int[images];
      for (int c = depth * part / chunks; c < depth * (part + 1) / chunks; c++) {
        for (int i = 0; i < images; i++) {
          from[i] = roles.srcIndex(n0 + i, grp * depth + c);
        }
        int at = (c / kcMax * hw * kcMax + c % kcMax) * mr;
        for (int e = 0; e < hw; e++, at += pitch) {
          for (int i = 0; i < images; i++) {
            slab[at + i] = src[from[i] + e];
          }
          for (int i = images; i < mr; i++) {
            slab[at + i] = 0f;
          }
        }
      }
    });
  }

  /**
   * Packs output channels {@code [panel*nr, panel*nr + nr)} of group {@code grp} tap-major:
   * {@code dst[off + (tap*D + d)*nr + j]} is the weight from source channel d to output channel
   * {@code panel*nr + j} at that tap (D source channels per group), zeros past the last output
   * channel: {@code w[grp*K/G + j'][d][tap]} for the forward, {@code w[grp*K/G + d][j'][tap]}
   * for the input gradient.
   *
   * <p>The runs of {@code w} are first copied, in address order, into rows of a scratch whose
   * pitch is a cache line longer than a run, so that the rows do not share L1 sets (an OIHW
   * filter of 512 channels is 18 KiB: 4 KiB aliasing); then each tap of a block of
   * {@link #PACK_BLOCK} source channels is one {@link ArrayKernels#transpose} (lane gathers on
   * the SIMD provider). The forward copies the panel's whole filters, one run each, where
   * copying a block's short runs (576 bytes, 18 KiB apart) kept the prefetchers from streaming.
   */
  private static void packPanel(Roles roles, float[] w, int grp, int panel, int nr,
      float[] dst, int off, ArrayKernels arrays) {
    ConvGeometry g = roles.g();
    int depth = roles.srcChannels();
    int rs = g.r() * g.s();
    int live = Math.min(nr, roles.outChannels() - panel * nr);
    if (live < nr) {
      for (int d = 0; d < depth * rs; d++) {
        Arrays.fill(dst, off + d * nr + live, off + d * nr + nr, 0f);
      }
    }
    int kg = g.kg();
    int cg = g.cg();
    if (!roles.inputGradient()) { // filter j: one run, w[grp*K/G + panel*nr + j][*][*]
      int run = depth * rs;
      int pitch = run + ROW_PAD;
      try (ScratchPool.Lease lease = ScratchPool.lease(live * pitch)) {
        float[] rows = lease.array();
        for (int j = 0; j < live; j++) {
          System.arraycopy(w, ((grp * kg + panel * nr + j) * cg) * rs, rows, j * pitch, run);
        }
        for (int d0 = 0; d0 < depth; d0 += PACK_BLOCK) {
          int blk = Math.min(PACK_BLOCK, depth - d0);
          for (int tap = 0; tap < rs; tap++) { // rows[j*pitch + d*rs + tap], d in the block
            arrays.transpose(rows, d0 * rs + tap, pitch, rs, live, blk, dst,
                off + (tap * depth + d0) * nr, nr);
          }
        }
      }
    } else { // source channel d: one run, w[grp*K/G + d][panel*nr + j][*] for j < live
      int run = live * rs;
      int pitch = run + ROW_PAD;
      try (ScratchPool.Lease lease = ScratchPool.lease(PACK_BLOCK * pitch)) {
        float[] rows = lease.array();
        for (int d0 = 0; d0 < depth; d0 += PACK_BLOCK) {
          int blk = Math.min(PACK_BLOCK, depth - d0);
          for (int dd = 0; dd < blk; dd++) {
            System.arraycopy(w, ((grp * kg + d0 + dd) * cg + panel * nr) * rs, rows,
                dd * pitch, run);
          }
          for (int tap = 0; tap < rs; tap++) { // rows[dd*pitch + j*rs + tap]
            arrays.transpose(rows, tap, rs, pitch, live, blk, dst,
                off + (tap * depth + d0) * nr, nr);
          }
        }
      }
    }
  }
}
