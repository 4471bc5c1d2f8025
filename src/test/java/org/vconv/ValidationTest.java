package org.vconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every validation rule at every public entry. A rejected call must throw
 * {@link IllegalArgumentException} (null arguments: {@link NullPointerException} whose message
 * is the parameter's name, as {@code Objects.requireNonNull} gives), the message must name the
 * parameter and show the offending values, and nothing may be written: forwardInto's output
 * keeps its sentinel and no input changes.
 */
class ValidationTest {
  static final float SENTINEL = -777.25f;

  // A valid problem to start from: groups 2, padding 1; x [2, 6, 5, 5], w [4, 3, 3, 3], b [4]
  static final Conv2d CONV = Conv2d.of(ConvSpec.builder().groups(2).padding(1).build());
  static final int[] X = {2, 6, 5, 5};
  static final int[] W = {4, 3, 3, 3};
  static final int[] Y = {2, 4, 5, 5};

  static Tensor filled(float start, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] a = t.data();
    for (int i = 0; i < a.length; i++) {
      a[i] = start + (i % 13) * 0.25f;
    }
    return t;
  }

  /** The arguments of one call; any may be replaced to break a rule. */
  record Args(Conv2d conv, Tensor x, Tensor w, Tensor b, Tensor dy, Tensor y) {
    static Args valid() {
      return new Args(CONV, filled(1, X), filled(2, W), filled(3, 4), filled(4, Y),
          sentinelTensor(Y));
    }

    Args x(Tensor v) {
      return new Args(conv, v, w, b, dy, y);
    }

    Args w(Tensor v) {
      return new Args(conv, x, v, b, dy, y);
    }

    Args b(Tensor v) {
      return new Args(conv, x, w, v, dy, y);
    }

    Args dy(Tensor v) {
      return new Args(conv, x, w, b, v, y);
    }

    Args y(Tensor v) {
      return new Args(conv, x, w, b, dy, v);
    }

    Args conv(Conv2d v) {
      return new Args(v, x, w, b, dy, y);
    }
  }

  static Tensor sentinelTensor(int... shape) {
    Tensor t = Tensor.zeros(shape);
    Arrays.fill(t.data(), SENTINEL);
    return t;
  }

  /** A public entry of Conv2d that takes (x, w) and maybe more. */
  interface Call {
    void run(Args a);
  }

  record Entry(String name, Call call) {}

  static final Entry FORWARD = new Entry("forward(x, w)", a -> a.conv().forward(a.x(), a.w()));
  static final Entry FORWARD_B = new Entry("forward(x, w, b)",
      a -> a.conv().forward(a.x(), a.w(), a.b()));
  static final Entry FORWARD_INTO = new Entry("forwardInto",
      a -> a.conv().forwardInto(a.x(), a.w(), a.b(), a.y()));
  static final Entry FORWARD_INTO_NO_BIAS = new Entry("forwardInto without bias",
      a -> a.conv().forwardInto(a.x(), a.w(), null, a.y()));
  static final Entry OUTPUT_SHAPE = new Entry("outputShape",
      a -> a.conv().outputShape(a.x().shape(), a.w().shape()));
  static final List<Entry> BACKWARD = List.of(
      new Entry("backward(dy, x, w)", a -> a.conv().backward(a.dy(), a.x(), a.w())),
      backward(EnumSet.of(Gradient.INPUT)),
      backward(EnumSet.of(Gradient.WEIGHT)),
      backward(EnumSet.of(Gradient.BIAS)),
      // asking for nothing still validates everything
      backward(EnumSet.noneOf(Gradient.class)),
      new Entry("backwardInto(dx, dw)", ValidationTest::backwardIntoUntouchedOnFailure));

  /** backwardInto with sentinel outputs shaped like x and w, which a failure must not touch. */
  static void backwardIntoUntouchedOnFailure(Args a) {
    Tensor dx = sentinelTensor(a.x().shape());
    Tensor dw = sentinelTensor(a.w().shape());
    try {
      a.conv().backwardInto(a.dy(), a.x(), a.w(), dx, dw, null);
    } catch (RuntimeException e) {
      for (Tensor t : List.of(dx, dw)) {
        for (float v : t.data()) {
          assertEquals(SENTINEL, v, "backwardInto wrote into a gradient before failing");
        }
      }
      throw e;
    }
  }

  static Entry backward(EnumSet<Gradient> wanted) {
    return new Entry("backward " + wanted, a -> a.conv().backward(a.dy(), a.x(), a.w(), wanted));
  }

  /** Every entry that takes an input and a weight. */
  static List<Entry> allEntries() {
    List<Entry> all = new ArrayList<>(List.of(FORWARD, FORWARD_B, FORWARD_INTO,
        FORWARD_INTO_NO_BIAS, OUTPUT_SHAPE));
    all.addAll(BACKWARD);
    return all;
  }

  /**
   * Runs every entry on {@code args} and expects each to throw IllegalArgumentException with
   * all {@code fragments} in its message, leaving outputs and inputs as they were.
   */
  static void rejects(List<Entry> entries, Args args, String... fragments) {
    assertTrue(fragments.length > 0);
    for (Entry e : entries) {
      Args a = args.y(args.y() == null ? null : sentinelTensor(args.y().shape()));
      Snapshot before = new Snapshot(a);
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
          () -> e.call().run(a), e.name());
      expectMessage(e.name(), ex, fragments);
      before.expectUnchanged(e.name(), a);
    }
  }

  static void expectMessage(String where, Throwable ex, String... fragments) {
    String msg = ex.getMessage();
    for (String f : fragments) {
      assertTrue(msg != null && msg.contains(f),
          where + ": message \"" + msg + "\" does not mention \"" + f + "\"");
    }
  }

  /** Copies of every array of a call, to show that a failed call wrote nothing. */
  record Snapshot(float[][] arrays) {
    Snapshot(Args a) {
      this(copies(a));
    }

    static float[][] copies(Args a) {
      return Arrays.stream(new Tensor[] {a.x(), a.w(), a.b(), a.dy(), a.y()})
          .map(t -> t == null ? null : t.data().clone()).toArray(float[][]::new);
    }

    void expectUnchanged(String where, Args a) {
      float[][] now = copies(a);
      String[] names = {"x", "w", "b", "dy", "y"};
      for (int i = 0; i < names.length; i++) {
        assertArrayEquals(arrays[i], now[i], where + " changed " + names[i]);
      }
      if (a.y() != null && a.y().data() != a.x().data() && a.y().data() != a.w().data()
          && (a.b() == null || a.y().data() != a.b().data())) {
        for (float v : a.y().data()) {
          assertEquals(SENTINEL, v, where + " wrote into the output");
        }
      }
    }
  }

  @Test
  void theValidProblemIsAccepted() {
    // the baseline every other test breaks one rule of: accepted everywhere
    Args a = Args.valid();
    for (Entry e : allEntries()) {
      e.call().run(a);
    }
    assertArrayEquals(Y, CONV.outputShape(X, W));
  }

  @Test
  void inputOfWrongRank() {
    rejects(allEntries(), Args.valid().x(filled(1, 6, 5, 5)),
        "4-D input [N, C, H, W]", "layout NCHW", "[6, 5, 5]");
    rejects(allEntries(), Args.valid().x(filled(1, 1, 2, 6, 5, 5)), "input", "[1, 2, 6, 5, 5]");
    Conv2d nhwc = Conv2d.of(ConvSpec.builder().layout(Layout.NHWC).build());
    rejects(allEntries(), Args.valid().conv(nhwc).x(filled(1, 5, 5, 6)),
        "4-D input [N, H, W, C]", "layout NHWC", "[5, 5, 6]");
  }

  @Test
  void weightOfWrongRank() {
    rejects(allEntries(), Args.valid().w(filled(2, 4, 3, 9)),
        "4-D weight [K, C/groups, R, S]", "[4, 3, 9]");
    Conv2d nhwc = Conv2d.of(ConvSpec.builder().layout(Layout.NHWC).build());
    rejects(allEntries(), Args.valid().conv(nhwc).x(filled(1, 2, 5, 5, 6)).w(filled(2, 9, 6, 4)),
        "4-D weight [R, S, C/groups, K]", "HWIO", "[9, 6, 4]");
  }

  @Test
  void biasOfWrongRankOrLength() {
    List<Entry> withBias = List.of(FORWARD_B, FORWARD_INTO);
    rejects(withBias, Args.valid().b(filled(3, 1, 4)), "bias of shape [4]", "got [1, 4]");
    rejects(withBias, Args.valid().b(filled(3, 3)), "bias of shape [4]", "got [3]");
    rejects(withBias, Args.valid().b(filled(3, 8)), "bias of shape [4]", "got [8]");
  }

  @Test
  void inputChannelsMustBeWeightChannelsTimesGroups() {
    rejects(allEntries(), Args.valid().x(filled(1, 2, 4, 5, 5)),
        "expected input with 6 channels (weight 3 per group x 2 groups), got 4");
    // NHWC: channels are the last input axis, and C/groups the third weight axis (HWIO)
    Conv2d nhwc = Conv2d.of(ConvSpec.builder().layout(Layout.NHWC).groups(2).build());
    rejects(allEntries(), Args.valid().conv(nhwc).x(filled(1, 2, 5, 5, 4)).w(filled(2, 3, 3, 3, 4))
        .dy(filled(4, 2, 3, 3, 4)).y(sentinelTensor(2, 3, 3, 4)),
        "expected input with 6 channels (weight 3 per group x 2 groups), got 4");
  }

  @Test
  void groupsMustDivideTheFilters() {
    rejects(allEntries(), Args.valid().w(filled(2, 3, 3, 3, 3)), "groups=2",
        "weight's 3 output channels");
    Conv2d g4 = Conv2d.of(ConvSpec.builder().groups(4).build());
    rejects(allEntries(), Args.valid().conv(g4).x(filled(1, 1, 8, 5, 5)).w(filled(2, 6, 2, 3, 3)),
        "groups=4", "weight's 6 output channels");
  }

  @Test
  void strideDilationAndGroupsMustBePositive() {
    for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
      String got = "got " + bad;
      expectIae(() -> ConvSpec.builder().stride(bad), "stride must be positive", got);
      expectIae(() -> ConvSpec.builder().stride(1, bad), "stride must be positive", got);
      expectIae(() -> ConvSpec.builder().stride(bad, 1), "stride must be positive", got);
      expectIae(() -> ConvSpec.builder().dilation(bad), "dilation must be positive", got);
      expectIae(() -> ConvSpec.builder().dilation(2, bad), "dilation must be positive", got);
      expectIae(() -> ConvSpec.builder().dilation(bad, 2), "dilation must be positive", got);
      expectIae(() -> ConvSpec.builder().groups(bad), "groups must be positive", got);
      expectIae(() -> CONV.withThreads(bad), "threads must be at least 1", got);
    }
    expectIae(() -> CONV.withWorkspaceBytes(Conv2d.MIN_WORKSPACE_BYTES - 1),
        "workspace budget must be at least " + Conv2d.MIN_WORKSPACE_BYTES,
        "got " + (Conv2d.MIN_WORKSPACE_BYTES - 1));
  }

  @Test
  void paddingMustBeNonNegative() {
    expectIae(() -> Padding.of(-1), "padding must be non-negative", "top=-1");
    expectIae(() -> Padding.of(0, -2), "padding must be non-negative", "left=-2");
    expectIae(() -> Padding.of(-3, 0), "padding must be non-negative", "top=-3");
    expectIae(() -> Padding.of(0, -1, 0, 0), "bottom=-1");
    expectIae(() -> Padding.of(0, 0, -4, 0), "left=-4");
    expectIae(() -> Padding.of(0, 0, 0, -5), "right=-5");
    expectIae(() -> Padding.parse("-1"), "padding must be non-negative", "top=-1");
    expectIae(() -> Padding.parse("1,-2"), "left=-2");
    expectIae(() -> Padding.parse("0,0,0,-7"), "right=-7");
    expectIae(() -> ConvSpec.builder().padding(-1), "padding must be non-negative", "top=-1");
    expectIae(() -> ConvSpec.builder().padding(1, -1), "left=-1");
  }

  @Test
  void paddingStringsMustBeAForm() {
    for (String bad : new String[] {"1,2,3", "1,2,3,4,5", "x", "", "1;2", "1.5", "same2"}) {
      expectIae(() -> Padding.parse(bad), "padding", "'" + bad + "'");
    }
  }

  @Test
  void layoutStringsMustNameALayout() {
    expectIae(() -> Layout.parse("NCWH"), "layout must be NCHW or NHWC", "'NCWH'");
  }

  @Test
  void outputMustNotBeEmpty() {
    rejects(allEntries(), Args.valid().conv(Conv2d.of(ConvSpec.builder().groups(2).build()))
        .x(filled(1, 2, 6, 2, 5)), "output would be empty", "input 2x5", "dilated kernel 3x3");
    // dilation 4 spreads the 3x3 kernel over 9 rows, more than the 7 of the padded input
    Conv2d dilated = Conv2d.of(ConvSpec.builder().groups(2).dilation(4, 1).padding(1).build());
    rejects(allEntries(), Args.valid().conv(dilated), "output would be empty",
        "padded by 1,1,1,1 to 7x7", "dilated kernel 9x3");
  }

  @Test
  void inputAndWeightMustNotBeEmpty() {
    rejects(allEntries(), Args.valid().x(Tensor.of(new float[0], 0, 6, 5, 5)),
        "input must not be empty", "[0, 6, 5, 5]");
    rejects(allEntries(), Args.valid().x(Tensor.of(new float[0], 2, 6, 0, 5)),
        "input must not be empty", "[2, 6, 0, 5]");
    rejects(allEntries(), Args.valid().w(Tensor.of(new float[0], 0, 3, 3, 3)),
        "weight must not be empty", "[0, 3, 3, 3]");
    rejects(allEntries(), Args.valid().w(Tensor.of(new float[0], 4, 3, 3, 0)),
        "weight must not be empty", "[4, 3, 3, 0]");
    expectIae(() -> CONV.outputShape(new int[] {2, -6, 5, 5}, W), "input", "[2, -6, 5, 5]");
  }

  @Test
  void dataLengthMustMatchTheShape() {
    expectIae(() -> Tensor.of(new float[5], 2, 3), "data length 5", "shape [2, 3]",
        "(6 elements)");
    expectIae(() -> Tensor.of(new float[7], 2, 3), "data length 7", "(6 elements)");
    expectIae(() -> Tensor.of(new float[2]), "data length 2", "shape []", "(1 elements)");
    expectIae(() -> Tensor.of(new float[0], 2, -1), "negative dimension", "[2, -1]");
    expectIae(() -> Tensor.of(new float[0], 0, -1), "negative dimension", "[0, -1]");
    expectIae(() -> Tensor.zeros(3, -2), "negative dimension", "[3, -2]");
  }

  @Test
  void elementCountsMustFitInAnArray() {
    String tooMany = "more elements than a Java array can hold";
    expectIae(() -> Tensor.of(new float[0], 65536, 65536), "[65536, 65536]", tooMany);
    expectIae(() -> Tensor.zeros(65536, 65536, 1), "[65536, 65536, 1]", tooMany);
    expectIae(() -> Tensor.zeros(Integer.MAX_VALUE), tooMany);
    // a zero dimension makes the tensor empty, however large the others
    assertEquals(0, Tensor.of(new float[0], Integer.MAX_VALUE, Integer.MAX_VALUE, 0).size());
    // bare shapes given to outputShape must be shapes a tensor can have
    Conv2d plain = Conv2d.of(ConvSpec.builder().stride(4).build());
    expectIae(() -> plain.outputShape(new int[] {1, 1, 65536, 65536}, new int[] {1, 1, 1, 1}),
        "input shape [1, 1, 65536, 65536]", tooMany);
    expectIae(() -> plain.outputShape(new int[] {1, 65536, 1, 1},
        new int[] {65536, 65536, 1, 1}), "weight shape [65536, 65536, 1, 1]", tooMany);
    // both operands fit, the output does not
    expectIae(() -> Conv2d.of(ConvSpec.defaults()).outputShape(new int[] {1, 1, 40000, 40000},
        new int[] {2, 1, 1, 1}), "output [1, 2, 40000, 40000]", tooMany);
    // nor may the padded input exceed int indexing (used to trip an assertion instead)
    Conv2d farPad = Conv2d.of(ConvSpec.builder()
        .padding(Padding.of(1_500_000_000, 1_500_000_000, 0, 0)).dilation(2_000_000_000, 1)
        .build());
    expectIae(() -> farPad.outputShape(new int[] {1, 1, 1, 1}, new int[] {1, 1, 2, 1}),
        "input 1x1 padded by 1500000000,1500000000,0,0 to 3000000001x1", "too large");
  }

  @Test
  void gradOutputMustHaveTheOutputShape() {
    rejects(BACKWARD, Args.valid().dy(filled(4, 2, 4, 5, 4)),
        "expected grad output of shape [2, 4, 5, 5]", "got [2, 4, 5, 4]");
    rejects(BACKWARD, Args.valid().dy(filled(4, 4, 5, 5)),
        "expected grad output of shape [2, 4, 5, 5]", "got [4, 5, 5]");
    rejects(BACKWARD, Args.valid().dy(filled(4, 2, 5, 5, 4)),
        "expected grad output of shape [2, 4, 5, 5]", "got [2, 5, 5, 4]");
  }

  @Test
  void forwardIntoNeedsAnOutputOfTheOutputShape() {
    rejects(List.of(FORWARD_INTO, FORWARD_INTO_NO_BIAS), Args.valid().y(sentinelTensor(2, 4, 5, 4)),
        "expected output of shape [2, 4, 5, 5]", "got [2, 4, 5, 4]");
    rejects(List.of(FORWARD_INTO, FORWARD_INTO_NO_BIAS), Args.valid().y(sentinelTensor(2, 5, 5, 4)),
        "expected output of shape [2, 4, 5, 5]", "got [2, 5, 5, 4]");
    rejects(List.of(FORWARD_INTO), Args.valid().y(sentinelTensor(200)),
        "expected output of shape [2, 4, 5, 5]", "got [200]");
  }

  @Test
  void forwardIntoRejectsAnOutputSharingAnInputsArray() {
    // 1x1 kernels make the output as large as the aliased input
    Conv2d pointwise = Conv2d.of(ConvSpec.defaults());
    String msg = "output must not share its array with an input";
    Tensor x = filled(1, 1, 2, 3, 3);
    Args viaX = new Args(pointwise, x, filled(2, 2, 2, 1, 1), null, null,
        Tensor.of(x.data(), 1, 2, 3, 3));
    expectAliasRejected(viaX, msg);
    Tensor w = filled(2, 2, 2, 1, 1);
    expectAliasRejected(new Args(pointwise, filled(1, 1, 2, 1, 2), w, null, null,
        Tensor.of(w.data(), 1, 2, 1, 2)), msg);
    Tensor b = filled(3, 3);
    expectAliasRejected(new Args(pointwise, filled(1, 1, 2, 1, 1), filled(2, 3, 2, 1, 1), b,
        null, Tensor.of(b.data(), 1, 3, 1, 1)), msg);
  }

  @Test
  void backwardIntoNeedsGradientsOfTheRightShapeThatAliasNothing() {
    Args a = Args.valid();
    Conv2d conv = a.conv();
    Tensor dx = sentinelTensor(a.x().shape());
    Tensor dw = sentinelTensor(a.w().shape());
    Tensor db = sentinelTensor(a.w().dim(0));
    Tensor badDx = sentinelTensor(a.x().dim(0), 1);
    Tensor badDw = sentinelTensor(a.w().dim(0));
    Tensor badDb = sentinelTensor(a.w().dim(0) + 1);
    expectIae(() -> conv.backwardInto(a.dy(), a.x(), a.w(), badDx, dw, db),
        "expected grad input of shape " + Arrays.toString(a.x().shape()));
    expectIae(() -> conv.backwardInto(a.dy(), a.x(), a.w(), dx, badDw, db),
        "expected grad weight of shape " + Arrays.toString(a.w().shape()));
    expectIae(() -> conv.backwardInto(a.dy(), a.x(), a.w(), dx, dw, badDb),
        "expected grad bias of shape [" + a.w().dim(0) + "]");
    Tensor dxOverX = Tensor.of(a.x().data(), a.x().shape());
    float[] xBefore = a.x().data().clone();
    expectIae(() -> conv.backwardInto(a.dy(), a.x(), a.w(), dxOverX, dw, db),
        "grad input must not share its array with an input");
    assertArrayEquals(xBefore, a.x().data());
    for (Tensor t : List.of(dx, dw, db)) {
      for (float v : t.data()) {
        assertEquals(SENTINEL, v, "a failed backwardInto wrote a gradient");
      }
    }
    conv.backwardInto(a.dy(), a.x(), a.w(), dx, dw, db); // the valid call fills all three
    Gradients g = conv.backward(a.dy(), a.x(), a.w());
    assertArrayEquals(g.input().data(), dx.data());
    assertArrayEquals(g.weight().data(), dw.data());
    assertArrayEquals(g.bias().data(), db.data());
  }

  private static void expectAliasRejected(Args a, String msg) {
    Snapshot before = new Snapshot(a);
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
        () -> a.conv().forwardInto(a.x(), a.w(), a.b(), a.y()));
    expectMessage("forwardInto aliasing", ex, msg);
    before.expectUnchanged("forwardInto aliasing", a);
  }

  @Test
  void nullArgumentsAreNamed() {
    Args a = Args.valid();
    Snapshot before = new Snapshot(a);
    Tensor x = a.x();
    Tensor w = a.w();
    Tensor b = a.b();
    Tensor dy = a.dy();
    Tensor y = a.y();
    expectNpe("spec", () -> Conv2d.of(null));
    expectNpe("algorithm", () -> CONV.withAlgorithm(null));
    expectNpe("input", () -> CONV.forward(null, w));
    expectNpe("weight", () -> CONV.forward(x, null));
    expectNpe("input", () -> CONV.forward(null, w, b));
    expectNpe("weight", () -> CONV.forward(x, null, b));
    expectNpe("input", () -> CONV.forwardInto(null, w, b, y));
    expectNpe("weight", () -> CONV.forwardInto(x, null, b, y));
    expectNpe("y", () -> CONV.forwardInto(x, w, b, null));
    expectNpe("grad output", () -> CONV.backward(null, x, w));
    expectNpe("input", () -> CONV.backward(dy, null, w));
    expectNpe("weight", () -> CONV.backward(dy, x, null));
    expectNpe("wanted", () -> CONV.backward(dy, x, w, null));
    expectNpe("input", () -> CONV.backward(dy, null, w, EnumSet.of(Gradient.WEIGHT)));
    expectNpe("input shape", () -> CONV.outputShape(null, W));
    expectNpe("weight shape", () -> CONV.outputShape(X, null));
    expectNpe("data", () -> Tensor.of(null, 1));
    expectNpe("shape", () -> Tensor.of(new float[1], (int[]) null));
    expectNpe("shape", () -> Tensor.zeros((int[]) null));
    expectNpe("padding", () -> Padding.parse(null));
    expectNpe("layout", () -> Layout.parse(null));
    expectNpe("padding", () -> ConvSpec.builder().padding((Padding) null));
    expectNpe("layout", () -> ConvSpec.builder().layout(null));
    Tensor img = filled(1, 4, 4);
    Tensor k = filled(2, 2, 2);
    Tensor g = filled(3, 3, 3);
    expectNpe("input", () -> SingleChannel.forward(null, k));
    expectNpe("kernel", () -> SingleChannel.forward(img, null));
    expectNpe("input", () -> SingleChannel.backward(g, null, k));
    expectNpe("kernel", () -> SingleChannel.backward(g, img, null));
    expectNpe("grad", () -> SingleChannel.backward(null, img, k));
    before.expectUnchanged("null arguments", a);
  }

  @Test
  void singleChannelRules() {
    Tensor img = filled(1, 4, 4);
    Tensor k = filled(2, 2, 2);
    expectIae(() -> SingleChannel.forward(filled(1, 1, 4, 4), k), "2-D input [H, W]",
        "[1, 4, 4]");
    expectIae(() -> SingleChannel.forward(img, filled(2, 1, 2, 2)), "2-D kernel [H, W]",
        "[1, 2, 2]");
    expectIae(() -> SingleChannel.forward(img, filled(2, 5, 2)), "output would be empty",
        "input 4x4", "kernel 5x2");
    expectIae(() -> SingleChannel.forward(Tensor.zeros(0, 4), k), "input must not be empty");
    expectIae(() -> SingleChannel.backward(filled(3, 3, 3), filled(1, 4), k), "2-D input",
        "[4]");
    expectIae(() -> SingleChannel.backward(filled(3, 3, 3), img, filled(2, 2)), "2-D kernel",
        "[2]");
    expectIae(() -> SingleChannel.backward(filled(3, 9), img, k), "2-D grad", "[9]");
    Tensor grad = filled(3, 2, 3);
    float[] gradBefore = grad.data().clone();
    expectIae(() -> SingleChannel.backward(grad, img, k), "expected grad of shape [3, 3]",
        "got [2, 3]");
    assertArrayEquals(gradBefore, grad.data());
  }

  static void expectIae(Executable call, String... fragments) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, call);
    expectMessage("call", ex, fragments);
  }

  static void expectNpe(String name, Executable call) {
    NullPointerException ex = assertThrows(NullPointerException.class, call, name);
    assertEquals(name, ex.getMessage());
  }
}
