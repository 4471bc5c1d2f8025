package org.vconv.algo;

import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.ArrayKernels;

/**
 * NCHW depthwise convolution ({@code C/G = K/G = 1}) through channels-last copies: image by
 * image, the operands are transposed into NHWC, {@link DepthwiseNhwc} runs there with its
 * vectors over channels, and the result is transposed back, while the image is still in cache.
 * A plane kernel's vectors run along output rows, so on small planes (MobileNetV2's 14x14 and
 * 7x7 with hundreds of channels) and on strided ones most of its work is per-plane setup and
 * partial vectors; the copies cost two passes over an image instead. Images are the tasks
 * (each on one thread) when there are at least as many as threads; else they run in turn,
 * each on all threads. Scratch: per running image, channels-last copies of its two tensors;
 * the filters; for the weight gradient, one partial gradient per image.
 *
 * <p>The transposes are exact, the NHWC kernels fix their own reduction order, and the weight
 * gradient adds the images' partial gradients in image order, so the results are bitwise
 * independent of the thread count. They are NHWC's results, which take no product with
 * padding, so the input gradient is exact for any weights.
 */
public final class DepthwiseChannelsLast implements ConvAlgorithm {

  /** Whether {@code g} is an NCHW depthwise problem, the shapes this path takes. */
  public static boolean applies(ConvGeometry g) {
    return g.layout() == Layout.NCHW && g.cg() == 1 && g.kg() == 1;
  }

  /** Floats of scratch a pass leases on {@code threads} threads, at most. */
  public static long scratchFloats(ConvGeometry g, int threads) {
    long images = Math.min(g.n(), Math.max(1, threads));
    long perImage = (long) g.c() * g.hw() + (long) g.k() * g.pq();
    return images * (perImage + g.weightSize()) + (long) (g.n() + 2) * g.weightSize();
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert applies(g) && Outputs.sized(g, x, w, y) : "planned elsewhere";
    ConvGeometry one = oneImageChannelsLast(g);
    imageByImage(g, w, x, g.c(), g.hw(), y, g.k(), g.pq(), ctx,
        (in, hwio, out, inner) -> DepthwiseNhwc.forward(one, in, hwio, bias, out, inner));
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert applies(g) && Outputs.sized(g, dx, w, dy) : "planned elsewhere";
    ConvGeometry one = oneImageChannelsLast(g);
    imageByImage(g, w, dy, g.k(), g.pq(), dx, g.c(), g.hw(), ctx,
        (in, hwio, out, inner) -> DepthwiseNhwc.backwardData(one, in, hwio, out, inner));
  }

  /** A channels-last kernel on one image: {@code in} to {@code out} with HWIO filters. */
  private interface ImageKernel {
    void run(float[] in, float[] hwio, float[] out, ExecContext inner);
  }

  /**
   * For each image: {@code src} ({@code [srcCh, srcPx]}) transposed channels-last, the
   * kernel, its output transposed back into {@code dst} ({@code [dstCh, dstPx]}).
   */
  private static void imageByImage(ConvGeometry g, float[] w, float[] src, int srcCh,
      int srcPx, float[] dst, int dstCh, int dstPx, ExecContext ctx, ImageKernel kernel) {
    int in = srcCh * srcPx;
    int out = dstCh * dstPx;
    try (ScratchPool.Lease ws = ScratchPool.lease(g.weightSize())) {
      float[] hwio = ws.array();
      filtersToHwio(g, w, hwio, ctx.kernels().arrays());
      eachImage(g, ctx, (i, inner) -> {
        ArrayKernels ak = inner.kernels().arrays();
        try (ScratchPool.Lease a = ScratchPool.lease(in);
            ScratchPool.Lease b = ScratchPool.lease(out)) {
          toChannelsLast(ak, src, i * in, srcCh, srcPx, a.array());
          kernel.run(a.array(), hwio, b.array(), inner);
          toChannelsFirst(ak, b.array(), dstCh, dstPx, dst, i * out);
        }
      });
    }
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert applies(g) && Outputs.sized(g, x, dw, dy) : "planned elsewhere";
    ConvGeometry one = oneImageChannelsLast(g);
    int in = g.c() * g.hw();
    int out = g.k() * g.pq();
    int taps = g.weightSize();
    try (ScratchPool.Lease parts = ScratchPool.lease(g.n() * taps);
        ScratchPool.Lease sum = ScratchPool.lease(taps)) {
      float[] partial = parts.array();
      eachImage(g, ctx, (i, inner) -> {
        ArrayKernels ak = inner.kernels().arrays();
        try (ScratchPool.Lease dys = ScratchPool.lease(out);
            ScratchPool.Lease xs = ScratchPool.lease(in);
            ScratchPool.Lease dws = ScratchPool.lease(taps)) {
          toChannelsLast(ak, dy, i * out, g.k(), g.pq(), dys.array());
          toChannelsLast(ak, x, i * in, g.c(), g.hw(), xs.array());
          DepthwiseNhwc.backwardWeight(one, dys.array(), xs.array(), dws.array(), inner);
          System.arraycopy(dws.array(), 0, partial, i * taps, taps);
        }
      });
      float[] hwio = sum.array(); // the images' partials added in image order
      System.arraycopy(partial, 0, hwio, 0, taps);
      for (int i = 1; i < g.n(); i++) {
        for (int j = 0; j < taps; j++) {
          hwio[j] += partial[i * taps + j];
        }
      }
      // HWIO [R*S, K] back to OIHW [K, R*S]
      toChannelsFirst(ctx.kernels().arrays(), hwio, g.k(), g.r() * g.s(), dw, 0);
    }
  }

  /** A pass's work for image {@code i}, run on the context it is given. */
  private interface ImageTask {
    void run(int i, ExecContext inner);
  }

  /**
   * Runs every image: as tasks on one thread each when there are at least as many images as
   * threads, else in turn on all of {@code ctx}'s threads.
   */
  private static void eachImage(ConvGeometry g, ExecContext ctx, ImageTask task) {
    if (g.n() >= ctx.threads()) {
      ExecContext single = new ExecContext(1, ctx.workspaceBytes(), ctx.kernels());
      ctx.parallelFor(g.n(), i -> task.run(i, single));
    } else {
      for (int i = 0; i < g.n(); i++) {
        task.run(i, ctx);
      }
    }
  }

  private static ConvGeometry oneImageChannelsLast(ConvGeometry g) {
    return new ConvGeometry(Layout.NHWC, 1, g.c(), g.h(), g.w(), g.k(), g.r(), g.s(),
        g.p(), g.q(), g.strideH(), g.strideW(), g.padTop(), g.padBottom(), g.padLeft(),
        g.padRight(), g.dilH(), g.dilW(), g.groups());
  }

  /** OIHW {@code [K, 1, R, S]} to HWIO {@code [R, S, 1, K]}. */
  private static void filtersToHwio(ConvGeometry g, float[] w, float[] dst, ArrayKernels ak) {
    toChannelsLast(ak, w, 0, g.k(), g.r() * g.s(), dst);
  }

  /** {@code src[off...]} as {@code [ch, px]} into {@code dst} as {@code [px, ch]}. */
  private static void toChannelsLast(ArrayKernels ak, float[] src, int off, int ch, int px,
      float[] dst) {
    ak.transpose(src, off, px, 1, ch, px, dst, 0, ch);
  }

  /** {@code src} as {@code [px, ch]} into {@code dst[off...]} as {@code [ch, px]}. */
  private static void toChannelsFirst(ArrayKernels ak, float[] src, int ch, int px,
      float[] dst, int off) {
    ak.transpose(src, 0, ch, 1, px, ch, dst, off, px);
  }
}
