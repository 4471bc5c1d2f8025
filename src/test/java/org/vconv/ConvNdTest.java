package org.vconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * ConvNd's own properties: the adjoint identities in double on random configurations of every
 * family, 1-D equal to 2-D with a height of 1 bit for bit, results independent of the thread
 * count, and one test per validation rule of {@link ConvNdSpec} and {@link ConvNd}.
 */
class ConvNdTest {

  /** {@code <conv(x, w), dy> = <x, dx> = <w, dw>} in double, for a conv linear in each. */
  @Test
  void adjointIdentitiesHoldForEveryFamily() {
    SplittableRandom rnd = new SplittableRandom(7);
    int checked = 0;
    for (int trial = 0; trial < 240; trial++) {
      int rank = 1 + trial % 3;
      boolean transposed = trial % 4 == 1;
      PaddingMode mode = transposed ? PaddingMode.ZEROS
          : PaddingMode.values()[(trial / 3) % PaddingMode.values().length];
      int g = 1 + rnd.nextInt(2);
      int[] in = new int[rank];
      int[] kernel = new int[rank];
      int[] stride = new int[rank];
      int[] dil = new int[rank];
      int[] pads = new int[2 * rank];
      int[] op = new int[rank];
      for (int i = 0; i < rank; i++) {
        in[i] = 3 + rnd.nextInt(rank == 3 ? 3 : 6);
        kernel[i] = 1 + rnd.nextInt(3);
        stride[i] = 1 + rnd.nextInt(2);
        dil[i] = 1 + rnd.nextInt(2);
        pads[2 * i] = rnd.nextInt(Math.min(3, in[i]));
        pads[2 * i + 1] = transposed ? pads[2 * i] : rnd.nextInt(Math.min(3, in[i]));
        op[i] = transposed ? rnd.nextInt(Math.max(stride[i], dil[i])) : 0;
      }
      boolean last = rnd.nextBoolean();
      ConvNdSpec spec = ConvNdSpec.builder(rank).stride(stride).dilation(dil).padding(pads)
          .groups(g).channelsLast(last).paddingMode(mode).transposed(transposed)
          .outputPadding(op).build();
      int c = g * (1 + rnd.nextInt(3));
      int k = g * (1 + rnd.nextInt(3));
      int[] xs = shape(last, 2, c, in);
      int[] ws = weightShape(last, transposed ? c : k, (transposed ? k : c) / g, kernel);
      ConvNd conv = ConvNd.of(spec);
      int[] ys;
      try {
        ys = conv.outputShape(xs, ws);
      } catch (IllegalArgumentException empty) {
        continue; // a draw with no output
      }
      Tensor x = random(rnd, xs);
      Tensor w = random(rnd, ws);
      Tensor dy = random(rnd, ys);
      Tensor y = conv.forward(x, w, null);
      Gradients grads = conv.backward(dy, x, w);
      double yDy = dot(y, dy);
      double xDx = dot(x, grads.input());
      double wDw = dot(w, grads.weight());
      double scale = absDot(y, dy) + 1e-30;
      String what = spec + " x" + Arrays.toString(xs);
      assertEquals(yDy, xDx, 1e-5 * scale, what + ": <y, dy> vs <x, dx>");
      assertEquals(yDy, wDw, 1e-5 * scale, what + ": <y, dy> vs <w, dw>");
      checked++;
    }
    assertTrue(checked >= 150, "only " + checked + " configurations had an output");
  }

  @Test
  void oneDimensionalIsTwoDimensionalWithHeightOneBitForBit() {
    SplittableRandom rnd = new SplittableRandom(3);
    Tensor x = random(rnd, 2, 4, 37);
    Tensor w = random(rnd, 6, 2, 5);
    Tensor b = random(rnd, 6);
    ConvNd conv1 = ConvNd.of(ConvNdSpec.builder(1).stride(2).padding(3, 1).dilation(2)
        .groups(2).build());
    Conv2d conv2 = Conv2d.of(ConvSpec.builder().stride(1, 2).padding(Padding.of(0, 0, 3, 1))
        .dilation(1, 2).groups(2).build());
    Tensor x2 = Tensor.of(x.data(), 2, 4, 1, 37);
    Tensor w2 = Tensor.of(w.data(), 6, 2, 1, 5);
    Tensor y1 = conv1.forward(x, w, b);
    Tensor y2 = conv2.forward(x2, w2, b);
    assertArrayEquals(y2.data(), y1.data());
    Tensor dy = random(rnd, y1.shape());
    Gradients g1 = conv1.backward(dy, x, w);
    Gradients g2 = conv2.backward(Tensor.of(dy.data(), y2.shape()), x2, w2);
    assertArrayEquals(g2.input().data(), g1.input().data());
    assertArrayEquals(g2.weight().data(), g1.weight().data());
    assertArrayEquals(g2.bias().data(), g1.bias().data());
  }

  @Test
  void everyFamilyIsBitwiseIndependentOfTheThreadCount() {
    SplittableRandom rnd = new SplittableRandom(11);
    ConvNdSpec[] specs = {
        ConvNdSpec.builder(3).stride(2, 1, 1).padding(1).groups(2).build(),
        ConvNdSpec.builder(3).channelsLast(true).padding("same").build(),
        ConvNdSpec.builder(2).transposed(true).stride(2).padding(1).outputPadding(1).build(),
        ConvNdSpec.builder(1).paddingMode(PaddingMode.REFLECT).padding(2).build(),
        ConvNdSpec.builder(2).paddingMode(PaddingMode.CIRCULAR).padding(1, 2).build(),
        ConvNdSpec.builder(2).channelsLast(true).paddingMode(PaddingMode.REFLECT).padding(2)
            .build(),
        ConvNdSpec.builder(3).paddingMode(PaddingMode.REPLICATE).padding(1).build()};
    for (ConvNdSpec spec : specs) {
      int rank = spec.rank();
      int[] in = new int[rank];
      int[] kernel = new int[rank];
      Arrays.fill(in, rank == 3 ? 6 : 12);
      Arrays.fill(kernel, 3);
      int[] xs = shape(spec.channelsLast(), 3, 8, in);
      int[] ws = weightShape(spec.channelsLast(), 8, 8 / spec.groups(), kernel);
      Tensor x = random(rnd, xs);
      Tensor w = random(rnd, ws);
      Tensor dy = random(rnd, ConvNd.of(spec).outputShape(xs, ws));
      Tensor y1 = ConvNd.of(spec).withThreads(1).forward(x, w, null);
      Gradients g1 = ConvNd.of(spec).withThreads(1).backward(dy, x, w);
      for (int t = 2; t <= 4; t++) {
        ConvNd conv = ConvNd.of(spec).withThreads(t);
        assertArrayEquals(y1.data(), conv.forward(x, w, null).data(), spec + " threads " + t);
        Gradients g = conv.backward(dy, x, w);
        assertArrayEquals(g1.input().data(), g.input().data(), spec + " dx threads " + t);
        assertArrayEquals(g1.weight().data(), g.weight().data(), spec + " dw threads " + t);
      }
    }
  }

  // ---- one test per validation rule ----

  @Test
  void rankMustBeOneToThree() {
    expect(() -> ConvNdSpec.builder(0), "rank must be 1, 2 or 3");
    expect(() -> ConvNdSpec.builder(4), "rank must be 1, 2 or 3");
  }

  @Test
  void perAxisValuesTakeOneOrRankValues() {
    expect(() -> ConvNdSpec.builder(3).stride(1, 2), "stride takes 1 or 3 values");
    expect(() -> ConvNdSpec.builder(2).dilation(0), "dilation must be positive");
    expect(() -> ConvNdSpec.builder(2).stride(1, -1), "stride must be positive");
  }

  @Test
  void paddingTakesOneRankOrTwiceRankValues() {
    expect(() -> ConvNdSpec.builder(2).padding(1, 2, 3), "padding takes 1, 2 or 4 values");
    expect(() -> ConvNdSpec.builder(1).padding(-1), "padding must be non-negative");
    expect(() -> ConvNdSpec.builder(1).padding("wide"), "not a list of integers");
    assertArrayEquals(new int[] {1, 1, 2, 2, 3, 3},
        ConvNdSpec.builder(3).padding(1, 2, 3).build().padding());
    assertArrayEquals(new int[] {4, 5}, ConvNdSpec.builder(1).padding("4,5").build().padding());
  }

  @Test
  void layoutNameMustMatchTheRank() {
    expect(() -> ConvNdSpec.builder(1).layout("NCHW"), "must be NCL or NLC");
    assertTrue(ConvNdSpec.builder(3).layout("ndhwc").build().channelsLast());
  }

  @Test
  void outputPaddingNeedsATransposedConvolution() {
    expect(() -> ConvNdSpec.builder(2).stride(2).outputPadding(1).build(),
        "output padding needs a transposed convolution");
  }

  @Test
  void outputPaddingMustBeSmallerThanStrideOrDilation() {
    expect(() -> ConvNdSpec.builder(1).transposed(true).stride(2).outputPadding(2).build(),
        "smaller than either stride or dilation");
    // smaller than the dilation is enough, as in PyTorch
    ConvNdSpec.builder(1).transposed(true).dilation(3).outputPadding(2).build();
  }

  @Test
  void transposedConvolutionTakesExplicitZeroPaddingOnly() {
    expect(() -> ConvNdSpec.builder(2).transposed(true).padding("same").build(),
        "takes explicit padding");
    expect(() -> ConvNdSpec.builder(2).transposed(true).paddingMode(PaddingMode.REFLECT)
        .build(), "pads with zeros only");
  }

  @Test
  void reflectPaddingMustBeSmallerThanTheInput() {
    ConvNd conv = ConvNd.of(ConvNdSpec.builder(1).paddingMode(PaddingMode.REFLECT).padding(4)
        .build());
    expect(() -> conv.outputShape(new int[] {1, 1, 4}, new int[] {1, 1, 3}),
        "reflect padding must be smaller than the input");
    assertArrayEquals(new int[] {1, 1, 9}, conv.outputShape(new int[] {1, 1, 5},
        new int[] {1, 1, 5}));
  }

  @Test
  void circularPaddingMustBeAtMostTheInput() {
    ConvNd conv = ConvNd.of(ConvNdSpec.builder(2).paddingMode(PaddingMode.CIRCULAR)
        .padding(0, 3).build());
    expect(() -> conv.outputShape(new int[] {1, 1, 4, 2}, new int[] {1, 1, 1, 1}),
        "circular padding must be at most the input");
    assertArrayEquals(new int[] {1, 1, 4, 9}, conv.outputShape(new int[] {1, 1, 4, 3},
        new int[] {1, 1, 1, 1}));
  }

  @Test
  void tensorRanksMustMatchTheSpec() {
    ConvNd conv = ConvNd.of(ConvNdSpec.builder(3).build());
    expect(() -> conv.outputShape(new int[] {1, 1, 4, 4}, new int[] {1, 1, 1, 1, 1}),
        "expected a 5-D input");
    expect(() -> conv.outputShape(new int[] {1, 1, 4, 4, 4}, new int[] {1, 1, 1, 1}),
        "expected a 5-D weight");
  }

  @Test
  void transposedWeightMustMatchTheInputChannels() {
    ConvNd conv = ConvNd.of(ConvNdSpec.builder(1).transposed(true).groups(2).build());
    expect(() -> conv.outputShape(new int[] {1, 4, 5}, new int[] {6, 1, 3}),
        "expected input with 6 channels");
    assertArrayEquals(new int[] {1, 2, 7}, conv.outputShape(new int[] {1, 4, 5},
        new int[] {4, 1, 3}));
  }

  @Test
  void biasAndGradOutputShapesAreChecked() {
    ConvNd conv = ConvNd.of(ConvNdSpec.builder(1).build());
    Tensor x = Tensor.zeros(1, 2, 6);
    Tensor w = Tensor.zeros(3, 2, 3);
    expect(() -> conv.forward(x, w, Tensor.zeros(2)), "expected bias of shape [3]");
    expect(() -> conv.backward(Tensor.zeros(1, 3, 5), x, w), "expected grad output of shape");
  }

  private static void expect(Executable call, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '"
        + fragment + "'");
  }

  private static int[] shape(boolean last, int n, int c, int[] in) {
    int[] s = new int[in.length + 2];
    s[0] = n;
    s[last ? in.length + 1 : 1] = c;
    System.arraycopy(in, 0, s, last ? 1 : 2, in.length);
    return s;
  }

  private static int[] weightShape(boolean last, int first, int second, int[] kernel) {
    int[] s = new int[kernel.length + 2];
    if (last) {
      System.arraycopy(kernel, 0, s, 0, kernel.length);
      s[kernel.length] = second;
      s[kernel.length + 1] = first;
    } else {
      s[0] = first;
      s[1] = second;
      System.arraycopy(kernel, 0, s, 2, kernel.length);
    }
    return s;
  }

  private static Tensor random(SplittableRandom rnd, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return t;
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) {
      s += (double) a.data()[i] * b.data()[i];
    }
    return s;
  }

  private static double absDot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) {
      s += Math.abs((double) a.data()[i] * b.data()[i]);
    }
    return s;
  }
}
