package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Padding;
import org.vconv.plan.Pass;
import org.vconv.plan.PassPlan;
import org.vconv.plan.Planner;
import org.vconv.plan.Tuning;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * {@link ImageBlockedGemm}'s forward pass and input gradient against {@link DirectReference}
 * on shapes that hit every micro-tile tail of every provider: batches 1, 2, 3, 4, 5, 7, 8, 9,
 * 16, 17 (mr = 3, 4, 8: blocks with empty lanes and full ones), output channels per group
 * (K/G of the forward, C/G of the input gradient) 1, 3..5, 7, 15..17, 23..25, 31..33 (nr = 4,
 * 24, 32, +-1); source channels of one tap in one and in two depth blocks; one, two and three
 * blocks of pixels; strides 2 and 3 (input pixels that some taps skip), dilation, asymmetric
 * padding, pads beyond the kernel (pixels that no tap reaches), groups. Results must be bitwise
 * the same for 1, 2 and 3 threads.
 */
class ImageBlockedGemmTest {
  private static final ImageBlockedGemm ALGO = new ImageBlockedGemm();

  static List<ConvCase> cases() {
    return List.of(
        ConvCase.of("n1 kg1").x(1, 3, 3, 4).kernel(1, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("n2 kg3").x(2, 5, 7, 7).kernel(3, 3, 3).pad(Padding.of(1)).bias().build(),
        ConvCase.of("n3 kg4").x(3, 4, 5, 5).kernel(4, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("n4 kg5").x(4, 7, 4, 6).kernel(5, 3, 3).pad(Padding.of(1)).bias().build(),
        ConvCase.of("n5 kg7").x(5, 15, 3, 3).kernel(7, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("n7 kg15").x(7, 16, 5, 4).kernel(15, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("n8 kg16 7x7").x(8, 17, 7, 7).kernel(16, 3, 3).pad(Padding.of(1)).bias()
            .build(),
        ConvCase.of("n9 kg17").x(9, 23, 4, 4).kernel(17, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("n16 kg23 two uneven depth blocks").x(16, 301, 3, 3).kernel(23, 3, 3)
            .pad(Padding.of(1)).bias().build(),
        ConvCase.of("n17 kg24").x(17, 24, 3, 5).kernel(24, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("n8 kg25 valid").x(8, 25, 6, 5).kernel(25, 3, 2).build(),
        ConvCase.of("n3 kg31 dilation 2").x(3, 31, 9, 8).kernel(31, 3, 3).dilation(2, 2)
            .pad(Padding.of(2)).bias().build(),
        ConvCase.of("n8 kg32 asymmetric").x(8, 32, 5, 6).kernel(32, 3, 3)
            .pad(Padding.of(0, 2, 1, 2)).build(),
        ConvCase.of("n9 kg33 dilation 1,2").x(9, 33, 6, 7).kernel(33, 3, 3).dilation(1, 2)
            .pad(Padding.of(1, 0, 3, 2)).bias().build(),
        ConvCase.of("pad beyond kernel").x(4, 3, 2, 3).kernel(5, 2, 3)
            .pad(Padding.of(3, 0, 1, 4)).bias().build(),
        ConvCase.of("stride 2").x(8, 6, 7, 7).kernel(9, 3, 3).stride(2, 2).pad(Padding.of(1))
            .bias().build(),
        ConvCase.of("strides 3,2 dilation 2").x(3, 5, 11, 9).kernel(8, 3, 2).stride(3, 2)
            .dilation(2, 1).pad(Padding.of(2, 1, 0, 1)).build(),
        ConvCase.of("groups 2").x(8, 66, 4, 5).kernel(34, 3, 3).groups(2).pad(Padding.of(1))
            .build(),
        ConvCase.of("groups 3").x(5, 12, 3, 4).kernel(99, 3, 3).groups(3).pad(Padding.of(1))
            .bias().build(),
        ConvCase.of("two pixel blocks").x(2, 5, 13, 12).kernel(6, 3, 3).pad(Padding.of(1))
            .bias().build(),
        ConvCase.of("three pixel blocks").x(3, 4, 15, 20).kernel(7, 3, 3).pad(Padding.of(1))
            .build());
  }

  /** The list holds what the class comment claims. */
  @Test
  void casesHitEveryTail() {
    Set<Integer> batches = new TreeSet<>();
    Set<Integer> filters = new TreeSet<>();
    Set<Integer> depthBlocks = new TreeSet<>();
    Set<Integer> pixelBlocks = new TreeSet<>();
    boolean unreached = false;
    boolean strided = false;
    for (ConvCase cs : cases()) {
      ConvGeometry g = cs.geometry();
      batches.add(g.n());
      filters.add(g.kg());
      filters.add(g.cg());
      depthBlocks.add(Math.ceilDiv(g.cg(), ImageBlockedGemm.DEPTH_BLOCK));
      depthBlocks.add(Math.ceilDiv(g.kg(), ImageBlockedGemm.DEPTH_BLOCK));
      pixelBlocks.add(Math.ceilDiv(g.pq(), ImageBlockedGemm.PIXEL_BLOCK));
      pixelBlocks.add(Math.ceilDiv(g.hw(), ImageBlockedGemm.PIXEL_BLOCK));
      unreached |= g.padTop() > (g.r() - 1) * g.dilH();
      strided |= g.strideH() == 3 && g.strideW() == 2;
    }
    assertTrue(batches.containsAll(List.of(1, 2, 3, 4, 5, 7, 8, 9, 16, 17)), "n " + batches);
    assertTrue(filters.containsAll(List.of(1, 3, 4, 5, 7, 15, 16, 17, 23, 24, 25, 31, 32, 33)),
        "filters per group " + filters);
    assertEquals(Set.of(1, 2), depthBlocks);
    assertEquals(Set.of(1, 2, 3), pixelBlocks);
    assertTrue(unreached, "a case has output pixels no tap reaches");
    assertTrue(strided, "a case has strides 3 and 2");
    Checks.assertHitsEveryPanelTail(filters);
  }

  /**
   * Forward and input gradient against the reference on both providers, bitwise the same for
   * 1-3 threads, with the scratch the class says (the slab and one block of tiles per task).
   */
  @Test
  void matchesTheReferenceBitwiseIndependentOfThreads() {
    int checked = 0;
    for (ConvCase cs : cases()) {
      Problem pb = new Problem(cs, cs.toString().hashCode());
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        float[] y = null;
        float[] dx = null;
        for (int threads = 1; threads <= 3; threads++) {
          ExecContext ctx = new ExecContext(threads, 64L << 20, kp);
          String what = cs.running(threads, 64L << 20) + " on " + kp.name();
          for (boolean inputGradient : new boolean[] {false, true}) {
            assertTrue(ImageBlockedGemm.runs(new ImageBlockedGemm.Roles(pb.g, inputGradient),
                ctx), what + " runs here");
          }
          float[] gotY = pb.forward(ALGO, ctx);
          assertEquals(scratchBytes(pb.g, kp, threads), Workspace.lastCallBytes(),
              what + ": the slab and the tiles");
          float[] gotDx = pb.backwardData(ALGO, ctx);
          if (y == null) {
            pb.checkForward(what, gotY);
            pb.checkBackwardData(what, gotDx);
            y = gotY;
            dx = gotDx;
          } else {
            Checks.assertBitwise(what + " y", y, gotY);
            Checks.assertBitwise(what + " dx", dx, gotDx);
          }
          checked++;
        }
      }
    }
    assertEquals(cases().size() * 2 * 3, checked);
  }

  /**
   * The slab, then a pixel block's micro-tiles for each of up to 4 tasks per thread (jobs:
   * filter panels x pixel blocks).
   */
  private static long scratchBytes(ConvGeometry g, VectorProvider kp, int threads) {
    int mr = kp.gemm().mr();
    int nr = kp.gemm().nr();
    int pixelBlocks = Math.ceilDiv(g.pq(), ImageBlockedGemm.PIXEL_BLOCK);
    int blockPixels = Math.ceilDiv(g.pq(), pixelBlocks);
    int tasks = Math.min(Math.ceilDiv(g.kg(), nr) * pixelBlocks, 4 * threads);
    int depthBlocks = Math.ceilDiv(g.cg(), ImageBlockedGemm.DEPTH_BLOCK);
    long slabChannels = (long) depthBlocks * Math.ceilDiv(g.cg(), depthBlocks); // whole blocks
    return (slabChannels * g.hw() * mr + (long) tasks * blockPixels * mr * nr) * Float.BYTES;
  }

  /**
   * Below its scratch, the chosen image-blocked GEMM declines the pass and the plan runs
   * im2col, with less scratch, and says so: still right.
   */
  @Test
  void aBudgetBelowTheScratchRunsIm2colVisibly() {
    ConvCase cs = cases().get(6); // n8 kg16 7x7
    Problem pb = new Problem(cs, 7);
    Planned chosen = new Planned(Algorithm.IMAGE_BLOCKED_GEMM);
    for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      long budget = 8L << 10;
      ExecContext ctx = new ExecContext(2, budget, kp);
      assertTrue(!ImageBlockedGemm.runs(new ImageBlockedGemm.Roles(pb.g, false), ctx),
          "8 KiB is below the slab");
      for (Pass pass : List.of(Pass.FORWARD, Pass.BACKWARD_DATA)) {
        assertEquals("image-blocked-gemm declines: its slab exceeds the workspace budget;"
            + " runs im2col-gemm", chosen.plan(pb.g, pass, ctx).reason());
      }
      pb.checkForward("8 KiB on " + kp.name(), pb.forward(chosen, ctx));
      assertEquals(Planner.IM2COL_GEMM, chosen.ran());
      assertNotEquals(scratchBytes(pb.g, kp, 2), Workspace.lastCallBytes(), "im2col's tiles");
      pb.checkBackwardData("8 KiB on " + kp.name(), pb.backwardData(chosen, ctx));
      assertEquals(Planner.IM2COL_GEMM, chosen.ran());
    }
  }

  /**
   * On panama-512's table, AUTO takes ResNet-50's 7x7 layer shapes here for the forward and
   * input gradient in batches of 8 (at 14x14 Winograd takes all three passes), not their
   * weight gradient; not a batch of 7, not NHWC, not stride 2, not
   * 28x28 with a 3x3 kernel (ImplicitGemm's rows waste 7%; 5x5, 14%: taken), not 56x56, not
   * fewer than 128 source channels per tap (LeNet's 5x5 layer: 32, and 64 for its transpose).
   */
  @Test
  void autoTakesBatchesOfSmallPaddedImages() {
    ConvCase r50 = ConvCase.of("7x7").x(8, 128, 7, 7).kernel(128, 3, 3).pad(Padding.of(1))
        .build();
    ConvGeometry g = r50.geometry();
    PassPlan weight = planned(Algorithm.IMAGE_BLOCKED_GEMM, g, Pass.BACKWARD_WEIGHT);
    assertEquals(Planner.IM2COL_GEMM, weight.path());
    assertEquals("image-blocked-gemm declines: no weight gradient of its own; runs im2col-gemm",
        weight.reason());
    assertEquals(Planner.IMAGE_BLOCKED_GEMM, auto(g, Pass.FORWARD));
    assertEquals(Planner.IMAGE_BLOCKED_GEMM, auto(g, Pass.BACKWARD_DATA));
    assertEquals(Planner.IM2COL_GEMM, auto(g, Pass.BACKWARD_WEIGHT));
    // 14x14: Winograd, ahead in the list, takes every pass
    ConvGeometry r14 = square(14, 1, 3);
    for (Pass pass : Pass.values()) {
      assertEquals(Planner.WINOGRAD, auto(r14, pass), pass.label());
    }
    for (ConvGeometry other : List.of(r50.withBatch(7).geometry(),
        r50.inLayout(org.vconv.Layout.NHWC).geometry(), square(14, 2, 3), square(28, 1, 3),
        square(56, 1, 3), ConvCase.of("lenet").x(64, 32, 28, 28).kernel(64, 5, 5)
            .pad(Padding.of(2)).build().geometry(), ConvCase.of("7x7 127").x(8, 127, 7, 7)
            .kernel(127, 3, 3).pad(Padding.of(1)).build().geometry())) {
      for (Pass pass : Pass.values()) {
        assertNotEquals(Planner.IMAGE_BLOCKED_GEMM, auto(other, pass), other + " " + pass);
      }
    }
    assertEquals(Planner.IMAGE_BLOCKED_GEMM, auto(square(28, 1, 5), Pass.FORWARD),
        "28x28, 5x5 'same' wastes 14% in ImplicitGemm");
  }

  /**
   * On AVX2 and 128-bit vectors the micro-tile holds 3 images: batches of 24 are taken there,
   * batches of 8 (panama-512's multiple) are not.
   */
  @Test
  void theBatchMultipleIsTheProvidersTileHeight() {
    ConvCase r50 = ConvCase.of("7x7").x(8, 128, 7, 7).kernel(128, 3, 3).pad(Padding.of(1))
        .build();
    ExecContext ctx = new ExecContext(2, 64L << 20, VectorProviders.get());
    for (String provider : List.of("panama-256", "panama-128")) {
      Planner planner = Planner.of(Tuning.of(provider));
      PassPlan eight = planner.plan(Algorithm.AUTO, Pass.FORWARD, r50.geometry(), ctx);
      assertNotEquals(Planner.IMAGE_BLOCKED_GEMM, eight.path(), provider);
      assertEquals(Planner.IMAGE_BLOCKED_GEMM, planner.plan(Algorithm.AUTO, Pass.FORWARD,
          r50.withBatch(24).geometry(), ctx).path(), provider);
    }
  }

  private static PassPlan planned(Algorithm a, ConvGeometry g, Pass pass) {
    ExecContext ctx = new ExecContext(2, 64L << 20, VectorProviders.get());
    return Planner.of(Tuning.of("panama-512")).plan(a, pass, g, ctx);
  }

  /** AUTO's path on panama-512's table. */
  private static String auto(ConvGeometry g, Pass pass) {
    return planned(Algorithm.AUTO, g, pass).path();
  }

  /** Batch 8, 128 channels, size x size, a k x k kernel with this stride, padded by k / 2. */
  private static ConvGeometry square(int size, int stride, int k) {
    return ConvCase.of(size + "x" + size).x(8, 128, size, size).kernel(128, k, k)
        .stride(stride, stride).pad(Padding.of(k / 2)).build().geometry();
  }
}
