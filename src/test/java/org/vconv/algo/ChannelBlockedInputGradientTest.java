package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.Padding;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * Im2colGemm's NCHW input gradient with col2im fused per block of channels ({@link
 * ChannelBlockedInputGradient}) gives the unfused path's bits and the reference's values. One
 * image: on one thread it takes the fused path, on two the unfused one (fewer images than
 * threads leave the threads to the GEMM).
 */
class ChannelBlockedInputGradientTest {
  static final long BUDGET = 64L << 20;
  /** The default, and budgets that cut spanning tiles inside images or leave no room. */
  static final long[] BUDGETS = {BUDGET, 1L << 20, 512L << 10, 256L << 10, 128L << 10};

  static List<ConvCase> cases() {
    return List.of(
        // ResNet's stride-2 3x3 in small: 19 channels, so blocks of 8 (MR 8) end in 3
        ConvCase.of("s2 3x3").x(1, 19, 13, 11).kernel(10, 3, 3).stride(2, 2)
            .pad(Padding.of(1)).build(),
        // 5x5, stride 3, dilation 2, asymmetric padding: taps in the padding, ragged blocks
        ConvCase.of("5x5 s3 d2").x(1, 17, 17, 16).kernel(7, 5, 5).stride(3, 3).dilation(2, 2)
            .pad(Padding.of(2, 1, 3, 0)).build(),
        // groups: each group's weights packed at its own offset
        ConvCase.of("groups 2").x(1, 32, 11, 11).kernel(6, 3, 3).stride(2, 2).groups(2)
            .pad(Padding.of(1)).build(),
        // K/G = 300 > KC = 256: two depth blocks, the second added onto the first
        ConvCase.of("deep").x(1, 48, 21, 21).kernel(300, 3, 3).stride(2, 2)
            .pad(Padding.of(1)).build(),
        // 1 x 3 kernel, stride (1, 2): blocks of whole channels with R*S = 3
        ConvCase.of("1x3").x(1, 40, 6, 13).kernel(4, 1, 3).stride(1, 2)
            .pad(Padding.of(0, 0, 1, 1)).build());
  }

  static List<VectorProvider> providers() {
    VectorProvider simd = VectorProviders.get();
    VectorProvider scalar = VectorProviders.scalar();
    return simd == scalar ? List.of(scalar) : List.of(simd, scalar);
  }

  @Test
  void fusedMatchesUnfusedBitwiseAndTheReference() {
    int checked = 0;
    for (VectorProvider p : providers()) {
      for (ConvCase cs : cases()) {
        Problem pb = new Problem(cs, 5);
        ConvGeometry g = pb.g;
        TilePlan plan = TilePlan.of(g, false, BUDGET);
        assertNotNull(ChannelBlockedInputGradient.of(g, plan, p.gemm()),
            cs + ": the fused buffer fits the column tile");
        float[] fused = perImage(pb, new ExecContext(1, BUDGET, p));
        float[] unfused = perImage(pb, new ExecContext(2, BUDGET, p));
        Checks.assertBitwise(cs + " " + p.name() + ": fused vs unfused", unfused, fused);
        pb.checkBackwardData(cs + " " + p.name() + " fused", fused);
        checked++;
      }
    }
    assertEquals(cases().size() * providers().size(), checked);
  }

  /**
   * The input gradient with tiles kept inside images (fused or not, by the thread count): no
   * image is small enough to span for a span bound of 0.
   */
  private static float[] perImage(Problem pb, ExecContext ctx) {
    float[] dx = new float[pb.g.inputSize()];
    java.util.Arrays.fill(dx, Float.NaN);
    new Im2colGemm(0).backwardData(pb.g, pb.dy, pb.w, dx, ctx);
    return dx;
  }

  /**
   * Small images (every case here has at most 128 output pixels): tiles span images and a
   * tile's channel blocks run in parallel. The bits are the unfused per-image path's, on 1-3
   * threads, with one tile for the batch or budgets that cut tiles inside images.
   */
  @Test
  void spanningTilesMatchPerImageTilesBitwise() {
    int checked = 0;
    int cutInsideImages = 0;
    for (VectorProvider p : providers()) {
      for (ConvCase base : cases()) {
        ConvCase cs = base.withBatch(3);
        Problem pb = new Problem(cs, 7);
        ConvGeometry g = pb.g;
        assertTrue(g.pq() <= Tuned.SPAN, cs + ": a small image");
        float[] unfused = perImage(pb, new ExecContext(3, BUDGET, p));
        pb.checkBackwardData(cs + " " + p.name() + " unfused", unfused);
        for (long budget : BUDGETS) {
          TilePlan plan = TilePlan.of(g, true, g.kg() * g.q(), budget / Float.BYTES);
          boolean spans = ChannelBlockedInputGradient.spanning(g, plan, p.gemm()) != null;
          assertTrue(spans || budget < BUDGET, cs + ": the spanning buffers fit the tile");
          cutInsideImages += spans && plan.rowsPerTile() % g.p() != 0 ? 1 : 0;
          for (int threads = 1; threads <= 3; threads++) {
            float[] spanning = pb.backwardData(Tuned.im2col(),
                new ExecContext(threads, budget, p));
            Checks.assertBitwise(cs + " " + p.name() + " budget " + budget + " threads "
                + threads + " (" + plan.tiles() + " tiles): spanning vs unfused", unfused,
                spanning);
            checked++;
          }
        }
      }
    }
    assertEquals(cases().size() * providers().size() * BUDGETS.length * 3, checked);
    assertTrue(cutInsideImages >= 3, "spanning tiles cut inside images: " + cutInsideImages);
  }

  /** Where B and a block of C would not fit in the budgeted column tile, the unfused path runs. */
  @Test
  void tooSmallATileLeavesTheUnfusedPath() {
    // 3 channels: one block is the whole column matrix (27 rows), so B cannot fit beside it
    ConvCase cs = ConvCase.of("few channels").x(1, 3, 9, 9).kernel(300, 3, 3).stride(2, 2)
        .build();
    ConvGeometry g = cs.geometry();
    TilePlan plan = TilePlan.of(g, false, 512);
    assertEquals(1, plan.rowsPerTile(), "a one-row tile");
    assertNull(ChannelBlockedInputGradient.of(g, plan, VectorProviders.get().gemm()));
    Problem pb = new Problem(cs.running(1, 512), 6);
    pb.checkBackwardData("small budget", pb.backwardData(Tuned.im2col(),
        new ExecContext(1, 512, VectorProviders.get())));
  }
}
