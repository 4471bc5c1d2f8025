package org.vconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vconv.testutil.Close;
import org.vconv.testutil.RefConv;

/**
 * The backward pass is the adjoint of the forward pass: for y = conv(x, w) + b and any dy,
 * {@code <y, dy> = <x, dx> + <b, db> = <w, dw> + <b, db>}, with dx, dw, db from
 * {@link Conv2d#backward}. Checked in double on random configurations of every kind (strides,
 * every padding form, dilation, groups, depthwise, both layouts, bias or not) for every
 * algorithm, vectorized and scalar. Needs no golden: a wrong index in any pass breaks it.
 */
class AdjointTest {
  static final int CONFIGS = 64;

  /** A random problem: spec, shapes and float inputs. */
  record Problem(int id, ConvSpec spec, RefConv ref, Tensor x, Tensor w, Tensor b, Tensor dy) {
    @Override
    public String toString() {
      return "#" + id + " " + spec + " " + ref + (b == null ? "" : " +bias");
    }
  }

  static Stream<Problem> problems() {
    return IntStream.range(0, CONFIGS).mapToObj(AdjointTest::problem);
  }

  /** Problem {@code id}, reproducible: the seed is the id. */
  static Problem problem(int id) {
    Random rnd = new Random(0xAD70 + id);
    while (true) {
      Layout layout = id % 2 == 0 ? Layout.NCHW : Layout.NHWC;
      int groups;
      int c;
      int k;
      switch (id / 2 % 4) {
        case 0 -> { // ungrouped
          groups = 1;
          c = 1 + rnd.nextInt(4);
          k = 1 + rnd.nextInt(4);
        }
        case 1 -> { // grouped, several channels per group on both sides
          groups = 2 + rnd.nextInt(2);
          c = groups * (1 + rnd.nextInt(3));
          k = groups * (1 + rnd.nextInt(3));
        }
        case 2 -> { // depthwise K = C
          groups = 1 + rnd.nextInt(5);
          c = groups;
          k = groups;
        }
        default -> { // depthwise with channel multiplier 2
          groups = 1 + rnd.nextInt(4);
          c = groups;
          k = 2 * groups;
        }
      }
      int n = 1 + rnd.nextInt(3);
      int h = 1 + rnd.nextInt(9);
      int wd = 1 + rnd.nextInt(9);
      int r = 1 + rnd.nextInt(4);
      int s = 1 + rnd.nextInt(4);
      int sh = 1 + rnd.nextInt(3);
      int sw = 1 + rnd.nextInt(3);
      int dh = 1 + rnd.nextInt(2);
      int dw = 1 + rnd.nextInt(2);
      Padding pad = switch (id / 8 % 5) {
        case 0 -> Padding.of(rnd.nextInt(3));
        case 1 -> Padding.of(rnd.nextInt(3), rnd.nextInt(3));
        case 2 -> Padding.of(rnd.nextInt(4), rnd.nextInt(4), rnd.nextInt(4), rnd.nextInt(4));
        case 3 -> Padding.SAME;
        default -> Padding.VALID;
      };
      int[] pads = pad.resolve(h, wd, r, s, sh, sw, dh, dw);
      if (h + pads[0] + pads[1] < (r - 1) * dh + 1 || wd + pads[2] + pads[3] < (s - 1) * dw + 1) {
        continue; // empty output: draw again
      }
      ConvSpec spec = ConvSpec.builder().layout(layout).stride(sh, sw).padding(pad)
          .dilation(dh, dw).groups(groups).build();
      int[] xs = layout == Layout.NCHW ? new int[] {n, c, h, wd} : new int[] {n, h, wd, c};
      int[] ws = layout == Layout.NCHW ? new int[] {k, c / groups, r, s}
          : new int[] {r, s, c / groups, k};
      RefConv ref = RefConv.of(layout, xs, ws, new int[] {sh, sw}, pads, new int[] {dh, dw},
          groups);
      Tensor b = rnd.nextBoolean() ? random(rnd, k) : null;
      return new Problem(id, spec, ref, random(rnd, xs), random(rnd, ws), b,
          random(rnd, ref.outputShape()));
    }
  }

  static Tensor random(Random rnd, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] a = t.data();
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return t;
  }

  /** Error bound of a double dot product of m terms, relative to the sum of |products|. */
  static double gamma64(long m) {
    double mu = m * 0x1p-53;
    return mu / (1 - mu);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("problems")
  void backwardIsTheAdjointOfForward(Problem pr) {
    RefConv ref = pr.ref();
    // T = <conv(|x|, |w|), |dy|> bounds every side's sum of |products|; Tb does for the bias
    double[] ady = RefConv.abs(pr.dy().data());
    double t = RefConv.dot(ref.forward(RefConv.abs(pr.x().data()), RefConv.abs(pr.w().data())),
        ady);
    double tb = pr.b() == null ? 0
        : RefConv.dot(RefConv.abs(pr.b().data()), ref.biasGradient(ady));
    // Each float32 result is within gamma(L) * (its sum of |products|) (see Close), and summed
    // against |dy|, |x| or |w| those sums give T (and Tb): so <y,dy> is within
    // gamma(Lf + 1) (T + Tb), <x,dx> within gamma(Ld) T, <w,dw> within gamma(Lw) T, and
    // <b,db> within gamma(Lw) Tb. The double dot products add at most gamma64(size) * 2 (T+Tb)
    // each (the 2 covers |y| <= (1 + gamma) (conv(|x|,|w|) + |b|)).
    double lf = Close.gamma(ref.forwardTerms() + 1);
    double ld = Close.gamma(ref.backwardDataTerms());
    double lw = Close.gamma(ref.backwardWeightTerms());
    double dots = 2 * (gamma64(ref.outputSize()) + gamma64(ref.inputSize())
        + gamma64(ref.weightSize()) + gamma64(ref.k())) * (t + tb);
    double tolX = lf * (t + tb) + ld * t + lw * tb + dots;
    double tolW = lf * (t + tb) + lw * (t + tb) + dots;
    // t == 0 (every window in padding) is kept: y is then the bias alone and dx, dw must be 0

    int checked = 0;
    for (Algorithm a : Algorithm.values()) {
      for (boolean vectorized : new boolean[] {true, false}) {
        Conv2d conv = Conv2d.of(pr.spec()).withAlgorithm(a).withVectorization(vectorized);
        String where = a + (vectorized ? "" : " scalar") + " on " + pr;
        assertArrayEquals(ref.outputShape(), conv.outputShape(pr.x().shape(), pr.w().shape()),
            where);
        Tensor y = conv.forward(pr.x(), pr.w(), pr.b());
        Gradients g = conv.backward(pr.dy(), pr.x(), pr.w());
        double bdb = pr.b() == null ? 0
            : RefConv.dot(RefConv.widen(pr.b().data()), RefConv.widen(g.bias().data()));
        double ydy = RefConv.dot(RefConv.widen(y.data()), RefConv.widen(pr.dy().data()));
        double xdx = RefConv.dot(RefConv.widen(pr.x().data()), RefConv.widen(g.input().data()))
            + bdb;
        double wdw = RefConv.dot(RefConv.widen(pr.w().data()), RefConv.widen(g.weight().data()))
            + bdb;
        assertEquals(ydy, xdx, tolX, "<y,dy> vs <x,dx>+<b,db>, " + where);
        assertEquals(ydy, wdw, tolW, "<y,dy> vs <w,dw>+<b,db>, " + where);
        checked++;
      }
    }
    assertEquals(2 * Algorithm.values().length, checked);
  }

  @Test
  void randomProblemsCoverEveryParameterKind() {
    // the identities above are only as good as the variety of problems they see
    List<Problem> all = problems().toList();
    assertEquals(CONFIGS, all.size());
    List<String> missing = new ArrayList<>();
    need(missing, all, "NHWC", p -> p.spec().layout() == Layout.NHWC);
    need(missing, all, "NCHW", p -> p.spec().layout() == Layout.NCHW);
    need(missing, all, "same, stride > 1",
        p -> p.spec().padding().isSame() && p.spec().strideH() > 1);
    need(missing, all, "valid", p -> p.spec().padding().isValid());
    need(missing, all, "asymmetric",
        p -> p.ref().padTop() != p.ref().padBottom() || p.ref().padLeft() != p.ref().padRight());
    need(missing, all, "unequal stride", p -> p.spec().strideH() != p.spec().strideW());
    need(missing, all, "stride 3", p -> p.spec().strideH() == 3 || p.spec().strideW() == 3);
    need(missing, all, "unequal dilation", p -> p.spec().dilationH() != p.spec().dilationW());
    need(missing, all, "grouped", p -> p.spec().groups() > 1 && p.ref().c() > p.spec().groups());
    need(missing, all, "depthwise K = 2C",
        p -> p.spec().groups() > 1 && p.ref().c() == p.spec().groups()
            && p.ref().k() == 2 * p.ref().c());
    need(missing, all, "bias", p -> p.b() != null);
    need(missing, all, "no bias", p -> p.b() == null);
    need(missing, all, "batch > 1", p -> p.ref().n() > 1);
    need(missing, all, "non-square kernel", p -> p.ref().r() != p.ref().s());
    assertTrue(missing.isEmpty(), "no random problem with: " + missing);
    long padOnly = all.stream().filter(p -> taps(p.ref()) == 0).count();
    assertTrue(padOnly <= CONFIGS / 10, padOnly + " problems see only padding");
  }

  private static long taps(RefConv ref) {
    long[] count = {0};
    ref.forEachTap((xi, wi, yi) -> count[0]++);
    return count[0];
  }

  private static void need(List<String> missing, List<Problem> all, String what,
      java.util.function.Predicate<Problem> p) {
    if (all.stream().noneMatch(p)) {
      missing.add(what);
    }
  }

  @Test
  void singleChannelBackwardIsTheAdjointOfForward() {
    Random rnd = new Random(7);
    for (int i = 0; i < 20; i++) {
      int kh = 1 + rnd.nextInt(4);
      int kw = 1 + rnd.nextInt(4);
      Tensor x = random(rnd, kh + rnd.nextInt(6), kw + rnd.nextInt(6));
      Tensor k = random(rnd, kh, kw);
      Tensor y = SingleChannel.forward(x, k);
      Tensor grad = random(rnd, y.shape());
      Gradients g = SingleChannel.backward(grad, x, k);
      RefConv ref = RefConv.of(Layout.NCHW, new int[] {1, 1, x.dim(0), x.dim(1)},
          new int[] {1, 1, kh, kw}, new int[] {1, 1}, new int[4], new int[] {1, 1}, 1);
      double t = RefConv.dot(ref.forward(RefConv.abs(x.data()), RefConv.abs(k.data())),
          RefConv.abs(grad.data()));
      double tol = (Close.gamma(ref.forwardTerms()) + Close.gamma(ref.backwardWeightTerms())
          + 4 * gamma64(x.size())) * t;
      double ydy = RefConv.dot(RefConv.widen(y.data()), RefConv.widen(grad.data()));
      assertEquals(ydy, RefConv.dot(RefConv.widen(x.data()), RefConv.widen(g.input().data())),
          tol, "x side, " + x + " * " + k);
      assertEquals(ydy, RefConv.dot(RefConv.widen(k.data()), RefConv.widen(g.weight().data())),
          tol, "kernel side, " + x + " * " + k);
    }
  }
}
