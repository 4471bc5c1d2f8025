package org.vconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the specification objects mean: SAME and explicit output sizes against the PyTorch /
 * TensorFlow formulas, the padding forms, value semantics of Padding and ConvSpec, and the
 * immutability of Conv2d, Tensor shapes and outputShape's arguments.
 */
class SpecTest {

  /** TensorFlow's SAME (PyTorch's at stride 1): total pad, odd extra at the bottom/right. */
  static int sameTotal(int in, int k, int stride, int dil) {
    int out = (in + stride - 1) / stride;
    return Math.max((out - 1) * stride + (k - 1) * dil + 1 - in, 0);
  }

  @Test
  void sameKeepsCeilOfInputOverStride() {
    int checked = 0;
    for (int in = 1; in <= 13; in++) {
      for (int k = 1; k <= 6; k++) {
        for (int stride = 1; stride <= 4; stride++) {
          for (int dil = 1; dil <= 3; dil++) {
            // the W axis gets a different combination so the two axes are not mixed up
            int inW = 14 - in;
            int kW = 7 - k;
            int strideW = 5 - stride;
            int dilW = 4 - dil;
            Conv2d conv = Conv2d.of(ConvSpec.builder().padding(Padding.SAME)
                .stride(stride, strideW).dilation(dil, dilW).build());
            int[] out = conv.outputShape(new int[] {1, 1, in, inW}, new int[] {1, 1, k, kW});
            String where = "in " + in + "x" + inW + " k " + k + "x" + kW + " stride " + stride
                + "," + strideW + " dil " + dil + "," + dilW;
            assertEquals(Math.ceilDiv(in, stride), out[2], where);
            assertEquals(Math.ceilDiv(inW, strideW), out[3], where);

            int[] pads = Padding.SAME.resolve(in, inW, k, kW, stride, strideW, dil, dilW);
            int th = sameTotal(in, k, stride, dil);
            int tw = sameTotal(inW, kW, strideW, dilW);
            assertArrayEquals(new int[] {th / 2, th - th / 2, tw / 2, tw - tw / 2}, pads, where);
            if (stride == 1) {
              // PyTorch's padding="same": dilation * (kernel - 1) in total, extra at the end
              assertEquals(dil * (k - 1), pads[0] + pads[1], where);
              assertTrue(pads[1] - pads[0] == 0 || pads[1] - pads[0] == 1, where);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(13 * 6 * 4 * 3, checked);
  }

  @Test
  void explicitPaddingFollowsPyTorchsFormula() {
    // out = floor((in + top + bottom - dil * (k - 1) - 1) / stride) + 1
    Random rnd = new Random(11);
    for (int i = 0; i < 300; i++) {
      int in = 1 + rnd.nextInt(12);
      int k = 1 + rnd.nextInt(5);
      int s = 1 + rnd.nextInt(4);
      int d = 1 + rnd.nextInt(3);
      int top = rnd.nextInt(4);
      int bottom = rnd.nextInt(4);
      int span = in + top + bottom - d * (k - 1) - 1;
      Conv2d conv = Conv2d.of(ConvSpec.builder().padding(Padding.of(top, bottom, 1, 1))
          .stride(s, 1).dilation(d, 1).build());
      String where = "in " + in + " k " + k + " s " + s + " d " + d + " pad " + top + "," + bottom;
      if (span < 0) {
        assertThrows(IllegalArgumentException.class,
            () -> conv.outputShape(new int[] {1, 1, in, 3}, new int[] {1, 1, k, 3}), where);
      } else {
        int[] out = conv.outputShape(new int[] {1, 1, in, 3}, new int[] {1, 1, k, 3});
        assertEquals(span / s + 1, out[2], where);
        assertEquals(3, out[3], where); // width 3 + 1 + 1 - 3 + 1
      }
    }
  }

  @Test
  void sameComputesWhatItsResolvedPaddingComputes() {
    // SAME is only a way of choosing pads: the results must be bitwise those of the explicit
    // pads it resolves to, forward and backward, in both layouts
    Random rnd = new Random(5);
    for (int i = 0; i < 24; i++) {
      Layout layout = i % 2 == 0 ? Layout.NCHW : Layout.NHWC;
      int h = 1 + rnd.nextInt(8);
      int w = 1 + rnd.nextInt(8);
      int r = 1 + rnd.nextInt(4);
      int s = 1 + rnd.nextInt(4);
      int sh = 1 + rnd.nextInt(3);
      int sw = 1 + rnd.nextInt(3);
      int[] p = Padding.SAME.resolve(h, w, r, s, sh, sw, 1, 2);
      ConvSpec same = ConvSpec.builder().layout(layout).stride(sh, sw).dilation(1, 2)
          .padding(Padding.SAME).build();
      ConvSpec explicit = same.toBuilder().padding(Padding.of(p[0], p[1], p[2], p[3])).build();
      int[] xs = layout == Layout.NCHW ? new int[] {2, 3, h, w} : new int[] {2, h, w, 3};
      int[] ws = layout == Layout.NCHW ? new int[] {2, 3, r, s} : new int[] {r, s, 3, 2};
      Tensor x = AdjointTest.random(rnd, xs);
      Tensor wt = AdjointTest.random(rnd, ws);
      Conv2d a = Conv2d.of(same).withAlgorithm(Algorithm.DIRECT);
      Conv2d b = Conv2d.of(explicit).withAlgorithm(Algorithm.DIRECT);
      Tensor ya = a.forward(x, wt);
      assertArrayEquals(b.forward(x, wt).data(), ya.data(), same.toString());
      Tensor dy = AdjointTest.random(rnd, ya.shape());
      Gradients ga = a.backward(dy, x, wt);
      Gradients gb = b.backward(dy, x, wt);
      assertArrayEquals(gb.input().data(), ga.input().data(), same.toString());
      assertArrayEquals(gb.weight().data(), ga.weight().data(), same.toString());
    }
  }

  @Test
  void paddingParsesEveryForm() {
    assertEquals(Padding.of(3, 3, 3, 3), Padding.parse("3"));
    assertEquals(Padding.of(1, 1, 2, 2), Padding.parse("1,2"));
    assertEquals(Padding.of(1, 2), Padding.parse(" 1 , 2 "));
    assertEquals(Padding.of(1, 2, 3, 4), Padding.parse("1,2,3,4"));
    assertEquals(Padding.of(0), Padding.parse("0"));
    assertSame(Padding.SAME, Padding.parse("same"));
    assertSame(Padding.SAME, Padding.parse(" SAME "));
    assertSame(Padding.VALID, Padding.parse("Valid"));
    assertTrue(Padding.parse("same").isSame());
    assertTrue(Padding.parse("valid").isValid());
    // the printed form parses back to an equal value
    for (Padding p : List.of(Padding.of(0), Padding.of(2), Padding.of(1, 3),
        Padding.of(4, 0, 2, 1), Padding.SAME, Padding.VALID)) {
      assertEquals(p, Padding.parse(p.toString()), p.toString());
    }
    // explicit pads resolve to themselves whatever the sizes; VALID to zeros
    assertArrayEquals(new int[] {4, 0, 2, 1},
        Padding.of(4, 0, 2, 1).resolve(1, 2, 3, 4, 5, 6, 7, 8));
    assertArrayEquals(new int[] {0, 0, 0, 0}, Padding.VALID.resolve(9, 9, 3, 3, 2, 2, 1, 1));
  }

  @Test
  void paddingIsAValue() {
    assertEquals(Padding.of(1, 2, 3, 4), Padding.of(1, 2, 3, 4));
    assertEquals(Padding.of(1, 2, 3, 4).hashCode(), Padding.of(1, 2, 3, 4).hashCode());
    assertEquals(Padding.of(2), Padding.of(2, 2));
    assertEquals(Padding.of(2).hashCode(), Padding.of(2, 2).hashCode());
    // every side counts
    assertNotEquals(Padding.of(1, 2, 3, 4), Padding.of(2, 1, 3, 4));
    assertNotEquals(Padding.of(1, 2, 3, 4), Padding.of(1, 2, 4, 3));
    assertNotEquals(Padding.of(1, 2, 3, 4), Padding.of(1, 2, 3, 5));
    assertNotEquals(Padding.SAME, Padding.VALID);
    assertNotEquals(Padding.SAME, Padding.of(1));
    assertEquals("1,2,3,4", Padding.of(1, 2, 3, 4).toString());
    assertEquals("same", Padding.SAME.toString());
    assertEquals("valid", Padding.VALID.toString());
  }

  @Test
  void convSpecIsAValue() {
    ConvSpec d = ConvSpec.defaults();
    assertEquals(1, d.strideH());
    assertEquals(1, d.strideW());
    assertEquals(1, d.dilationH());
    assertEquals(1, d.dilationW());
    assertEquals(1, d.groups());
    assertEquals(Layout.NCHW, d.layout());
    assertTrue(d.padding().isValid());
    assertEquals(d, ConvSpec.builder().build());
    assertEquals(d.hashCode(), ConvSpec.builder().build().hashCode());

    ConvSpec full = ConvSpec.builder().stride(2, 3).padding(Padding.of(1, 2, 3, 4))
        .dilation(4, 5).groups(6).layout(Layout.NHWC).build();
    assertEquals(full, full.toBuilder().build());
    assertEquals(full.hashCode(), full.toBuilder().build().hashCode());
    assertEquals(ConvSpec.builder().stride(2).build(), ConvSpec.builder().stride(2, 2).build());
    assertEquals(ConvSpec.builder().dilation(3).build(),
        ConvSpec.builder().dilation(3, 3).build());
    assertEquals(ConvSpec.builder().padding(1, 2).build(),
        ConvSpec.builder().padding(Padding.of(1, 1, 2, 2)).build());

    // each field on its own makes a different spec
    List<ConvSpec> variants = List.of(
        full.toBuilder().stride(9, 3).build(),
        full.toBuilder().stride(2, 9).build(),
        full.toBuilder().padding(Padding.of(1, 2, 3, 9)).build(),
        full.toBuilder().padding(Padding.SAME).build(),
        full.toBuilder().dilation(9, 5).build(),
        full.toBuilder().dilation(4, 9).build(),
        full.toBuilder().groups(2).build(),
        full.toBuilder().layout(Layout.NCHW).build());
    for (ConvSpec v : variants) {
      assertNotEquals(full, v, v.toString());
      assertNotEquals(full.toString(), v.toString());
    }
    assertNotEquals(full, null);
    assertNotEquals(full, "ConvSpec");

    String s = full.toString();
    for (String part : new String[] {"stride=2,3", "padding=1,2,3,4", "dilation=4,5", "groups=6",
        "layout=NHWC"}) {
      assertTrue(s.contains(part), s + " lacks " + part);
    }
  }

  @Test
  void aBuiltSpecDoesNotFollowItsBuilder() {
    ConvSpec.Builder b = ConvSpec.builder().stride(2).groups(2);
    ConvSpec first = b.build();
    b.stride(3).groups(4).padding(1).layout(Layout.NHWC);
    assertEquals(2, first.strideH());
    assertEquals(2, first.groups());
    assertTrue(first.padding().isValid());
    assertEquals(Layout.NCHW, first.layout());
    assertNotEquals(first, b.build());
  }

  @Test
  void conv2dWithMethodsReturnNewInstances() {
    ConvSpec spec = ConvSpec.builder().padding(1).build();
    Conv2d base = Conv2d.of(spec);
    assertSame(spec, base.spec());
    assertEquals(Algorithm.AUTO, base.algorithm());
    int threads = base.threads();
    long budget = base.workspaceBytes();
    String kernels = base.kernels();

    Conv2d a = base.withAlgorithm(Algorithm.DIRECT);
    Conv2d t = base.withThreads(threads + 3);
    Conv2d w = base.withWorkspaceBytes(budget + 4096);
    Conv2d v = base.withVectorization(false);
    for (Conv2d c : List.of(a, t, w, v)) {
      assertNotSame(base, c);
      assertSame(spec, c.spec());
    }
    // the original is unchanged by any of them
    assertEquals(Algorithm.AUTO, base.algorithm());
    assertEquals(threads, base.threads());
    assertEquals(budget, base.workspaceBytes());
    assertEquals(kernels, base.kernels());
    // each changes only its own option
    assertEquals(Algorithm.DIRECT, a.algorithm());
    assertEquals(threads, a.threads());
    assertEquals(threads + 3, t.threads());
    assertEquals(Algorithm.AUTO, t.algorithm());
    assertEquals(budget + 4096, w.workspaceBytes());
    assertEquals(threads, w.threads());
    assertEquals("scalar", v.kernels());
    assertEquals(Algorithm.AUTO, v.algorithm());
    // options carry through chains
    Conv2d chained = base.withAlgorithm(Algorithm.KERNEL_OFFSET).withThreads(2)
        .withWorkspaceBytes(Conv2d.MIN_WORKSPACE_BYTES).withVectorization(false);
    assertEquals(Algorithm.KERNEL_OFFSET, chained.algorithm());
    assertEquals(2, chained.threads());
    assertEquals(Conv2d.MIN_WORKSPACE_BYTES, chained.workspaceBytes());
    assertEquals("scalar", chained.kernels());
    assertEquals(kernels, chained.withVectorization(true).kernels());
  }

  @Test
  void shapesHandedOutOrTakenInAreCopies() {
    int[] shape = {2, 3};
    Tensor t = Tensor.of(new float[6], shape);
    shape[0] = 99;
    assertArrayEquals(new int[] {2, 3}, t.shape());
    t.shape()[1] = 99;
    assertArrayEquals(new int[] {2, 3}, t.shape());
    Tensor c = t.copy();
    c.data()[0] = 5;
    assertEquals(0, t.data()[0]);

    int[] xs = {1, 2, 5, 5};
    int[] ws = {3, 2, 3, 3};
    int[] out = Conv2d.of(ConvSpec.defaults()).outputShape(xs, ws);
    assertArrayEquals(new int[] {1, 3, 3, 3}, out);
    assertArrayEquals(new int[] {1, 2, 5, 5}, xs);
    assertArrayEquals(new int[] {3, 2, 3, 3}, ws);
  }

  @Test
  void backwardComputesExactlyTheGradientsAskedFor() {
    Random rnd = new Random(3);
    Conv2d conv = Conv2d.of(ConvSpec.builder().padding(1).stride(2).groups(2).build());
    Tensor x = AdjointTest.random(rnd, 2, 4, 6, 5);
    Tensor w = AdjointTest.random(rnd, 6, 2, 3, 3);
    Tensor dy = AdjointTest.random(rnd, conv.outputShape(x.shape(), w.shape()));
    Gradients all = conv.backward(dy, x, w);
    assertNotNull(all.input());
    assertNotNull(all.weight());
    assertNotNull(all.bias());
    List<Set<Gradient>> subsets = new ArrayList<>();
    for (int mask = 0; mask < 8; mask++) {
      EnumSet<Gradient> s = EnumSet.noneOf(Gradient.class);
      for (Gradient g : Gradient.values()) {
        if ((mask >> g.ordinal() & 1) != 0) {
          s.add(g);
        }
      }
      subsets.add(s);
    }
    for (Set<Gradient> s : subsets) {
      Gradients g = conv.backward(dy, x, w, s);
      check(s.contains(Gradient.INPUT), all.input(), g.input(), s);
      check(s.contains(Gradient.WEIGHT), all.weight(), g.weight(), s);
      check(s.contains(Gradient.BIAS), all.bias(), g.bias(), s);
    }
  }

  private static void check(boolean wanted, Tensor full, Tensor got, Set<Gradient> s) {
    if (wanted) {
      assertNotNull(got, s.toString());
      assertArrayEquals(full.shape(), got.shape(), s.toString());
      assertArrayEquals(full.data(), got.data(), s.toString());
    } else {
      assertNull(got, s + " computed a gradient it was not asked for");
    }
  }

  @Test
  void layoutNamesParse() {
    assertEquals(Layout.NCHW, Layout.parse("nchw"));
    assertEquals(Layout.NHWC, Layout.parse(" NHWC "));
    assertEquals("NCHW", Layout.NCHW.activationAxes());
    assertEquals("OIHW", Layout.NCHW.weightAxes());
    assertEquals("NHWC", Layout.NHWC.activationAxes());
    assertEquals("HWIO", Layout.NHWC.weightAxes());
  }
}
