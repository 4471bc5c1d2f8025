package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * {@link GroupedDirect} against {@link DirectReference} on the parameters it meets: channels
 * per group 1, 2, 3, 4, 8, 16, multipliers 1 and 2, strides 1..3 (unequal too), dilation,
 * asymmetric, SAME and oversized padding, strides larger than the kernel (phases without
 * taps), output widths 1, 7, 15, 16, 17, 33, 56, whole and partial image batches, both layouts,
 * bias or not. Tolerances are {@link Checks#assertClose}'s, from each pass's reduction length.
 */
class GroupedDirectTest {
  private static final ConvAlgorithm ALGO = new GroupedDirect();

  static List<ConvCase> cases() {
    List<ConvCase> base = List.of(
        ConvCase.of("depthwise").x(2, 3, 7, 17).kernel(3, 3, 3).groups(3).pad(Padding.of(1))
            .bias().build(),
        ConvCase.of("depthwise x2 s2").x(1, 5, 9, 16).kernel(10, 3, 3).groups(5).stride(2, 2)
            .pad(Padding.of(1)).build(),
        ConvCase.of("cg2 s3,2 dil").x(2, 4, 11, 15).kernel(4, 5, 3).groups(2).stride(3, 2)
            .pad(Padding.of(2, 0, 1, 3)).dilation(1, 2).bias().build(),
        ConvCase.of("cg3 x2 same").x(1, 6, 6, 33).kernel(12, 3, 1).groups(2).stride(1, 3)
            .pad(Padding.SAME).dilation(2, 1).build(),
        ConvCase.of("resnext-like q56").x(2, 12, 6, 56).kernel(12, 3, 3).groups(3)
            .pad(Padding.of(1)).bias().build(),
        ConvCase.of("cg8 q16").x(1, 16, 5, 16).kernel(16, 3, 3).groups(2).pad(Padding.of(1))
            .build(),
        ConvCase.of("cg4 x2 q17").x(1, 8, 6, 17).kernel(16, 3, 3).groups(2).pad(Padding.of(1))
            .bias().build(),
        ConvCase.of("cg2 x2 s2 q33").x(1, 4, 7, 65).kernel(8, 3, 3).groups(2).stride(2, 2)
            .pad(Padding.of(1)).build(),
        ConvCase.of("q1").x(2, 2, 1, 1).kernel(2, 3, 3).groups(2).pad(Padding.of(1)).bias()
            .build(),
        ConvCase.of("cg3 1x1 q15").x(1, 6, 3, 15).kernel(6, 1, 1).groups(2).build(),
        ConvCase.of("cg1 2x4 same").x(2, 4, 8, 8).kernel(4, 2, 4).groups(4).stride(2, 1)
            .pad(Padding.SAME).build(),
        ConvCase.of("cg16 q33").x(1, 32, 4, 33).kernel(32, 3, 3).groups(2).pad(Padding.of(1))
            .bias().build(),
        ConvCase.of("pad beyond kernel").x(1, 4, 5, 6).kernel(4, 2, 2).groups(2)
            .pad(Padding.of(3, 1, 0, 4)).build(),
        // 25x31 padded planes (shared padding): batches of 3 images, so 4 leave a partial one
        // (checked below)
        ConvCase.of("partial batch").x(4, 4, 24, 30).kernel(4, 3, 3).groups(2)
            .pad(Padding.of(1)).bias().build(),
        ConvCase.of("stride beyond kernel").x(2, 3, 10, 11).kernel(6, 2, 1).groups(3)
            .stride(3, 3).dilation(2, 1).pad(Padding.of(1)).bias().build(),
        // stride 1: rows and images share their padding (RegNet's 7x7 planes, 16 channels
        // per group, three images in one run); a padded 1x1 keeps both pads per row
        ConvCase.of("cg16 7x7 shared pads").x(3, 32, 7, 7).kernel(32, 3, 3).groups(2)
            .pad(Padding.of(1)).bias().build(),
        ConvCase.of("1x1 padded").x(2, 4, 5, 6).kernel(4, 1, 1).groups(2)
            .pad(Padding.of(1, 0, 2, 1)).build(),
        // stride-1 depthwise, NCHW in place (DepthwiseNchw): the 3x3 bulk kernels, the flat
        // and column paths, crops in the input gradient
        ConvCase.of("dw 3x3 q56").x(2, 3, 9, 56).kernel(3, 3, 3).groups(3).pad(Padding.of(1))
            .bias().build(),
        ConvCase.of("dw 3x3 q17 dil").x(1, 2, 12, 17).kernel(2, 3, 3).groups(2)
            .pad(Padding.of(2)).dilation(2, 2).build(),
        ConvCase.of("dw 5x5 same q33").x(1, 2, 8, 33).kernel(2, 5, 5).groups(2)
            .pad(Padding.SAME).bias().build(),
        ConvCase.of("dw 3x3 valid").x(2, 2, 7, 20).kernel(2, 3, 3).groups(2).build(),
        ConvCase.of("dw asymmetric").x(1, 3, 6, 16).kernel(3, 3, 2).groups(3)
            .pad(Padding.of(0, 2, 1, 0)).build(),
        ConvCase.of("dw pad beyond kernel").x(1, 2, 4, 9).kernel(2, 2, 3).groups(2)
            .pad(Padding.of(3, 1, 0, 4)).bias().build(),
        ConvCase.of("dw one row").x(3, 2, 1, 31).kernel(2, 3, 3).groups(2).pad(Padding.of(1))
            .build());
    List<ConvCase> out = new ArrayList<>();
    for (ConvCase cs : base) {
      out.add(cs);
      out.add(cs.inLayout(Layout.NHWC));
    }
    return out;
  }

  @Test
  void matchesReferenceOnEveryPassProviderAndThreadCount() {
    ConvGeometry partial = cases().stream().filter(c -> c.name().equals("partial batch"))
        .findFirst().orElseThrow().geometry();
    int batch = GroupedDirect.batch(partial, PhasePlanes.imagePitch(partial), 1,
        new ExecContext(1, 64L << 20, VectorProviders.get()));
    assertTrue(batch > 1 && partial.n() % batch != 0, "a partial batch: " + batch);
    int checked = 0;
    for (ConvCase cs : cases()) {
      Problem pb = new Problem(cs, cs.toString().hashCode());
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        float[][] first = null;
        for (int threads = 1; threads <= 3; threads++) {
          ExecContext ctx = new ExecContext(threads, 64L << 20, kp);
          float[][] got = {pb.forward(ALGO, ctx), pb.backwardData(ALGO, ctx),
              pb.backwardWeight(ALGO, ctx)};
          String what = cs + " on " + kp.name() + " x" + threads;
          pb.checkForward(what, got[0]);
          pb.checkBackwardData(what, got[1]);
          pb.checkBackwardWeight(what, got[2]);
          if (first == null) {
            first = got;
          } else { // the thread count must not change a bit
            Checks.assertBitwise(what + " y", first[0], got[0]);
            Checks.assertBitwise(what + " dx", first[1], got[1]);
            Checks.assertBitwise(what + " dw", first[2], got[2]);
          }
          checked++;
        }
      }
    }
    assertEquals(cases().size() * 2 * 3, checked);
  }

  /**
   * NaN and Inf where PyTorch has them, and only there: the padding of {@code dy} and the junk
   * positions of the flat runs add exact zeros, but {@code 0 * Inf = NaN}. Non-finite weights
   * must not reach the input gradient through padding (the plane path declines them and the
   * plan runs im2col), and an Inf in the last input column
   * (read through the last kernel column only, by junk positions or wrapped reads through the
   * first) must not reach the weights of the first column. Values in [-1, 1]: error grows with
   * the length.
   */
  @Test
  void nonFiniteValuesReachOnlyTheResultsTheyBelongTo() {
    int checked = 0;
    for (Layout l : Layout.values()) {
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        ExecContext ctx = new ExecContext(2, 64L << 20, kp);
        // input gradient: Inf and NaN weights, pad 1, depthwise x2 and C/G = 2
        // (AUTO plans NCHW's strided and small-plane input gradients with C/G > 1 on im2col,
        // so NCHW's C/G = 2 case is a 16x16 stride-1 one)
        ConvCase cg2 = l == Layout.NHWC
            ? ConvCase.of("inf w cg2 s2").x(1, 4, 7, 7).kernel(4, 3, 3).groups(2).stride(2, 2)
                .pad(Padding.of(1)).build().inLayout(l)
            : ConvCase.of("inf w cg2").x(1, 4, 16, 16).kernel(4, 3, 3).groups(2)
                .pad(Padding.of(1)).build().inLayout(l);
        for (ConvCase cs : List.of(
            ConvCase.of("inf w dw").x(2, 3, 5, 6).kernel(6, 3, 3).groups(3)
                .pad(Padding.of(1)).build().inLayout(l),
            cg2,
            ConvCase.of("inf w dw s1").x(2, 3, 9, 40).kernel(3, 3, 3).groups(3)
                .pad(Padding.of(1)).build().inLayout(l),
            // a corner tap: the masked and the padded plane kernels multiply it by zeros
            ConvCase.of("inf w dw 5x5").x(2, 3, 13, 28).kernel(3, 5, 5).groups(3)
                .pad(Padding.of(2)).build().inLayout(l))) {
          Problem pb = new Problem(cs, 5);
          pb.w[cs.name().endsWith("5x5") ? 0 : 1] = Float.POSITIVE_INFINITY;
          pb.w[pb.w.length - 2] = Float.NaN;
          float[] ref = pb.backwardData(new DirectReference(), ctx);
          Planned auto = new Planned(org.vconv.Algorithm.AUTO);
          assertEquals(org.vconv.plan.Planner.GROUPED_DIRECT, auto.plan(pb.g,
              org.vconv.plan.Pass.BACKWARD_DATA, ctx).path(), cs + ": planned");
          Checks.assertSameValues(cs + " dx on " + kp.name(), ref, pb.backwardData(auto, ctx),
              1e-6f * pb.g.kg() * 9);
          // the NHWC depthwise kernels take no product with padding; the plane paths decline
          assertEquals(GroupedDirect.exactForAnyWeights(pb.g) ? org.vconv.plan.Planner
              .GROUPED_DIRECT : org.vconv.plan.Planner.IM2COL_GEMM, auto.ran(), cs + ": ran");
          checked++;
        }
        // weight gradient: Inf in the last column of x; no padding, and depthwise SAME (the
        // in-place kernel reads it, wrapped, for the first kernel column)
        for (ConvCase cs : List.of(
            ConvCase.of("inf x").x(2, 4, 5, 6).kernel(4, 3, 3).groups(2).build().inLayout(l),
            ConvCase.of("inf x dw s1").x(2, 3, 9, 40).kernel(3, 3, 3).groups(3)
                .pad(Padding.of(1)).build().inLayout(l))) {
          Problem pb = new Problem(cs, 6);
          pb.x[pb.g.xIndex(1, 2, 3, pb.g.w() - 1)] = Float.POSITIVE_INFINITY;
          float[] ref = pb.backwardWeight(new DirectReference(), ctx);
          assertTrue(Float.isFinite(ref[pb.g.wIndex(2, 0, 0, 0)]), "the first column is finite");
          Checks.assertSameValues(cs + " dw on " + kp.name(), ref, pb.backwardWeight(ALGO, ctx),
              1e-6f * pb.g.n() * pb.g.pq());
          checked++;
        }
      }
    }
    assertEquals(2 * 2 * 6, checked);
  }

  /**
   * A budget below one buffer runs one worker on the minimum buffer (one image per batch),
   * used even above the budget; a large budget stacks images and lets each of three workers
   * hold a buffer. Forward and input gradient keep their bits (every element is the same
   * fused tap sum); the weight gradient's partial sums follow the batch, so the budget may
   * move its last bits (as im2col's tiles do), never the thread count.
   */
  @Test
  void aSmallBudgetRunsOneMinimalBuffer() {
    ConvCase cs = ConvCase.of("budget").x(3, 8, 9, 20).kernel(8, 3, 3).groups(2)
        .pad(Padding.of(1)).bias().build();
    Problem pb = new Problem(cs, 31);
    ExecContext one = new ExecContext(1, 64L << 20, VectorProviders.get());
    ExecContext big = new ExecContext(3, 64L << 20, VectorProviders.get());
    ExecContext small = new ExecContext(3, 1024, VectorProviders.get());
    ExecContext smallOne = new ExecContext(1, 1024, VectorProviders.get());
    int checked = 0;
    for (int pass = 0; pass < 3; pass++) {
      String what = "pass " + pass;
      float[] ref = run(pb, pass, one);
      long buffer = Workspace.lastCallBytes();
      float[] wide = run(pb, pass, big);
      long wideBytes = Workspace.lastCallBytes();
      float[] narrow = run(pb, pass, small);
      long narrowBytes = Workspace.lastCallBytes();
      float[] narrowOne = run(pb, pass, smallOne);
      Checks.assertBitwise(what + ", 3 threads", ref, wide);
      Checks.assertBitwise(what + ", small budget, 3 threads vs 1", narrowOne, narrow);
      if (pass < 2) {
        Checks.assertBitwise(what + ", small budget", ref, narrow);
      }
      check(pb, pass, narrow);
      assertEquals(narrowBytes, Workspace.lastCallBytes(), what + ": one buffer either way");
      assertTrue(narrowBytes > 1024 && narrowBytes < buffer,
          what + ": the minimum exceeds 1 KiB, the batch shrinks: " + narrowBytes);
      assertTrue(wideBytes >= buffer && wideBytes <= 3 * buffer && wideBytes % buffer == 0,
          what + ": a buffer per worker, " + wideBytes);
      checked++;
    }
    assertEquals(3, checked);
  }

  /**
   * NCHW depthwise at stride 1 (DepthwiseNchw): a weight-gradient task keeps R*S*lanes partial
   * sums per channel, so a 7x7 kernel over 4096 small planes would hold 50 KB (scalar) to
   * 800 KB (16 lanes) per task at the span the prefetchers like. Under a 64 KiB budget the
   * tasks narrow to fit, with the same bits: the span only parts the channels.
   */
  @Test
  void depthwiseWeightGradientKeepsItsPartialSumsWithinTheBudget() {
    ConvCase cs = ConvCase.of("dw 7x7 c4096").x(1, 4096, 3, 3).kernel(4096, 7, 7).groups(4096)
        .pad(Padding.SAME).build();
    Problem pb = new Problem(cs, 17);
    long small = 64L << 10;
    float[] big = pb.backwardWeight(ALGO, new ExecContext(3, 64L << 20, VectorProviders.get()));
    long bigBytes = Workspace.lastCallBytes();
    float[] narrow = pb.backwardWeight(ALGO, new ExecContext(3, small, VectorProviders.get()));
    long narrowBytes = Workspace.lastCallBytes();
    Checks.assertBitwise("small budget vs large", big, narrow);
    pb.checkBackwardWeight("small budget", narrow);
    assertTrue(bigBytes > small, "the large budget runs wide tasks: " + bigBytes);
    assertTrue(narrowBytes > 0 && narrowBytes <= small, "within the budget: " + narrowBytes);
  }

  private static void check(Problem pb, int pass, float[] got) {
    switch (pass) {
      case 0 -> pb.checkForward("small budget", got);
      case 1 -> pb.checkBackwardData("small budget", got);
      default -> pb.checkBackwardWeight("small budget", got);
    }
  }

  private static float[] run(Problem pb, int pass, ExecContext ctx) {
    return switch (pass) {
      case 0 -> pb.forward(ALGO, ctx);
      case 1 -> pb.backwardData(ALGO, ctx);
      default -> pb.backwardWeight(ALGO, ctx);
    };
  }
}
