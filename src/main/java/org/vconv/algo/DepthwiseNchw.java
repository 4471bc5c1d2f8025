package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.PlaneTaps;

/**
 * Depthwise convolution ({@code C/G = K/G = 1}) in NCHW at stride 1, plane by plane in place:
 * every pass is a stride-1 correlation of one plane with one small kernel, which the plane
 * kernels ({@link ArrayKernels#planeSums}, {@link ArrayKernels#planeDots}) run straight from
 * the caller's arrays with masked edge vectors. {@link GroupedDirect}'s padded copies would
 * cost as much as the arithmetic here, which is only 9 FMAs per output element.
 *
 * <ul>
 *   <li>forward: each output plane starts from its bias and adds its taps (in the
 *       provider's order, see {@link ArrayKernels#planeSums}).
 *   <li>input gradient: the correlation of {@code dy} with the flipped kernel, padded by
 *       {@code dilation*(kernel-1) - pad} (negative pads crop).
 *   <li>weight gradient: per block of channels, images in order, each plane's tap dot products
 *       go into per-lane partial sums; one reduction per weight at the end, so every weight
 *       is one fixed-order sum whatever the threads.
 * </ul>
 *
 * The values a flat read wraps onto never reach a result, so non-finite inputs give exactly the
 * terms the definition has. Padding adds {@code 0 * w} (a padded copy's zeros, or a masked
 * load's): exact for finite weights, and the facade makes the forward's padding PyTorch's, but
 * an input gradient with non-finite weights declines ({@link GroupedDirect}).
 *
 * <p>Scratch: the forward's and the input gradient's padded plane where the SIMD kernels take
 * one ({@link ArrayKernels#planeSumsScratch}), one per running worker, as many workers as the
 * budget holds and at least one; the weight gradient's partial sums, {@code R*S*lanes} floats
 * per channel of a task, tasks as wide as a quarter of the budget holds (one channel at least,
 * used even above the budget), one per running worker; and the plane kernels' column masks (a
 * few rows' worth of booleans per call, {@link PlaneTaps}).
 */
final class DepthwiseNchw {
  private DepthwiseNchw() {}

  /** Input floats per task: long contiguous runs for the prefetchers (see GroupedDirect). */
  private static final long SPAN_FLOATS = 48 << 10;

  /** Tasks a pass keeps at least, so that the workers stay balanced. */
  private static final int MIN_TASKS = 16;

  static boolean applies(ConvGeometry g) {
    return g.layout() == Layout.NCHW && g.cg() == 1 && g.kg() == 1 && g.strideH() == 1
        && g.strideW() == 1;
  }

  /** Planes per task: about SPAN_FLOATS of input, at least MIN_TASKS tasks, at least one. */
  static int span(int planes, long planeFloats) {
    long want = SPAN_FLOATS / Math.max(1, planeFloats);
    return (int) Math.max(1, Math.min(want, planes / MIN_TASKS));
  }

  /** Whether the plane kernels run the forward from padded copies (the input gradient too). */
  static boolean padded(ConvGeometry g, ArrayKernels kernels) {
    return kernels.planeSumsScratch(forwardTaps(g)) > 0;
  }

  private static PlaneTaps forwardTaps(ConvGeometry g) {
    return new PlaneTaps(g.h(), g.w(), g.p(), g.q(), g.r(), g.s(), g.padTop(), g.padLeft(),
        g.dilH(), g.dilW());
  }

  static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert applies(g);
    correlateAll(g, forwardTaps(g), x, g.hw(), w, bias, y, g.pq(), ctx);
  }

  static void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert applies(g);
    PlaneTaps pt = new PlaneTaps(g.p(), g.q(), g.h(), g.w(), g.r(), g.s(),
        (g.r() - 1) * g.dilH() - g.padTop(), (g.s() - 1) * g.dilW() - g.padLeft(), g.dilH(),
        g.dilW());
    int taps = pt.taps();
    float[] flipped = new float[w.length];
    for (int c = 0; c < g.c(); c++) {
      for (int t = 0; t < taps; t++) {
        flipped[c * taps + t] = w[c * taps + taps - 1 - t];
      }
    }
    correlateAll(g, pt, dy, g.pq(), flipped, null, dx, g.hw(), ctx);
  }

  /**
   * Every plane of {@code src} (image-major, {@code srcPlane} floats each) correlated with
   * its channel's kernel into {@code dst}, from the channel's bias or zero; tasks take runs of
   * adjacent planes.
   */
  private static void correlateAll(ConvGeometry g, PlaneTaps pt, float[] src, int srcPlane,
      float[] w, float[] bias, float[] dst, int dstPlane, ExecContext ctx) {
    ArrayKernels ak = ctx.kernels().arrays();
    int taps = pt.taps();
    int planes = g.n() * g.c();
    int span = span(planes, srcPlane);
    int tasks = (planes + span - 1) / span;
    int floats = ak.planeSumsScratch(pt); // a padded plane, or none
    int workers = floats == 0 ? ctx.workersFor(tasks)
        : (int) Math.max(1, Math.min(ctx.workersFor(tasks), ctx.workspaceFloats() / floats));
    try (Workspace ws = Workspace.reusing(workers, floats)) {
      Tiling.run(ctx, tasks, workers, task -> {
        float[] buf = floats == 0 ? null : ws.take();
        for (int plane = task * span; plane < Math.min(planes, (task + 1) * span); plane++) {
          int c = plane % g.c();
          ak.planeSums(src, plane * srcPlane, pt, w, c * taps, bias == null ? 0f : bias[c], dst,
              plane * dstPlane, buf);
        }
        if (buf != null) {
          ws.give(buf);
        }
      });
    }
  }

  static void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert applies(g);
    PlaneTaps pt = forwardTaps(g);
    ArrayKernels ak = ctx.kernels().arrays();
    int taps = pt.taps();
    int lanes = ak.dotLanes();
    // a task takes adjacent channels, looped inside the image loop: x and dy are then read in
    // runs of span planes rather than one plane per image; its partial sums stay within a
    // quarter of the budget (one channel's at least). The span only parts the channels among
    // tasks: every channel's sums run the same way whatever it is, so results do not change.
    long fit = ctx.workspaceFloats() / Tiling.PLANNED_WORKERS / ((long) taps * lanes);
    int span = (int) Math.max(1, Math.min(span(g.c(), g.hw()), fit));
    int tasks = (g.c() + span - 1) / span;
    int floats = Tiling.arrayLength((long) span * taps * lanes);
    int workers = Tiling.workers(ctx, tasks, floats);
    try (Workspace ws = new Workspace(workers, floats)) {
      Tiling.run(ctx, tasks, workers, task -> {
        int c0 = task * span;
        int c1 = Math.min(g.c(), c0 + span);
        float[] acc = ws.take();
        java.util.Arrays.fill(acc, 0f);
        for (int n = 0; n < g.n(); n++) {
          for (int c = c0; c < c1; c++) {
            int plane = n * g.c() + c;
            ak.planeDots(dy, plane * g.pq(), x, plane * g.hw(), pt, acc,
                (c - c0) * taps * lanes);
          }
        }
        ak.sumLanes(acc, 0, lanes, dw, c0 * taps, (c1 - c0) * taps); // in lane order
        ws.give(acc);
      });
    }
  }
}
