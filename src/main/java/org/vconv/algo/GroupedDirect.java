package org.vconv.algo;

import java.util.Arrays;
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
 *   <li>forward: per (image batch, group), the group's input planes are copied into padded,
 *       phase-split scratch ({@link PhasePlanes}), where every tap of every output is a
 *       constant offset; four filters at a time add all {@code C/G*R*S} taps, in registers,
 *       to their bias over the flat run, then the valid columns are stored.
 *   <li>input gradient: per (image batch, group), the group's {@code dy} planes are copied
 *       into padded scratch ({@link GradPlanes}); each of the {@code strideH x strideW} phases
 *       of {@code dx} is the same kind of tap sum over the taps of that phase.
 *   <li>weight gradient: per block of adjacent groups, over the image batches in order,
 *       every filter's {@code dy} (flat, junk zero) is dotted with every tap's run of the
 *       input planes; the kernel keeps per-lane partial sums in registers across rows and
 *       the images of a batch, and in scratch across batches; one reduction per weight at
 *       the end.
 * </ul>
 *
 * NHWC depthwise ({@code C/G = K/G = 1}) runs over channels instead ({@link DepthwiseNhwc}),
 * NCHW depthwise at stride 1 plane by plane in place ({@link DepthwiseNchw}).
 *
 * <p>Non-finite inputs: padded {@code dy} and junk positions only ever add exact zeros, except
 * that {@code 0 * Inf = NaN}. So an input gradient with non-finite weights (cheap to check)
 * declines, NCHW depthwise included ({@link #backwardDataIfExact}: the plan runs its exact
 * path), and a group whose weight gradient comes out non-finite is redone row by row, without
 * junk; the forward's junk is never stored, and its padding is PyTorch's.
 *
 * <p>A batch stacks images so that a run holds at least {@link #RUN_TARGET} floats (small
 * planes would otherwise pay per-call costs); it depends on the geometry and budget only, so
 * the weight gradient's summation order does too. Other NHWC shapes take the plane path, their
 * planes gathered and scattered with a stride. Tasks own their outputs and sum in a fixed order,
 * so results do not depend on the thread count. Scratch: one buffer per running worker, as
 * many workers as the budget holds; the minimum is one buffer for one image, used even above
 * the budget: {@code C/G + min(4, K/G)} padded, phase-split planes forward,
 * {@code K/G + min(4, C/G)} padded planes for the input gradient, {@code C/G + K/G} planes
 * for the weight gradient plus {@code K/G * C/G*R*S * lanes} partial sums per group of the
 * task's span.
 */
public final class GroupedDirect implements ConvAlgorithm {
  /**
   * Whether the input gradient is exact for any weights: the NHWC depthwise kernels take no
   * product with padding; the NCHW plane kernels (depthwise or not) add {@code 0 * w} for
   * padded {@code dy}, so a non-finite weight gives NaN where the definition has no product.
   */
  public static boolean exactForAnyWeights(ConvGeometry g) {
    return DepthwiseNhwc.applies(g);
  }

  /** Which of its kernels runs {@code g} on {@code kernels}, in a few words, for plans. */
  public static String kernelOf(ConvGeometry g, ArrayKernels kernels) {
    if (DepthwiseNhwc.applies(g)) {
      return "depthwise NHWC, vectors over channels";
    }
    if (!DepthwiseNchw.applies(g)) {
      return "phase-split planes";
    }
    return DepthwiseNchw.padded(g, kernels)
        ? "depthwise NCHW stride 1, padded copies of the planes (every tap a plain load)"
        : "depthwise NCHW stride 1, planes in place";
  }

  /**
   * Whether {@code g}'s forward and input gradient run as NCHW depthwise planes from padded
   * copies on {@code kernels} ({@link ArrayKernels#planeSumsScratch}).
   */
  public static boolean depthwisePlanesPadded(ConvGeometry g, ArrayKernels kernels) {
    return DepthwiseNchw.applies(g) && DepthwiseNchw.padded(g, kernels);
  }

  /** Filters (or input channels) summed at once: the kernels' register tile holds four. */
  private static final int BLOCK = 4;

  /**
   * Input floats a task reads as adjacent groups: long contiguous runs keep the prefetchers
   * streaming, where one small plane per task (MobileNetV2's) would be too short a run.
   */
  private static final long SPAN_FLOATS = 48 << 10;

  /**
   * Weight gradient: the run is dotted in windows of this many floats, each against all taps
   * before the next, so that {@code K/G} rows of dy and the taps' inputs stay in L1 (a
   * multiple of every vector step, so the partial sums follow the geometry only).
   */
  private static final int DOT_CHUNK = 1024;

  /** Tasks a pass keeps at least, so that the workers stay balanced. */
  private static final int MIN_TASKS = 16;

  /**
   * Floats per run that amortize a kernel call; smaller images are stacked up to it. Kept
   * small so that a task's scratch stays in L1 (56x56 planes: one image).
   */
  static final int RUN_TARGET = 2048;

  /**
   * Adjacent groups per task: about {@link #SPAN_FLOATS} of input per task, at least
   * {@link #MIN_TASKS} tasks over {@code chunks} image batches, at least one group.
   */
  static int span(ConvGeometry g, int chunks, long floatsPerGroup) {
    long want = SPAN_FLOATS / Math.max(1, floatsPerGroup);
    long forTasks = (long) g.groups() * chunks / MIN_TASKS;
    return (int) Math.max(1, Math.min(g.groups(), Math.min(want, forTasks)));
  }

  /** Images per batch: enough for a run of RUN_TARGET floats, within the budget, at most N. */
  static int batch(ConvGeometry g, int imagePitch, long imageFloats, ExecContext ctx) {
    long want = (RUN_TARGET + imagePitch - 1) / imagePitch;
    long fit = ctx.workspaceFloats() / Tiling.PLANNED_WORKERS / imageFloats;
    return (int) Math.max(1, Math.min(g.n(), Math.min(want, fit)));
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert Outputs.sized(g, x, w, y) && (bias == null || bias.length == g.k()) : "sizes";
    if (DepthwiseNhwc.applies(g)) {
      DepthwiseNhwc.forward(g, x, w, bias, y, ctx);
      return;
    }
    if (DepthwiseNchw.applies(g)) {
      DepthwiseNchw.forward(g, x, w, bias, y, ctx);
      return;
    }
    int block = Math.min(BLOCK, g.kg());
    int pitch = PhasePlanes.imagePitch(g);
    long perImage = (long) pitch * (g.cg() * g.strideH() * g.strideW() + block);
    PhasePlanes pl = PhasePlanes.of(g, batch(g, pitch, perImage, ctx));
    int[] off = pl.tapOffsets(g);
    float[] wk = filterMajor(g, w);
    int floats = Tiling.arrayLength(pl.size() + (long) block * pl.batch() * pitch);
    int chunks = (g.n() + pl.batch() - 1) / pl.batch();
    int span = span(g, chunks, (long) g.cg() * g.hw() * pl.batch());
    int spans = (g.groups() + span - 1) / span;
    int workers = Tiling.workers(ctx, chunks * spans, floats);
    try (Workspace ws = new Workspace(workers, floats)) {
      Tiling.run(ctx, chunks * spans, workers, task -> {
        int n0 = task / spans * pl.batch();
        int g0 = task % spans * span;
        float[] buf = ws.take();
        for (int grp = g0; grp < Math.min(g.groups(), g0 + span); grp++) {
          forwardGroup(g, x, wk, bias, y, pl, off, n0, grp, buf, ctx.kernels().arrays());
        }
        ws.give(buf);
      });
    }
  }

  /** One group of one image batch: load its planes, sum four filters at a time, store. */
  private static void forwardGroup(ConvGeometry g, float[] x, float[] wk, float[] bias,
      float[] y, PhasePlanes pl, int[] off, int n0, int grp, float[] buf, ArrayKernels ak) {
    int images = Math.min(pl.batch(), g.n() - n0);
    int block = Math.min(BLOCK, g.kg());
    int taps = g.crs();
    int pitch = pl.imagePitch();
    int rowLen = pl.batch() * pitch; // one filter's outputs in scratch
    int out = pl.size();
    int rowStride = PhasePlanes.outRowStride(g);
    int colStride = PhasePlanes.outColStride(g);
    pl.load(g, x, n0, images, grp, buf, ak);
    int len = pl.outLen(g, images);
    for (int k0 = grp * g.kg(); k0 < (grp + 1) * g.kg(); k0 += block) {
      int count = Math.min(block, (grp + 1) * g.kg() - k0);
      for (int j = 0; j < count; j++) { // the sums start from the bias, as in the definition
        int o = out + j * rowLen;
        Arrays.fill(buf, o, o + len, bias == null ? 0f : bias[k0 + j]);
      }
      ak.tapSums(buf, 0, off, taps, wk, k0 * taps, taps, count, buf, out, rowLen, len);
      for (int j = 0; j < count; j++) {
        for (int i = 0; i < images; i++) {
          int y0 = g.yIndex(n0 + i, k0 + j, 0, 0);
          int o0 = out + j * rowLen + i * pitch;
          if (colStride == 1) { // the plane's rows at once
            ak.scatterStrided(buf, o0, pl.cols(), y, y0, rowStride, 1, g.q(), g.p());
            continue;
          }
          for (int p = 0; p < g.p(); p++) {
            PhasePlanes.scatter(buf, o0 + p * pl.cols(), y, y0 + p * rowStride, colStride,
                g.q());
          }
        }
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
    if (!backwardDataIfExact(g, dy, w, dx, ctx)) {
      throw new IllegalStateException("non-finite weights: the plan runs its exact path");
    }
  }

  @Override
  public boolean backwardDataIfExact(ConvGeometry g, float[] dy, float[] w, float[] dx,
      ExecContext ctx) {
    assert Outputs.sized(g, dx, w, dy) : "sizes";
    if (DepthwiseNhwc.applies(g)) {
      DepthwiseNhwc.backwardData(g, dy, w, dx, ctx);
      return true;
    }
    // padded dy (copied, or read as masked zeros) would add 0 * Inf = NaN terms that do not
    // exist
    if (!ctx.kernels().arrays().allFinite(w, 0, w.length)) {
      return false;
    }
    if (DepthwiseNchw.applies(g)) {
      DepthwiseNchw.backwardData(g, dy, w, dx, ctx);
      return true;
    }
    int block = Math.min(BLOCK, g.cg());
    int pitch = GradPlanes.of(g, 1).planeSize();
    GradPlanes gp = GradPlanes.of(g, batch(g, pitch, (long) pitch * (g.kg() + block), ctx));
    int[][] off = gp.tapOffsets(g);
    int[] phaseStart = new int[gp.phases()];
    float[] wt = gp.weights(g, w, phaseStart);
    int rowLen = gp.batch() * pitch;
    int floats = Tiling.arrayLength(gp.size() + (long) block * rowLen);
    int chunks = (g.n() + gp.batch() - 1) / gp.batch();
    int span = span(g, chunks, (long) g.kg() * g.pq() * gp.batch());
    int spans = (g.groups() + span - 1) / span;
    int workers = Tiling.workers(ctx, chunks * spans, floats);
    try (Workspace ws = new Workspace(workers, floats)) {
      Tiling.run(ctx, chunks * spans, workers, task -> {
        int n0 = task / spans * gp.batch();
        int g0 = task % spans * span;
        float[] buf = ws.take();
        for (int grp = g0; grp < Math.min(g.groups(), g0 + span); grp++) {
          backwardDataGroup(g, dy, wt, phaseStart, dx, gp, off, n0, grp, buf,
              ctx.kernels().arrays());
        }
        ws.give(buf);
      });
    }
    return true;
  }

  /** One group of one image batch: load its dy planes, then every phase of dx. */
  private static void backwardDataGroup(ConvGeometry g, float[] dy, float[] wt,
      int[] phaseStart, float[] dx, GradPlanes gp, int[][] off, int n0, int grp, float[] buf,
      ArrayKernels ak) {
    int images = Math.min(gp.batch(), g.n() - n0);
    int block = Math.min(BLOCK, g.cg());
    int rowLen = gp.batch() * gp.planeSize();
    int out = gp.size();
    int w0 = grp * (g.weightSize() / g.groups());
    gp.load(g, dy, n0, images, grp, buf, ak);
    int len = gp.phaseLen(images);
    for (int phase = 0; phase < gp.phases(); phase++) {
      int taps = off[phase].length;
      for (int c0 = 0; c0 < g.cg(); c0 += block) {
        int count = Math.min(block, g.cg() - c0);
        Arrays.fill(buf, out, out + (count - 1) * rowLen + len, 0f);
        ak.tapSums(buf, 0, off[phase], taps, wt, w0 + phaseStart[phase] + c0 * taps, taps,
            count, buf, out, rowLen, len);
        for (int j = 0; j < count; j++) {
          gp.store(g, buf, out + j * rowLen, phase, dx, n0, images, grp * g.cg() + c0 + j,
              ak);
        }
      }
    }
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert Outputs.sized(g, x, dw, dy) : "sizes";
    if (DepthwiseNhwc.applies(g)) {
      DepthwiseNhwc.backwardWeight(g, dy, x, dw, ctx);
      return;
    }
    if (DepthwiseNchw.applies(g)) {
      DepthwiseNchw.backwardWeight(g, dy, x, dw, ctx);
      return;
    }
    int pitch = PhasePlanes.imagePitch(g);
    long perImage = (long) pitch * (g.cg() * g.strideH() * g.strideW() + g.kg());
    PhasePlanes pl = PhasePlanes.of(g, batch(g, pitch, perImage, ctx));
    int[] off = pl.tapOffsets(g);
    int taps = g.crs();
    ArrayKernels ak = ctx.kernels().arrays();
    int lanes = ak.dotLanes();
    int rowLen = pl.batch() * pitch; // one filter's dy in scratch
    int dyAt = pl.size();
    int accAt = dyAt + g.kg() * rowLen;
    int accPerGroup = g.kg() * taps * lanes;
    // a task takes adjacent groups, looped inside the image loop: x and dy are then read in
    // long contiguous runs rather than one plane per image (which starved the prefetchers)
    int span = span(g, 1, perImage * pl.batch());
    int tasks = (g.groups() + span - 1) / span;
    int floats = Tiling.arrayLength(accAt + (long) span * accPerGroup);
    int workers = Tiling.workers(ctx, tasks, floats);
    try (Workspace ws = new Workspace(workers, floats)) {
      Tiling.run(ctx, tasks, workers, task -> {
        int g0 = task * span;
        int g1 = Math.min(g.groups(), g0 + span);
        float[] buf = ws.take();
        Arrays.fill(buf, accAt, floats, 0f);
        for (int n0 = 0; n0 < g.n(); n0 += pl.batch()) {
          for (int grp = g0; grp < g1; grp++) {
            weightDots(g, x, dy, pl, off, n0, grp, buf, accAt + (grp - g0) * accPerGroup, ak);
          }
        }
        for (int grp = g0; grp < g1; grp++) {
          reduceOrRedo(g, x, dy, dw, pl, off, grp, buf, accAt + (grp - g0) * accPerGroup, ak);
        }
        ws.give(buf);
      });
    }
  }

  /** Adds one image batch of group {@code grp} to the group's partials at {@code acc}. */
  private static void weightDots(ConvGeometry g, float[] x, float[] dy, PhasePlanes pl,
      int[] off, int n0, int grp, float[] buf, int acc, ArrayKernels ak) {
    int images = Math.min(pl.batch(), g.n() - n0);
    int pitch = pl.imagePitch();
    int rowLen = pl.batch() * pitch;
    int dyAt = pl.size();
    pl.load(g, x, n0, images, grp, buf, ak);
    loadDy(g, dy, n0, images, grp, buf, dyAt, rowLen, pitch, pl.cols(), ak);
    int len = pl.outLen(g, images);
    for (int c0 = 0; c0 < len; c0 += DOT_CHUNK) { // all taps on an L1-sized window
      ak.tapDots(buf, dyAt + c0, rowLen, g.kg(), buf, c0, off, g.crs(),
          Math.min(DOT_CHUNK, len - c0), buf, acc);
    }
  }

  /**
   * Reduces group {@code grp}'s partials at {@code acc} into dw; where that is not finite,
   * junk positions paired zero dy with real x (0 * Inf = NaN where no term exists), so the
   * group is redone row by row, which reads no junk (rare: x has NaN or Inf).
   */
  private static void reduceOrRedo(ConvGeometry g, float[] x, float[] dy, float[] dw,
      PhasePlanes pl, int[] off, int grp, float[] buf, int acc, ArrayKernels ak) {
    int lanes = ak.dotLanes();
    if (reduce(g, buf, acc, lanes, grp, dw, ak)) {
      return;
    }
    int pitch = pl.imagePitch();
    int rowLen = pl.batch() * pitch;
    int dyAt = pl.size();
    Arrays.fill(buf, acc, acc + g.kg() * g.crs() * lanes, 0f);
    for (int n0 = 0; n0 < g.n(); n0 += pl.batch()) {
      int images = Math.min(pl.batch(), g.n() - n0);
      pl.load(g, x, n0, images, grp, buf, ak);
      loadDy(g, dy, n0, images, grp, buf, dyAt, rowLen, pitch, pl.cols(), ak);
      for (int i = 0; i < images; i++) {
        for (int p = 0; p < g.p(); p++) {
          int row = i * pitch + p * pl.cols();
          ak.tapDots(buf, dyAt + row, rowLen, g.kg(), buf, row, off, g.crs(), g.q(), buf, acc);
        }
      }
    }
    reduce(g, buf, acc, lanes, grp, dw, ak);
  }

  /**
   * Copies the {@code dy} planes of group {@code grp}, images n0.., flat at pitch
   * {@code cols} per row and {@code pitch} per image; junk positions stay zero.
   */
  private static void loadDy(ConvGeometry g, float[] dy, int n0, int images, int grp,
      float[] buf, int at, int rowLen, int pitch, int cols, ArrayKernels ak) {
    int rowStride = PhasePlanes.outRowStride(g);
    int colStride = PhasePlanes.outColStride(g);
    for (int kk = 0; kk < g.kg(); kk++) {
      for (int i = 0; i < images; i++) {
        int y0 = g.yIndex(n0 + i, grp * g.kg() + kk, 0, 0);
        ak.gatherStrided(dy, y0, rowStride, colStride, buf, at + kk * rowLen + i * pitch,
            cols, g.q(), g.p());
      }
    }
  }

  /**
   * Sums each weight's partials in lane order into dw ({@link ArrayKernels#sumLanes}); false
   * if any result is not finite.
   */
  private static boolean reduce(ConvGeometry g, float[] buf, int accAt, int lanes, int grp,
      float[] dw, ArrayKernels ak) {
    int weights = g.kg() * g.crs();
    int w0 = grp * weights;
    if (g.layout() == Layout.NCHW) { // OIHW: the group's weights lie in (filter, tap) order
      ak.sumLanes(buf, accAt, lanes, dw, w0, weights);
      return ak.allFinite(dw, w0, weights);
    }
    float[] sums = new float[weights];
    ak.sumLanes(buf, accAt, lanes, sums, 0, weights);
    int taps = g.crs();
    for (int kk = 0; kk < g.kg(); kk++) {
      for (int t = 0; t < taps; t++) {
        dw[g.wIndex(grp * g.kg() + kk, t / (g.r() * g.s()), t / g.s() % g.r(), t % g.s())] =
            sums[kk * taps + t];
      }
    }
    return ak.allFinite(sums, 0, weights);
  }
}
