package org.vconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.plan.Pass;
import org.vconv.plan.Planner;

/**
 * (shape, pass, provider) -> the path that ran, recorded by the executed plan, for the kernels
 * of this JVM and the scalar kernels. Paths that depend on the provider name it (the
 * image-blocked GEMM wants a batch of a multiple of the micro-tile height: 8 rows at 512
 * bits, 3 at 256 and 128, 4 scalar).
 */
class PlannerTableTest {
  private static final String IB = Planner.IMAGE_BLOCKED_GEMM;
  private static final String IMPLICIT = Planner.IMPLICIT_GEMM;
  private static final String IM2COL = Planner.IM2COL_GEMM;
  private static final String POINTWISE = Planner.POINTWISE_GEMM;
  private static final String PW_BATCH = Planner.POINTWISE_BATCH_GEMM;
  private static final String PW_DOTS = Planner.POINTWISE_DOTS;
  private static final String GROUPED = Planner.GROUPED_DIRECT;
  private static final String DOTS = Planner.WINDOW_DOTS;
  private static final String PLANE = Planner.PLANE_DOTS;
  private static final String DW_CL = Planner.DEPTHWISE_CHANNELS_LAST;
  private static final String WINO = Planner.WINOGRAD;
  private static final String COVERING = Planner.COVERING_GEMM;

  /**
   * A shape and its expected paths for fwd, bwd_data, bwd_weight; {@code byProvider} overrides
   * them for some providers.
   */
  record Row(String name, ConvSpec spec, int[] x, int[] w, List<String> paths,
      Map<String, List<String>> byProvider) {

    List<String> expected(String provider) {
      return byProvider.getOrDefault(provider, paths);
    }
  }

  static Row row(String name, ConvSpec spec, int[] x, int[] w, String fwd, String bwdData,
      String bwdWeight) {
    return new Row(name, spec, x, w, List.of(fwd, bwdData, bwdWeight), Map.of());
  }

  static List<Row> table() {
    ConvSpec pad1 = ConvSpec.builder().padding(1).build();
    // 3-row micro-tiles: the batch of 8 is not image-blocked; with 128 filters the forward
    // takes the implicit GEMM's 9-for-7 rows (up to 6400% / 128 = 50% wider)
    List<String> narrowOnly = List.of(IMPLICIT, IM2COL, IM2COL);
    return List.of(
        // 7x7 planes padded by 1: rows 9 for 7, too wide for the implicit GEMM
        new Row("7x7 b8 128ch", pad1, new int[] {8, 128, 7, 7}, new int[] {128, 128, 3, 3},
            List.of(IB, IB, IM2COL), Map.of("panama-256", narrowOnly, "panama-128", narrowOnly)),
        row("7x7 b24 128ch", pad1, new int[] {24, 128, 7, 7}, new int[] {128, 128, 3, 3},
            IB, IB, IM2COL),
        // 8 input channels: the input gradient's transpose has too few filters for the
        // implicit GEMM's lanes
        row("16x16 valid", ConvSpec.builder().build(), new int[] {1, 8, 16, 16},
            new int[] {8, 8, 3, 3}, IMPLICIT, IM2COL, IM2COL),
        row("16x16 valid 32ch", ConvSpec.builder().build(), new int[] {1, 32, 16, 16},
            new int[] {8, 32, 3, 3}, IMPLICIT, IMPLICIT, IM2COL),
        // LeNet-5's convolutions at a training chunk of 32: the first one's 25-deep reduction
        // is too shallow for the implicit forward, its single channel and 16 filters too few
        // for the implicit gradients' lanes, its 25 taps and 28-wide rows make dot products
        // along whole shifted planes; the second's weight gradient has short rows (136
        // columns per image) but only 32 filters, over a batch of 4352 columns
        row("LeNet conv1 b32", ConvSpec.builder().padding(2).build(), new int[] {32, 1, 28, 28},
            new int[] {16, 1, 5, 5}, IM2COL, IM2COL, PLANE),
        row("LeNet conv2 b32", ConvSpec.builder().build(), new int[] {32, 16, 14, 14},
            new int[] {32, 16, 5, 5}, IMPLICIT, IM2COL, IMPLICIT),
        // strided stems: the 7x7's 147-deep reduction takes the implicit forward, the 3x3's
        // 27 leaves it to im2col (the bound is 64 at any stride)
        row("stem-like 7x7 s2", ConvSpec.builder().stride(2).padding(3).build(),
            new int[] {1, 3, 34, 64}, new int[] {8, 3, 7, 7}, IMPLICIT, IM2COL, DOTS),
        row("stem-like 3x3 s2", ConvSpec.builder().stride(2).padding(1).build(),
            new int[] {1, 3, 34, 64}, new int[] {8, 3, 3, 3}, IM2COL, IM2COL, DOTS),
        // disjoint windows (2x2 stride 2, as a U-Net upsampler's weight gradient): the
        // outer-product pass's copy is no larger than the input, so dot products only for
        // filters of at most 32 taps
        row("2x2 s2 64ch", ConvSpec.builder().stride(2).build(), new int[] {1, 64, 64, 64},
            new int[] {32, 64, 2, 2}, IMPLICIT, IM2COL, IMPLICIT),
        row("2x2 s2 12ch", ConvSpec.builder().stride(2).build(), new int[] {1, 12, 64, 64},
            new int[] {32, 12, 2, 2}, IM2COL, IM2COL, IMPLICIT),
        row("2x2 s2 8ch", ConvSpec.builder().stride(2).build(), new int[] {1, 8, 64, 64},
            new int[] {32, 8, 2, 2}, IM2COL, IM2COL, DOTS),
        // strided, overlapping windows, many filters: the weight gradient goes implicit at 71
        // columns per image over a batch of 1136 (im2col would gather every element four
        // times, one at a time), not at 19 columns (4x4 outputs) nor over a batch of 568
        row("4x4 s2 8x8 out b16", ConvSpec.builder().stride(2).padding(1).build(),
            new int[] {16, 128, 16, 16}, new int[] {128, 128, 4, 4}, IMPLICIT, IM2COL,
            IMPLICIT),
        row("4x4 s2 4x4 out b64", ConvSpec.builder().stride(2).padding(1).build(),
            new int[] {64, 128, 8, 8}, new int[] {128, 128, 4, 4}, IMPLICIT, IM2COL, IM2COL),
        row("4x4 s2 8x8 out b8", ConvSpec.builder().stride(2).padding(1).build(),
            new int[] {8, 128, 16, 16}, new int[] {128, 128, 4, 4}, IMPLICIT, IM2COL, IM2COL),
        row("32x32 3x3", pad1, new int[] {1, 8, 32, 32}, new int[] {8, 8, 3, 3}, IMPLICIT,
            IM2COL, DOTS),
        // 5x5 planes: one GEMM over the batch but for the weight gradient; 11x11: per image;
        // the weight gradient of few channels (16*8/(16+8) = 5.3 products per packed value)
        // as dots, of 64 and 64 (32 per value) as a GEMM
        row("1x1", ConvSpec.builder().build(), new int[] {2, 16, 5, 5}, new int[] {8, 16, 1, 1},
            PW_BATCH, PW_BATCH, PW_DOTS),
        row("1x1 11x11", ConvSpec.builder().build(), new int[] {2, 16, 11, 11},
            new int[] {8, 16, 1, 1}, POINTWISE, POINTWISE, PW_DOTS),
        row("1x1 64ch", ConvSpec.builder().build(), new int[] {2, 64, 7, 7},
            new int[] {64, 64, 1, 1}, PW_BATCH, PW_BATCH, POINTWISE),
        row("depthwise", ConvSpec.builder().padding(1).groups(8).build(),
            new int[] {2, 8, 9, 9}, new int[] {8, 1, 3, 3}, GROUPED, GROUPED, GROUPED),
        // MobileNetV2's late depthwise: small planes, many channels; strided, the input
        // gradient takes the copies only on outputs of up to 256 pixels (its input is larger)
        row("depthwise 7x7 64ch", ConvSpec.builder().padding(1).groups(64).build(),
            new int[] {4, 64, 7, 7}, new int[] {64, 1, 3, 3}, DW_CL, DW_CL, DW_CL),
        row("depthwise 14x14 s2 32ch", ConvSpec.builder().stride(2).padding(1).groups(32)
            .build(), new int[] {2, 32, 14, 14}, new int[] {32, 1, 3, 3}, DW_CL, DW_CL, DW_CL),
        row("depthwise 28x28 s2 192ch", ConvSpec.builder().stride(2).padding(1).groups(192)
            .build(), new int[] {8, 192, 28, 28}, new int[] {192, 1, 3, 3}, DW_CL, DW_CL,
            DW_CL),
        row("depthwise 56x56 s2 144ch", ConvSpec.builder().stride(2).padding(1).groups(144)
            .build(), new int[] {8, 144, 56, 56}, new int[] {144, 1, 3, 3}, DW_CL, GROUPED,
            DW_CL),
        // MobileNetV3's 5x5 depthwise at 14x14: the plane kernels copy the planes padded (rows
        // of 14 fill 16 lanes or two 8-lane vectors); 7x7 planes leave 16 lanes half empty
        new Row("depthwise 5x5 14x14 32ch", ConvSpec.builder().padding(2).groups(32).build(),
            new int[] {2, 32, 14, 14}, new int[] {32, 1, 5, 5}, List.of(GROUPED, GROUPED, DW_CL),
            Map.of("scalar", List.of(DW_CL, DW_CL, DW_CL))),
        new Row("depthwise 5x5 7x7 32ch", ConvSpec.builder().padding(2).groups(32).build(),
            new int[] {2, 32, 7, 7}, new int[] {32, 1, 5, 5}, List.of(DW_CL, DW_CL, DW_CL),
            Map.of("panama-256", List.of(GROUPED, GROUPED, DW_CL),
                "panama-128", List.of(GROUPED, GROUPED, DW_CL))),
        // 10x10 planes: the direct input gradient at any plane size; the direct weight
        // gradient takes at most 16 channels per group
        row("24 per group", ConvSpec.builder().padding(1).groups(2).build(),
            new int[] {2, 48, 10, 10}, new int[] {48, 24, 3, 3}, GROUPED, GROUPED, IM2COL),
        row("24 per group 16x16", ConvSpec.builder().padding(1).groups(2).build(),
            new int[] {2, 48, 16, 16}, new int[] {48, 24, 3, 3}, GROUPED, GROUPED, IM2COL),
        // RegNetX-400MF's last stage at batch 1: 16 channels per group on 7x7 planes
        row("16 per group 7x7 b1", ConvSpec.builder().padding(1).groups(25).build(),
            new int[] {1, 400, 7, 7}, new int[] {400, 16, 3, 3}, GROUPED, GROUPED, IM2COL),
        // a kernel that covers its input: a dense layer (DCGAN's discriminator head, and the
        // input gradient of this is a transposed convolution from a 1x1 input); NHWC
        // interleaves groups per pixel, so grouped NHWC stays with the GEMM paths
        row("kernel covers input", ConvSpec.builder().build(), new int[] {64, 512, 4, 4},
            new int[] {100, 512, 4, 4}, COVERING, COVERING, COVERING),
        row("kernel covers input, grouped", ConvSpec.builder().groups(2).stride(2).build(),
            new int[] {8, 128, 3, 3}, new int[] {32, 64, 3, 3}, COVERING, COVERING, COVERING),
        row("NHWC kernel covers input", ConvSpec.builder().layout(Layout.NHWC).build(),
            new int[] {8, 4, 4, 64}, new int[] {4, 4, 64, 32}, COVERING, COVERING, COVERING),
        row("NHWC kernel covers input, grouped", ConvSpec.builder().groups(2)
            .layout(Layout.NHWC).build(), new int[] {8, 3, 3, 128}, new int[] {3, 3, 64, 32},
            IM2COL, IM2COL, IM2COL),
        row("kernel covers input but padded", ConvSpec.builder().padding(1).build(),
            new int[] {8, 64, 3, 3}, new int[] {32, 64, 3, 3}, IMPLICIT, IM2COL, IM2COL),
        row("NHWC", ConvSpec.builder().padding(1).layout(Layout.NHWC).build(),
            new int[] {2, 10, 10, 16}, new int[] {3, 3, 16, 8}, IM2COL, IM2COL, IM2COL),
        // 3x3 stride 1, 32+ channels (64+ in NCHW), 10x10+ outputs, 128+ tiles in the batch:
        // Winograd; its weight gradient wants 64+ channels
        row("14x14 b4 64ch", pad1, new int[] {4, 64, 14, 14}, new int[] {64, 64, 3, 3}, WINO,
            WINO, WINO),
        row("14x14 b2 64ch", pad1, new int[] {2, 64, 14, 14}, new int[] {64, 64, 3, 3},
            IMPLICIT, IMPLICIT, IM2COL),
        row("14x14 b1 256ch", pad1, new int[] {1, 256, 14, 14}, new int[] {256, 256, 3, 3},
            IMPLICIT, IMPLICIT, IM2COL),
        row("28x28 b1 128ch", pad1, new int[] {1, 128, 28, 28}, new int[] {128, 128, 3, 3},
            WINO, WINO, WINO),
        // NCHW under 64 channels: the implicit and image-blocked GEMMs; NHWC has neither
        row("14x14 b8 32ch", pad1, new int[] {8, 32, 14, 14}, new int[] {32, 32, 3, 3},
            IMPLICIT, IMPLICIT, IMPLICIT),
        row("DenseNet 128 -> 32 28x28 b8", pad1, new int[] {8, 128, 28, 28},
            new int[] {32, 128, 3, 3}, IMPLICIT, IMPLICIT, IMPLICIT),
        row("NHWC DenseNet 128 -> 32 28x28 b8", ConvSpec.builder().padding(1)
            .layout(Layout.NHWC).build(), new int[] {8, 28, 28, 128}, new int[] {3, 3, 128, 32},
            WINO, WINO, IM2COL),
        row("VGG 28x28 b1 256 -> 512", pad1, new int[] {1, 256, 28, 28},
            new int[] {512, 256, 3, 3}, WINO, WINO, WINO),
        row("NHWC 14x14 b4 64ch", ConvSpec.builder().padding(1).layout(Layout.NHWC).build(),
            new int[] {4, 14, 14, 64}, new int[] {3, 3, 64, 64}, WINO, WINO, WINO),
        row("80x80 b1 64ch", pad1, new int[] {1, 64, 80, 80}, new int[] {64, 64, 3, 3},
            IMPLICIT, IMPLICIT, IMPLICIT),
        // padded rows 18 for 14: over 20% wider, but with 64 filters im2col's copy weighs
        // more, so the forward reads windows in place (6400% / 64 = 100% allowed)
        row("dilated 3x3 64ch", ConvSpec.builder().padding(2).dilation(2).build(),
            new int[] {2, 64, 14, 14}, new int[] {64, 64, 3, 3}, IMPLICIT, IM2COL, IM2COL),
        // Inception-v3's 1x7 at 17x17, batch 1: rows 23 for 17, wider than 6400% / 192, but
        // 896 deep: the forward numbers pixels densely; the 144-deep dilated layer below
        // stays with im2col
        row("1x7 17x17 b1 192 filters", ConvSpec.builder().padding(0, 3).build(),
            new int[] {1, 128, 17, 17}, new int[] {192, 128, 1, 7}, IMPLICIT, IM2COL, IM2COL),
        row("dilated 3x3 512ch", ConvSpec.builder().padding(2).dilation(2).build(),
            new int[] {1, 16, 14, 14}, new int[] {512, 16, 3, 3}, IM2COL, IM2COL, IM2COL),
        row("NHWC depthwise", ConvSpec.builder().padding(1).groups(16).layout(Layout.NHWC)
            .build(), new int[] {2, 10, 10, 16}, new int[] {3, 3, 1, 16}, GROUPED, GROUPED,
            GROUPED));
  }

  static Tensor random(Random rnd, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = rnd.nextFloat() * 2 - 1;
    }
    return t;
  }

  @Test
  void everyPassRunsThePathTheTableSays() {
    int checked = 0;
    for (boolean vectorized : new boolean[] {true, false}) {
      for (Row r : table()) {
        Conv2d conv = Conv2d.of(r.spec()).withThreads(2).withVectorization(vectorized);
        List<String> want = r.expected(conv.kernels());
        String what = r.name() + " on " + conv.kernels();
        ConvPlan plan = conv.plan(r.x(), r.w());
        assertEquals(want, plan.steps().stream().map(ConvPlan.Step::path).toList(),
            what + ": " + plan);
        Random rnd = new Random(r.name().hashCode());
        Tensor x = random(rnd, r.x());
        Tensor w = random(rnd, r.w());
        Tensor y = conv.forward(x, w);
        assertEquals(want.get(0), Conv2d.lastRun(Pass.FORWARD), what + " fwd");
        conv.backward(random(rnd, y.shape()), x, w);
        assertEquals(want.get(1), Conv2d.lastRun(Pass.BACKWARD_DATA), what + " bwd_data");
        assertEquals(want.get(2), Conv2d.lastRun(Pass.BACKWARD_WEIGHT), what + " bwd_weight");
        checked++;
      }
    }
    assertEquals(2 * table().size(), checked);
  }

  /** Non-finite weights: the plan's exact path runs, and the ran path says so. */
  @Test
  void nonFiniteValuesRunTheExactPathTheReasonNames() {
    for (boolean vectorized : new boolean[] {true, false}) {
      Conv2d conv = Conv2d.of(ConvSpec.builder().padding(1).build()).withThreads(2)
          .withVectorization(vectorized);
      int[] xs = {1, 32, 16, 16};
      int[] ws = {8, 32, 3, 3};
      ConvPlan plan = conv.plan(xs, ws);
      assertEquals(IMPLICIT, plan.inputGradient().path());
      assertTrue(plan.inputGradient().reason().endsWith("if the weights are not finite: "
          + IM2COL), plan.toString());
      Random rnd = new Random(3);
      Tensor x = random(rnd, xs);
      Tensor w = random(rnd, ws);
      Tensor dy = random(rnd, conv.outputShape(xs, ws));
      conv.backward(dy, x, w, java.util.EnumSet.of(Gradient.INPUT));
      assertEquals(IMPLICIT, Conv2d.lastRun(Pass.BACKWARD_DATA));
      w.data()[5] = Float.POSITIVE_INFINITY;
      conv.backward(dy, x, w, java.util.EnumSet.of(Gradient.INPUT));
      assertEquals(IM2COL, Conv2d.lastRun(Pass.BACKWARD_DATA));
    }
  }

  /** An explicit choice that declines a pass runs im2col, and the plan says why. */
  @Test
  void anExplicitChoiceThatDeclinesRunsIm2colVisibly() {
    Conv2d conv = Conv2d.of(ConvSpec.builder().stride(2).padding(1).build()).withThreads(2)
        .withAlgorithm(Algorithm.IMPLICIT_GEMM);
    int[] xs = {1, 8, 16, 16};
    int[] ws = {8, 8, 3, 3};
    ConvPlan plan = conv.plan(xs, ws);
    assertEquals(new ConvPlan.Step("bwd_data", IM2COL,
        "implicit-gemm declines: stride 2x2 input gradient: no strided form; runs im2col-gemm"),
        plan.inputGradient());
    assertEquals(IMPLICIT, plan.forward().path());
    Random rnd = new Random(5);
    Tensor x = random(rnd, xs);
    Tensor w = random(rnd, ws);
    conv.backward(random(rnd, conv.outputShape(xs, ws)), x, w);
    assertEquals(IM2COL, Conv2d.lastRun(Pass.BACKWARD_DATA));
  }

  /** ESTIMATE: the same plan on every call and for every new convolution of the same options. */
  @Test
  void plansAreTheSameOnEveryCall() {
    for (Row r : table()) {
      Conv2d conv = Conv2d.of(r.spec()).withThreads(2);
      ConvPlan first = conv.plan(r.x(), r.w());
      ConvPlan again = conv.plan(r.x(), r.w());
      assertNotSame(first, again);
      assertEquals(first.steps(), again.steps(), r.name());
      assertEquals(first.steps(), Conv2d.of(r.spec()).withThreads(2).plan(r.x(), r.w())
          .steps(), r.name());
      assertEquals(first.toString(), String.join("\n", first.steps().stream()
          .map(s -> s.pass() + ": " + s.path() + " (" + s.reason() + ")").toList()));
      assertEquals(List.of("fwd", "bwd_data", "bwd_weight"),
          first.steps().stream().map(ConvPlan.Step::pass).toList());
    }
  }
}
