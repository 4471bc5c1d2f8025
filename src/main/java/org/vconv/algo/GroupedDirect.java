package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.ArrayKernels;

/**
 * Grouped convolution with few channels per group (depthwise is {@code C/G = 1}) computed
 * directly. As a GEMM it degenerates to products of {@code K/G x C/G*R*S} with tiny
 * {@code K/G} and {@code C/G*R*S}, which packing cannot amortize; here every pass is a
 * register-blocked run over whole planes ({@link ArrayKernels#tapSums},
 * {@link ArrayKernels#tapDots}).
 *
 * <ul>
 *   <li>forward: per (image, group), the group's input planes are copied into padded,
 *       phase-split scratch ({@link PhasePlanes}), where every tap of every output is a
 *       constant offset; up to four filters at a time sum all {@code C/G*R*S} taps in
 *       registers over the flat plane, then the valid columns (plus bias) are stored.
 *   <li>input gradient: per (image, group), the group's {@code dy} planes are copied into
 *       padded scratch ({@link GradPlanes}); each of the {@code strideH x strideW} phases of
 *       {@code dx} is then the same kind of tap sum over the taps of that phase.
 *   <li>weight gradient: per group, over the images in order, every filter's {@code dy}
 *       (flat, junk columns zero) is dotted with every tap's run of the input planes; the
 *       kernel keeps per-lane partial sums across rows and images, reduced once at the end.
 * </ul>
 *
 * Both layouts take the same path: NHWC planes are gathered and scattered with a stride. Tasks
 * own their outputs and sum in a fixed order, so results do not depend on the thread count.
 * Scratch: one buffer per running worker, as many workers as the budget holds; the minimum is
 * one buffer (about {@code C/G + 4} padded planes forward, {@code K/G + 4} for the input
 * gradient, {@code C/G + K/G} for the weight gradient), used even above the budget.
 */
public final class GroupedDirect implements ConvAlgorithm {
  /** Channels per group up to which AUTO picks this algorithm over im2col + GEMM. */
  static final int MAX_AUTO_CHANNELS_PER_GROUP = 16;

  /** Whether AUTO should run {@code g} here: grouped, few channels per group, not 1x1. */
  static boolean preferred(ConvGeometry g) {
    return g.groups() > 1 && g.cg() <= MAX_AUTO_CHANNELS_PER_GROUP && !g.isPointwise();
  }

  /** Filters (or input channels) summed at once: the kernels' register tile holds four. */
  private static final int BLOCK = 4;

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert Outputs.sized(g, x, w, y) && (bias == null || bias.length == g.k()) : "sizes";
    PhasePlanes pl = PhasePlanes.of(g);
    int[] off = pl.tapOffsets(g);
    int taps = g.crs();
    float[] wk = filterMajor(g, w);
    int len = pl.outLen(g);
    int block = Math.min(BLOCK, g.kg());
    int out = pl.size();
    int floats = Tiling.arrayLength(out + (long) block * len);
    int tasks = g.n() * g.groups();
    int workers = Tiling.workers(ctx, tasks, floats);
    ArrayKernels ak = ctx.kernels().arrays();
    int rowStride = PhasePlanes.outRowStride(g);
    int colStride = PhasePlanes.outColStride(g);
    try (Workspace ws = new Workspace(workers, floats)) {
      Tiling.run(ctx, tasks, workers, task -> {
        int n = task / g.groups();
        int grp = task % g.groups();
        float[] buf = ws.take();
        pl.load(g, x, n, grp, buf);
        for (int k0 = grp * g.kg(); k0 < (grp + 1) * g.kg(); k0 += block) {
          int count = Math.min(block, (grp + 1) * g.kg() - k0);
          ak.tapSums(buf, 0, off, taps, wk, k0 * taps, taps, count, buf, out, len, len);
          for (int j = 0; j < count; j++) {
            float b = bias == null ? 0f : bias[k0 + j];
            int y0 = g.yIndex(n, k0 + j, 0, 0);
            for (int p = 0; p < g.p(); p++) {
              storeRow(buf, out + j * len + p * pl.cols(), b, y, y0 + p * rowStride, colStride,
                  g.q(), ak);
            }
          }
        }
        ws.give(buf);
      });
    }
  }

  /** {@code y[d + i*step] = src[s + i] + b} for {@code i < len}. */
  private static void storeRow(float[] src, int s, float b, float[] y, int d, int step,
      int len, ArrayKernels ak) {
    if (b == 0f) {
      PhasePlanes.scatter(src, s, y, d, step, len);
    } else if (step == 1) { // C2 leaves a two-array add loop scalar; these two are vectorized
      java.util.Arrays.fill(y, d, d + len, b);
      ak.addInto(src, s, y, d, len);
    } else {
      for (int i = 0; i < len; i++) {
        y[d + i * step] = src[s + i] + b;
      }
    }
  }

  /** The weights in OIHW order (filter, channel in group, r, s): NCHW's own, NHWC reordered. */
  private static float[] filterMajor(ConvGeometry g, float[] w) {
    if (g.layout() == Layout.NCHW) {
      return w;
    }
    float[] out = new float[w.length];
    for (int k = 0; k < g.k(); k++) {
      for (int ci = 0; ci < g.cg(); ci++) {
        for (int r = 0; r < g.r(); r++) {
          for (int s = 0; s < g.s(); s++) {
            out[((k * g.cg() + ci) * g.r() + r) * g.s() + s] = w[g.wIndex(k, ci, r, s)];
          }
        }
      }
    }
    return out;
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert Outputs.sized(g, dx, w, dy) : "sizes";
    GradPlanes gp = GradPlanes.of(g);
    int[][] off = gp.tapOffsets(g);
    int[] phaseStart = new int[gp.phases()];
    float[] wt = gp.weights(g, w, phaseStart);
    int groupWeights = g.weightSize() / g.groups();
    int len = gp.phaseLen();
    int block = Math.min(BLOCK, g.cg());
    int out = gp.size();
    int floats = Tiling.arrayLength(out + (long) block * len);
    int tasks = g.n() * g.groups();
    int workers = Tiling.workers(ctx, tasks, floats);
    ArrayKernels ak = ctx.kernels().arrays();
    try (Workspace ws = new Workspace(workers, floats)) {
      Tiling.run(ctx, tasks, workers, task -> {
        int n = task / g.groups();
        int grp = task % g.groups();
        float[] buf = ws.take();
        gp.load(g, dy, n, grp, buf);
        for (int phase = 0; phase < gp.phases(); phase++) {
          int taps = off[phase].length;
          for (int c0 = 0; c0 < g.cg(); c0 += block) {
            int count = Math.min(block, g.cg() - c0);
            ak.tapSums(buf, 0, off[phase], taps, wt,
                grp * groupWeights + phaseStart[phase] + c0 * taps, taps, count, buf, out, len,
                len);
            for (int j = 0; j < count; j++) {
              gp.store(g, buf, out + j * len, phase, dx, n, grp * g.cg() + c0 + j);
            }
          }
        }
        ws.give(buf);
      });
    }
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert Outputs.sized(g, x, dw, dy) : "sizes";
    PhasePlanes pl = PhasePlanes.of(g);
    int[] off = pl.tapOffsets(g);
    int taps = g.crs();
    int len = pl.outLen(g);
    ArrayKernels ak = ctx.kernels().arrays();
    int lanes = ak.dotLanes();
    int dyAt = pl.size();
    int accAt = dyAt + g.kg() * len;
    int floats = Tiling.arrayLength(accAt + (long) g.kg() * taps * lanes);
    int workers = Tiling.workers(ctx, g.groups(), floats);
    int rowStride = PhasePlanes.outRowStride(g);
    int colStride = PhasePlanes.outColStride(g);
    try (Workspace ws = new Workspace(workers, floats)) {
      Tiling.run(ctx, g.groups(), workers, grp -> {
        float[] buf = ws.take();
        java.util.Arrays.fill(buf, accAt, floats, 0f);
        for (int n = 0; n < g.n(); n++) {
          pl.load(g, x, n, grp, buf);
          for (int kk = 0; kk < g.kg(); kk++) { // junk columns stay zero: they add nothing
            int y0 = g.yIndex(n, grp * g.kg() + kk, 0, 0);
            for (int p = 0; p < g.p(); p++) {
              PhasePlanes.gather(dy, y0 + p * rowStride, colStride, buf,
                  dyAt + kk * len + p * pl.cols(), g.q());
            }
          }
          ak.tapDots(buf, dyAt, len, g.kg(), buf, 0, off, taps, len, buf, accAt);
        }
        for (int kk = 0; kk < g.kg(); kk++) {
          for (int t = 0; t < taps; t++) {
            int at = accAt + (kk * taps + t) * lanes;
            float sum = 0f;
            for (int l = 0; l < lanes; l++) { // the one reduction, in lane order
              sum += buf[at + l];
            }
            int ci = t / (g.r() * g.s());
            dw[g.wIndex(grp * g.kg() + kk, ci, t / g.s() % g.r(), t % g.s())] = sum;
          }
        }
        ws.give(buf);
      });
    }
  }
}
