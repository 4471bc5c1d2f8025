package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Conv2d;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.Tensor;
import org.vconv.gemm.Sgemm;
import org.vconv.im2col.Im2col;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProviders;

/**
 * The scratch budget: a layer whose im2col matrix is far larger than a small budget runs in
 * tiles whose live scratch (measured by {@link Workspace}) stays within it, with the same
 * forward result bit for bit, and gradients that are bitwise equal (input) or within the
 * reference tolerance (weight: its reduction is cut at tile boundaries).
 */
class WorkspaceBudgetTest {
  static final long SMALL = 64L << 10;
  static final long LARGE = 64L << 20;

  /** x [2, 8, 20, 20], 3x3 pad 1: one image's im2col matrix is 72 x 400 floats = 115 KB. */
  static ConvCase layer(Layout layout, int threads, long budget) {
    return ConvCase.of("budget").x(2, 8, 20, 20).kernel(6, 3, 3).pad(Padding.of(1)).bias()
        .build().inLayout(layout).running(threads, budget);
  }

  static ExecContext ctx(ConvCase cs) {
    return new ExecContext(cs.threads(), cs.budget(), VectorProviders.get());
  }

  @Test
  void im2colGemmStaysWithinTheBudgetAndKeepsItsResults() {
    int checked = 0;
    for (Layout layout : Layout.values()) {
      for (int threads : new int[] {1, 3}) {
        ConvCase big = layer(layout, threads, LARGE);
        ConvCase small = layer(layout, threads, SMALL);
        Problem pb = new Problem(big, 99);
        assertTrue(Im2col.tileFloats(pb.g, pb.g.p()) * Float.BYTES > SMALL,
            "one image's im2col matrix must exceed the small budget");
        Im2colGemm algo = Tuned.im2col();

        float[] yBig = pb.forward(algo, ctx(big));
        long peakBig = Workspace.lastCallBytes();
        float[] ySmall = pb.forward(algo, ctx(small));
        long peakSmall = Workspace.lastCallBytes();
        Checks.assertBitwise("forward, small vs large budget", yBig, ySmall);
        pb.checkForward("small budget", ySmall);
        assertTrue(peakSmall > 0 && peakSmall <= SMALL, "forward peak " + peakSmall);
        assertTrue(peakBig > SMALL, "large budget should use larger tiles: " + peakBig);

        float[] dxBig = pb.backwardData(algo, ctx(big));
        float[] dxSmall = pb.backwardData(algo, ctx(small));
        long peakDx = Workspace.lastCallBytes();
        Checks.assertBitwise("input gradient, small vs large budget", dxBig, dxSmall);
        pb.checkBackwardData("small budget", dxSmall);
        assertTrue(peakDx > 0 && peakDx <= SMALL, "input gradient peak " + peakDx);

        float[] dwSmall = pb.backwardWeight(algo, ctx(small));
        long peakDw = Workspace.lastCallBytes();
        pb.checkBackwardWeight("small budget", dwSmall);
        pb.checkBackwardWeight("large budget", pb.backwardWeight(algo, ctx(big)));
        assertTrue(peakDw > 0 && peakDw <= SMALL, "weight gradient peak " + peakDw);
        checked++;
      }
    }
    assertEquals(4, checked);
  }

  /**
   * Small NCHW images (P*Q <= Tuned.SPAN): tiles span images, the forward's
   * output block and the weight gradient's dy rows staged beside the column matrix. 7x9
   * outputs with bias, a 34 KiB budget: 3-row tiles, so tiles cross image boundaries; the
   * staging counts in the budget. The forward does the same operations per element whatever
   * the tiles: bitwise equal to one-row tiles (1 KiB: no staging) and to one whole-batch tile
   * (64 MiB). The weight gradient gives the reference's values and the same bits for 1 and 3
   * threads.
   */
  @Test
  void stagedTilesSpanImagesWithinTheBudget() {
    long budget = 34L << 10;
    ConvCase cs = ConvCase.of("short images").x(3, 8, 7, 9).kernel(6, 3, 3).pad(Padding.of(1))
        .bias().build();
    Problem pb = new Problem(cs.running(3, budget), 12);
    assertTrue(pb.g.pq() <= Tuned.SPAN, "small images");
    TilePlan plan = TilePlan.of(pb.g, true, pb.g.kg() * pb.g.q(), budget / Float.BYTES);
    assertTrue(plan.rowsPerTile() > 1 && pb.g.p() % plan.rowsPerTile() != 0,
        "tiles that cross images: " + plan.rowsPerTile());
    Im2colGemm algo = Tuned.im2col();

    float[] y = pb.forward(algo, ctx(cs.running(3, budget)));
    long peakY = Workspace.lastCallBytes();
    pb.checkForward("staged tiles", y);
    Checks.assertBitwise("forward, one-row tiles", pb.forward(algo, ctx(cs.running(3, 1024))), y);
    Checks.assertBitwise("forward, one tile", pb.forward(algo, ctx(cs.running(1, LARGE))), y);
    assertTrue(peakY > 0 && peakY <= budget, "forward peak " + peakY);

    float[] three = pb.backwardWeight(algo, ctx(cs.running(3, budget)));
    long peak = Workspace.lastCallBytes();
    float[] one = pb.backwardWeight(algo, ctx(cs.running(1, budget)));
    Checks.assertBitwise("1 vs 3 threads", one, three);
    pb.checkBackwardWeight("staged tiles", three);
    assertTrue(peak > 0 && peak <= budget, "weight gradient peak " + peak);
  }

  /** When one output row's matrix alone exceeds the budget, exactly one row is used. */
  @Test
  void theMinimumTileIsOneOutputRowEvenAboveTheBudget() {
    int checked = 0;
    for (Layout layout : Layout.values()) {
      ConvCase cs = layer(layout, 3, 1024);
      Problem pb = new Problem(cs, 5);
      long oneRow = Im2col.tileFloats(pb.g, 1) * Float.BYTES; // 72 x 20 floats = 5760 B
      assertTrue(oneRow > cs.budget());
      Im2colGemm algo = Tuned.im2col();
      pb.checkForward("1 KiB", pb.forward(algo, ctx(cs)));
      long oneRowPacked = layout == Layout.NCHW // gathered into whole GEMM panels
          ? Sgemm.panelLayout(pb.g.q(), pb.g.crs(), ctx(cs)).floats() * Float.BYTES : oneRow;
      assertEquals(oneRowPacked, Workspace.lastCallBytes(), "one worker, one row");
      pb.checkBackwardData("1 KiB", pb.backwardData(algo, ctx(cs)));
      assertEquals(oneRow, Workspace.lastCallBytes());
      pb.checkBackwardWeight("1 KiB", pb.backwardWeight(algo, ctx(cs)));
      long oneRowTransposed = layout == Layout.NCHW // cols^T gathered into whole GEMM panels
          ? Sgemm.panelLayout(pb.g.crs(), pb.g.q(), ctx(cs)).floats() * Float.BYTES : oneRow;
      assertEquals(oneRowTransposed, Workspace.lastCallBytes());
      checked++;
    }
    assertEquals(2, checked);
  }

  /** The kernel-offset loop's NCHW buffers stay within the budget; its results never move. */
  @Test
  void kernelOffsetBuffersStayWithinTheBudget() {
    // strideW 2 sends the input gradient through the buffer; 64 filters x 40 channels x 4 B
    // = 10 KB of weight-gradient blocks, more than a 4 KiB budget holds at once
    ConvCase base = ConvCase.of("offset").x(2, 40, 9, 12).kernel(64, 3, 3).stride(1, 2)
        .pad(Padding.of(1)).build();
    long budget = 4L << 10;
    KernelOffsetLoop algo = new KernelOffsetLoop();
    Problem pb = new Problem(base.running(2, LARGE), 8);
    ExecContext big = ctx(base.running(2, LARGE));
    ExecContext small = ctx(base.running(2, budget));
    float[] dxBig = pb.backwardData(algo, big);
    float[] dxSmall = pb.backwardData(algo, small);
    assertTrue(Workspace.lastCallBytes() > 0 && Workspace.lastCallBytes() <= budget);
    Checks.assertBitwise("kernel-offset input gradient", dxBig, dxSmall);
    pb.checkBackwardData("kernel offset, 4 KiB", dxSmall);
    float[] dwBig = pb.backwardWeight(algo, big);
    float[] dwSmall = pb.backwardWeight(algo, small);
    assertTrue(Workspace.lastCallBytes() > 0 && Workspace.lastCallBytes() <= budget);
    Checks.assertBitwise("kernel-offset weight gradient", dwBig, dwSmall);
    pb.checkBackwardWeight("kernel offset, 4 KiB", dwSmall);
    pb.forward(algo, small);
    assertEquals(0, Workspace.lastCallBytes(), "the forward pass needs no scratch");
  }

  @Test
  void pointwiseConvolutionsUseNoScratch() {
    int checked = 0;
    for (Layout layout : Layout.values()) {
      // 11x11 planes: wider than the batched path takes, so the per-image GEMMs run
      ConvCase cs = ConvCase.of("pointwise").x(2, 6, 11, 11).kernel(4, 1, 1).groups(2).bias()
          .build().inLayout(layout).running(2, SMALL);
      Problem pb = new Problem(cs, 6);
      ConvGeometry g = pb.g;
      assertTrue(g.isPointwise());
      Planned auto = new Planned(Algorithm.AUTO);
      pb.checkForward("pointwise", pb.forward(auto, ctx(cs)));
      assertEquals(org.vconv.plan.Planner.POINTWISE_GEMM, auto.ran());
      assertEquals(0, Workspace.lastCallBytes());
      pb.checkBackwardData("pointwise", pb.backwardData(auto, ctx(cs)));
      assertEquals(0, Workspace.lastCallBytes());
      pb.checkBackwardWeight("pointwise", pb.backwardWeight(auto, ctx(cs)));
      assertEquals(0, Workspace.lastCallBytes());
      checked++;
    }
    assertEquals(2, checked);
  }

  /**
   * NCHW pointwise on small planes runs as one GEMM over the batch: its only scratch is one
   * group's staged output, {@code K/G x N*H*W} floats (the input gradient's: {@code C/G}),
   * and the weight gradient stays on the per-image GEMMs, with none.
   */
  @Test
  void pointwiseOverTheBatchStagesOneGroupsOutput() {
    ConvCase cs = ConvCase.of("pointwise 7x7").x(3, 6, 7, 7).kernel(4, 1, 1).groups(2).bias()
        .build().running(2, SMALL);
    Problem pb = new Problem(cs, 7);
    Planned auto = new Planned(Algorithm.AUTO);
    pb.checkForward("batched", pb.forward(auto, ctx(cs)));
    assertEquals(org.vconv.plan.Planner.POINTWISE_BATCH_GEMM, auto.ran());
    long staged = (long) Float.BYTES * 2 * 3 * 49;
    assertTrue(Workspace.lastCallBytes() >= staged && Workspace.lastCallBytes() <= SMALL,
        "forward scratch " + Workspace.lastCallBytes());
    pb.checkBackwardData("batched", pb.backwardData(auto, ctx(cs)));
    assertEquals(org.vconv.plan.Planner.POINTWISE_BATCH_GEMM, auto.ran());
    assertTrue(Workspace.lastCallBytes() >= (long) Float.BYTES * 3 * 3 * 49
        && Workspace.lastCallBytes() <= SMALL, "input gradient scratch");
    pb.checkBackwardWeight("batched", pb.backwardWeight(auto, ctx(cs)));
    assertEquals(org.vconv.plan.Planner.POINTWISE_DOTS, auto.ran()); // few channels: dots
    assertEquals(0, Workspace.lastCallBytes());
  }

  /** The public knob reaches the algorithms: same forward bits under the smallest budget. */
  @Test
  void facadeBudgetGivesTheSameForward() {
    for (Layout layout : Layout.values()) {
      ConvCase cs = layer(layout, 2, LARGE);
      Problem pb = new Problem(cs, 12);
      Tensor x = Tensor.of(pb.x, cs.inputShape());
      Tensor w = Tensor.of(pb.w, cs.weightShape());
      Tensor b = Tensor.of(pb.bias, cs.k());
      Conv2d conv = Conv2d.of(cs.spec()).withAlgorithm(Algorithm.IM2COL_GEMM).withThreads(2);
      Tensor yDefault = conv.forward(x, w, b);
      Tensor ySmall = conv.withWorkspaceBytes(Conv2d.MIN_WORKSPACE_BYTES).forward(x, w, b);
      assertArrayEquals(yDefault.data(), ySmall.data());
      pb.checkForward("facade", ySmall.data());
    }
  }
}
