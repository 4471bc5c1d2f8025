package org.vconv.algo;

import java.util.Arrays;
import org.vconv.Layout;
import org.vconv.im2col.PaddedWindows;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.GemmKernels;

/**
 * Implicit GEMM for NCHW batches of small images whose micro-tile rows are images: {@code mr}
 * images at one output pixel, times {@code nr} filters ({@link GemmKernels#windowTile}). Per
 * block of {@code mr} images and group, the input is copied into a slab with the images
 * innermost, {@code slab[((c*H + ih)*W + iw)*mr + i]}, so one input channel of one tap is a
 * run of {@code mr} floats, and the weights are packed tap-major (depth
 * {@code (r*S + s)*C/G + c}), so one tap's channels are one run of B. Taps that fall in the
 * padding are skipped, whole: no product with padding is computed (ResNet-50's 7x7 layer:
 * 18% of im2col's products are zeros) and, when the batch is a multiple of {@code mr}, no
 * lane or column of a micro-tile is padding either (im2col's 392 columns fill 13 panels of
 * 32 to 94%). Any stride, padding and dilation; the facade's {@link PaddingSemantics} restores
 * PyTorch's NaN where a non-finite weight meets padding.
 *
 * <p>The input gradient of a stride-1 convolution is the same forward on {@code dy} with the
 * weights flipped and their channel axes swapped ({@link ImplicitGemm#transposed}); since
 * padded taps are skipped, that computes exactly col2im's products, non-finite weights
 * included. The weight gradient runs as {@link Im2colGemm}.
 *
 * <p>Each output sums its valid taps in (r, s) order and each tap's channels in fixed blocks
 * of at most {@link #DEPTH_BLOCK}, so it is bitwise independent of the thread count. Jobs are
 * (filter panel, block of at most {@link #PIXEL_BLOCK} pixels), tasks runs of jobs. Scratch
 * within the budget: the slab and one block of micro-tiles per task; outside it, the packed
 * weights (one weight's size, as in {@link ImplicitGemm}).
 */
public final class ImageBlockedGemm implements ConvAlgorithm {
  private static final ConvAlgorithm FALLBACK = new Im2colGemm();

  /**
   * Channels of one tap per micro-kernel call: a 256 x 32 slice of a weight panel (32 KiB)
   * stays in L1 while it sweeps over the pixels. Fixed, so it changes no result.
   */
  static final int DEPTH_BLOCK = 256;

  /** Channels per block when packing: a few cache lines per tap's row of a panel. */
  private static final int PACK_BLOCK = 16;

  /**
   * Output pixels per job at most: a job's micro-tiles ({@code 128 x 8 x 32} floats, 128 KiB)
   * stay in L2 while every tap adds to them. Fixed blocks change no result.
   */
  static final int PIXEL_BLOCK = 128;

  /** Tasks per thread, so a thread slowed by a neighbour is caught up on. */
  private static final int TASKS_PER_THREAD = 4;

  /** Input pixels per plane at most for AUTO: the slab of a channel block stays in L2. */
  static final int MAX_INPUT_PIXELS = 1024;

  /**
   * Whether AUTO should take {@code pass} of {@code g} here: NCHW at stride 1 (the input
   * gradient: its transpose) in batches of a multiple of 8 (the AVX-512 kernels' {@code mr};
   * others leave lanes of the last block empty), planes of at most {@link #MAX_INPUT_PIXELS}
   * input pixels, where {@link ImplicitGemm}'s padded rows would waste more than a tenth of
   * its columns (im2col's forward of a 7x7 image also wastes a twelfth: 392 columns fill 13
   * panels of 32 to 94%). Measured, JMH-style medians, 2 threads, Zen 4, against AUTO before:
   * ResNet-50's 7x7x512 layer forward 9.0-9.2 ms against 12.9-13.5, input gradient 8.4-8.6
   * against 11.9-12.4; 14x14x256 8.4-8.8 against 10.7 and 8.4 against 10.8-10.9; the dilated
   * 28x28x256 layer 34-35 against 41 both; LeNet's 28x28 5x5 layer 30 against 32 and 25-28
   * against 30. Slower: the 28x28x128 layer (7% waste in ImplicitGemm: 10.6 against 10.0),
   * 56x56 (11.4 against 10.4) and the stride-2 forward (13.0 against 11.0). The weight
   * gradient stays on im2col.
   */
  public static boolean preferred(ConvGeometry g, ConvAlgorithms.Pass pass) {
    boolean batches = g.layout() == Layout.NCHW && !g.isPointwise() && g.n() % 8 == 0;
    return batches && switch (pass) {
      case FORWARD -> smallPaddedPlanes(g);
      case BACKWARD_DATA -> transposed(g) != null && smallPaddedPlanes(transposed(g));
      case BACKWARD_WEIGHT -> false;
    };
  }

  private static boolean smallPaddedPlanes(ConvGeometry g) {
    boolean unitStride = g.strideH() == 1 && g.strideW() == 1;
    return unitStride && g.hw() <= MAX_INPUT_PIXELS
        && PaddedWindows.rowPitch(g) * 10 > g.q() * 11;
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert Outputs.sized(g, x, w, y) && (bias == null || bias.length == g.k()) : "sizes";
    if (!runs(g, ctx)) {
      FALLBACK.forward(g, x, w, bias, y, ctx);
      return;
    }
    run(g, x, w, false, bias, y, ctx);
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert Outputs.sized(g, dx, w, dy) : "sizes";
    ConvGeometry t = transposed(g);
    if (t == null || !runs(t, ctx)) {
      FALLBACK.backwardData(g, dy, w, dx, ctx);
      return;
    }
    run(t, dy, w, true, null, dx, ctx);
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    FALLBACK.backwardWeight(g, dy, x, dw, ctx);
  }

  /** The stride-1 NCHW convolution whose forward is {@code g}'s input gradient, or null. */
  private static ConvGeometry transposed(ConvGeometry g) {
    boolean unitStride = g.strideH() == 1 && g.strideW() == 1;
    return g.layout() == Layout.NCHW && unitStride && !g.isPointwise()
        ? ImplicitGemm.transposed(g) : null;
  }

  /** Whether {@code g}'s forward runs here: NCHW, not 1x1, scratch within the budget. */
  static boolean runs(ConvGeometry g, ExecContext ctx) {
    if (g.layout() != Layout.NCHW || g.isPointwise()) {
      return false;
    }
    GemmKernels kernels = ctx.kernels().gemm();
    int tasks = tasks(g, kernels.nr(), ctx);
    return scratchFloats(g, kernels.mr(), kernels.nr(), tasks) <= ctx.workspaceFloats();
  }

  /** Jobs: filter panels x blocks of pixels; tasks: runs of jobs. */
  private static int tasks(ConvGeometry g, int nr, ExecContext ctx) {
    long jobs = (long) Math.ceilDiv(g.kg(), nr) * pixelBlocks(g);
    return (int) Math.min(jobs, TASKS_PER_THREAD * ctx.threads());
  }

  private static int pixelBlocks(ConvGeometry g) {
    return Math.ceilDiv(g.pq(), PIXEL_BLOCK);
  }

  /** Pixels per block (the last may have fewer): balanced, fixed by the geometry alone. */
  private static int blockPixels(ConvGeometry g) {
    return Math.ceilDiv(g.pq(), pixelBlocks(g));
  }

  /** The slab, then one block of micro-tiles per task. */
  private static long scratchFloats(ConvGeometry g, int mr, int nr, int tasks) {
    return slabFloats(g, mr) + (long) tasks * blockPixels(g) * mr * nr;
  }

  private static long slabFloats(ConvGeometry g, int mr) {
    return (long) g.cg() * g.hw() * mr;
  }

  /**
   * The forward of {@code g} from {@code src} into {@code out}; {@code flipped}: {@code w}
   * holds the weights of the convolution {@code g} is the transpose of.
   */
  private static void run(ConvGeometry g, float[] src, float[] w, boolean flipped,
      float[] bias, float[] out, ExecContext ctx) {
    GemmKernels kernels = ctx.kernels().gemm();
    int mr = kernels.mr();
    int nr = kernels.nr();
    int panels = Math.ceilDiv(g.kg(), nr);
    int panelFloats = nr * g.crs();
    int tasks = tasks(g, nr, ctx);
    int slabFloats = Math.toIntExact(slabFloats(g, mr));
    int blockPixels = blockPixels(g);
    int pixelBlocks = pixelBlocks(g);
    int jobs = panels * pixelBlocks; // panel-major: a task's jobs share a panel
    int tileFloats = blockPixels * mr * nr;
    int cBlocks = Math.ceilDiv(g.cg(), DEPTH_BLOCK);
    int kcMax = Math.ceilDiv(g.cg(), cBlocks); // balanced, fixed by the geometry alone
    int[] delta = new int[kcMax]; // channel c of a tap: c planes of the slab further on
    for (int c = 0; c < kcMax; c++) {
      delta[c] = c * g.hw() * mr;
    }
    int packedFloats = g.groups() * panels * panelFloats;
    int bufFloats = Math.toIntExact(scratchFloats(g, mr, nr, tasks));
    try (ReusedArrays.Lease lease = ReusedArrays.lease(ReusedArrays.Slot.WEIGHTS, packedFloats);
        Workspace ws = Workspace.reusing(1, bufFloats)) {
      float[] packed = lease.array();
      ctx.parallelFor(g.groups() * panels, t -> packPanel(g, w, flipped, t / panels,
          t % panels, nr, packed, t * panelFloats));
      float[] buf = ws.take();
      for (int n0 = 0; n0 < g.n(); n0 += mr) {
        int images = Math.min(mr, g.n() - n0);
        for (int grp = 0; grp < g.groups(); grp++) {
          int grp0 = grp;
          int block0 = n0;
          fillSlab(g, src, grp, n0, images, mr, buf, ctx);
          ctx.parallelFor(tasks, task -> {
            int tOff = slabFloats + task * tileFloats;
            boolean[] summed = new boolean[blockPixels];
            for (int job = jobs * task / tasks; job < jobs * (task + 1) / tasks; job++) {
              int panel = job / pixelBlocks;
              int px0 = job % pixelBlocks * blockPixels;
              int px1 = Math.min(g.pq(), px0 + blockPixels);
              int bOff = (grp0 * panels + panel) * panelFloats;
              sumTaps(g, kernels, kcMax, buf, delta, packed, bOff, px0, px1, tOff, summed);
              int f0 = panel * nr;
              store(g, buf, tOff, mr, nr, summed, px0, px1, block0, images, grp0 * g.kg() + f0,
                  Math.min(nr, g.kg() - f0), bias, out);
            }
          });
        }
      }
    }
  }

  /**
   * One filter panel's micro-tiles for pixels {@code [px0, px1)}, pixel {@code px0 + i} at
   * {@code buf[tOff + i*mr*nr]}: each valid tap's channels in blocks of {@code kcMax}, the first
   * overwriting the tile, the rest adding to it. {@code summed[i]}: whether any tap was valid
   * (else the tile is stale).
   */
  private static void sumTaps(ConvGeometry g, GemmKernels kernels, int kcMax, float[] buf,
      int[] delta, float[] packed, int bOff, int px0, int px1, int tOff, boolean[] summed) {
    int mr = kernels.mr();
    int nr = kernels.nr();
    int cg = g.cg();
    Arrays.fill(summed, false);
    for (int r = 0; r < g.r(); r++) {
      for (int s = 0; s < g.s(); s++) {
        int tap = r * g.s() + s;
        for (int c0 = 0; c0 < cg; c0 += kcMax) {
          int kc = Math.min(kcMax, cg - c0);
          int b = bOff + (tap * cg + c0) * nr;
          for (int pixel = px0; pixel < px1; pixel++) {
            int ih = pixel / g.q() * g.strideH() - g.padTop() + r * g.dilH();
            int iw = pixel % g.q() * g.strideW() - g.padLeft() + s * g.dilW();
            if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) {
              continue; // a tap in the padding: no product
            }
            int i = pixel - px0;
            kernels.windowTile(kc, buf, ((c0 * g.h() + ih) * g.w() + iw) * mr, delta, 0,
                packed, b, buf, tOff + i * mr * nr, summed[i]);
            summed[i] = true;
          }
        }
      }
    }
  }

  /**
   * Pixels {@code [px0, px1)} of filters {@code [f0, f0 + live)} of images
   * {@code [n0, n0 + images)}, from the micro-tiles at
   * {@code t[tOff + (pixel-px0)*mr*nr + image*nr + filter]}, with the bias added; a pixel no
   * tap reached gets the bias alone.
   */
  private static void store(ConvGeometry g, float[] t, int tOff, int mr, int nr,
      boolean[] summed, int px0, int px1, int n0, int images, int f0, int live, float[] bias,
      float[] out) {
    for (int i = 0; i < images; i++) {
      for (int j = 0; j < live; j++) {
        float b = bias == null ? -0f : bias[f0 + j]; // v + -0 == v for every v, -0 included
        int dst = g.yIndex(n0 + i, f0 + j, 0, 0);
        for (int px = px0, at = tOff + i * nr + j; px < px1; px++, at += mr * nr) {
          out[dst + px] = (summed[px - px0] ? t[at] : 0f) + b;
        }
      }
    }
  }

  /**
   * Copies images {@code [n0, n0 + images)} of group {@code grp} into the slab, lane i of
   * {@code mr} holding image {@code n0 + i}; lanes past the batch are zeros.
   */
  private static void fillSlab(ConvGeometry g, float[] src, int grp, int n0, int images,
      int mr, float[] slab, ExecContext ctx) {
    int cg = g.cg();
    int hw = g.hw();
    int chunks = Math.min(cg, TASKS_PER_THREAD * ctx.threads());
    ctx.parallelFor(chunks, part -> {
      for (int c = cg * part / chunks; c < cg * (part + 1) / chunks; c++) {
        int plane = c * hw * mr;
        for (int i = 0; i < mr; i++) {
          if (i < images) {
            int from = g.xIndex(n0 + i, grp * cg + c, 0, 0);
            for (int e = 0, at = plane + i; e < hw; e++, at += mr) {
              slab[at] = src[from + e];
            }
          } else {
            for (int e = 0, at = plane + i; e < hw; e++, at += mr) {
              slab[at] = 0f;
            }
          }
        }
      }
    });
  }

  /**
   * Packs filters {@code [panel*nr, panel*nr + nr)} of group {@code grp} tap-major:
   * {@code dst[off + (tap*C/G + c)*nr + j] = w_g[panel*nr + j][c][tap]}, zeros past the last
   * filter. {@code flipped}: {@code w} is the OIHW weight of the convolution {@code g} is the
   * transpose of, so {@code w_g[f][c][tap] = w[grp*C/G + c][f][R*S-1-tap]} (here {@code g}'s
   * C/G is the original K/G and its K/G the original C/G).
   */
  private static void packPanel(ConvGeometry g, float[] w, boolean flipped, int grp,
      int panel, int nr, float[] dst, int off) {
    int cg = g.cg();
    int kg = g.kg();
    int rs = g.r() * g.s();
    int live = Math.min(nr, kg - panel * nr);
    if (live < nr) {
      for (int d = 0; d < cg * rs; d++) {
        Arrays.fill(dst, off + d * nr + live, off + d * nr + nr, 0f);
      }
    }
    // A block of channels at a time: its runs of w copied into tmp, then written tap by tap,
    // each write a run of a panel row. Read or written in place, the runs that one tap gathers
    // lie 18 KiB apart, and the rows one channel writes 64 KiB apart (C/G = 512): a few L1 sets
    // held them all and evicted them at every step (15% of a 7x7 forward).
    float[] tmp = new float[PACK_BLOCK * live * rs];
    for (int c0 = 0; c0 < cg; c0 += PACK_BLOCK) {
      int blk = Math.min(PACK_BLOCK, cg - c0);
      for (int i = 0; i < (flipped ? blk : live); i++) {
        if (flipped) { // channel c0+i: w[grp*C/G + c0+i][panel*nr + j][u], a run over (j, u)
          System.arraycopy(w, ((grp * cg + c0 + i) * kg + panel * nr) * rs, tmp, i * live * rs,
              live * rs);
        } else { // filter j = i: w[grp*K/G + panel*nr + j][c0 + cc][tap], a run over (cc, tap)
          System.arraycopy(w, ((grp * kg + panel * nr + i) * cg + c0) * rs, tmp, i * blk * rs,
              blk * rs);
        }
      }
      for (int tap = 0; tap < rs; tap++) {
        for (int cc = 0; cc < blk; cc++) {
          int at = off + (tap * cg + c0 + cc) * nr;
          for (int j = 0; j < live; j++) {
            dst[at + j] = flipped ? tmp[(cc * live + j) * rs + rs - 1 - tap]
                : tmp[(j * blk + cc) * rs + tap];
          }
        }
      }
    }
  }
}
