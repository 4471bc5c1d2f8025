package org.vconv;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.vconv.algo.BiasGradient;
import org.vconv.nd.DepthSlices;
import org.vconv.nd.PadCopy;
import org.vconv.plan.Tuning;

/**
 * 1-D, 2-D and 3-D convolution, plain or transposed, with every padding mode: a
 * {@link ConvNdSpec} bound to execution options, computed on the 2-D engine of
 * {@link Conv2d}. Immutable and thread-safe.
 *
 * <pre>{@code
 * ConvNd conv1d = ConvNd.of(ConvNdSpec.builder(1).stride(5).build());
 * Tensor y = conv1d.forward(x, w, null);             // x [N, C, L], w [K, C, S]
 * Gradients g = conv1d.backward(dy, x, w);
 * }</pre>
 *
 * <p>How each family runs: 1-D is 2-D with a height of 1 (no copy); 3-D gathers each output
 * depth slice's input taps into channels, so that the slices are the images of one 2-D
 * convolution ({@code T} copies of the input for {@code T} depth taps); a transposed
 * convolution's forward is the input gradient of the plain convolution with the same
 * parameters, its input gradient that convolution's forward, and its weight gradient that
 * convolution's weight gradient with the operands' roles swapped; reflect, replicate and
 * circular padding copy the padded input once and fold the padding's gradients back onto the
 * input elements it copies. Every pass is therefore bitwise independent of the thread count,
 * like {@link Conv2d}'s.
 *
 * <p>Every method validates its arguments before it computes and throws
 * {@link IllegalArgumentException} naming the offending parameter and values.
 */
public final class ConvNd {
  private final ConvNdSpec spec;
  private final Conv2d engine; // the options; its spec is replaced per call
  // the 2-D convolutions this one has lowered to, so that each keeps its plans across calls
  private final Map<ConvSpec, Conv2d> lowered = new ConcurrentHashMap<>();

  /** How many 2-D convolutions one ConvNd keeps (a few per input shape it has seen). */
  private static final int MAX_LOWERED = 64;

  private ConvNd(ConvNdSpec spec, Conv2d engine) {
    this.spec = spec;
    this.engine = engine;
  }

  /** The 2-D convolution of {@code s} with this one's options, kept for the next call. */
  private Conv2d engineFor(ConvSpec s) {
    Conv2d c = lowered.get(s);
    if (c != null) {
      return c;
    }
    c = engine.withSpec(s);
    if (lowered.size() < MAX_LOWERED) {
      Conv2d raced = lowered.putIfAbsent(s, c);
      return raced != null ? raced : c;
    }
    return c;
  }

  /**
   * A convolution with {@link Conv2d}'s default options.
   *
   * @param spec what to compute
   * @return the convolution
   * @throws NullPointerException if {@code spec} is null
   */
  public static ConvNd of(ConvNdSpec spec) {
    return new ConvNd(Objects.requireNonNull(spec, "spec"), Conv2d.of(ConvSpec.defaults()));
  }

  /**
   * The same convolution computed with another 2-D algorithm (see {@link Algorithm}).
   *
   * @param a the algorithm
   * @return a new convolution
   */
  public ConvNd withAlgorithm(Algorithm a) {
    return new ConvNd(spec, engine.withAlgorithm(a));
  }

  /**
   * The same convolution on up to {@code t} threads.
   *
   * @param t at least 1
   * @return a new convolution
   * @throws IllegalArgumentException if {@code t < 1}
   */
  public ConvNd withThreads(int t) {
    return new ConvNd(spec, engine.withThreads(t));
  }

  /**
   * The same convolution with another scratch budget per 2-D call.
   *
   * @param bytes at least {@link Conv2d#MIN_WORKSPACE_BYTES}
   * @return a new convolution
   * @throws IllegalArgumentException if {@code bytes} is below the minimum
   */
  public ConvNd withWorkspaceBytes(long bytes) {
    return new ConvNd(spec, engine.withWorkspaceBytes(bytes));
  }

  /**
   * The same convolution on the default ({@code true}) or the scalar kernels.
   *
   * @param enabled whether to use the default kernels
   * @return a new convolution
   */
  public ConvNd withVectorization(boolean enabled) {
    return new ConvNd(spec, engine.withVectorization(enabled));
  }

  /**
   * The kernels this convolution runs on.
   *
   * @return e.g. "panama-512" or "scalar"
   */
  public String kernels() {
    return engine.kernels();
  }

  /**
   * What this convolution computes.
   *
   * @return the spec
   */
  public ConvNdSpec spec() {
    return spec;
  }

  /**
   * The output shape for the given input and weight shapes.
   *
   * @param inputShape the input's shape in the spec's layout
   * @param weightShape the weight's shape in the spec's layout
   * @return a new array
   * @throws IllegalArgumentException if the shapes do not fit the spec or each other
   */
  public int[] outputShape(int[] inputShape, int[] weightShape) {
    return resolve(Objects.requireNonNull(inputShape, "input shape").clone(),
        Objects.requireNonNull(weightShape, "weight shape").clone()).yShape();
  }

  /**
   * Which 2-D path computes each pass on these shapes, and why: the plan of the 2-D
   * convolution this one lowers to, each reason prefixed with how it lowers (for a transposed
   * convolution the forward is the lowered input gradient and the input gradient the lowered
   * forward).
   *
   * @param inputShape the input's shape in the spec's layout
   * @param weightShape the weight's shape in the spec's layout
   * @return the plan: one step per pass
   * @throws IllegalArgumentException if the shapes do not fit the spec or each other
   */
  public ConvPlan plan(int[] inputShape, int[] weightShape) {
    Problem p = resolve(Objects.requireNonNull(inputShape, "input shape").clone(),
        Objects.requireNonNull(weightShape, "weight shape").clone());
    Lowered l = p.lowered();
    ConvPlan two = l.conv.plan(l.x2, l.w2);
    String how = l.describe();
    if (spec.paddingMode() != PaddingMode.ZEROS) {
      how += (how.isEmpty() ? "" : ", ") + spec.paddingMode().name().toLowerCase(Locale.ROOT)
          + " padding copied first";
    }
    String prefix = how.isEmpty() ? "" : how + "; ";
    List<ConvPlan.Step> steps = spec.transposed()
        ? List.of(step("fwd", two.inputGradient(), prefix + "transposed: the input gradient of"
                + " the plain convolution, "),
            step("bwd_data", two.forward(), prefix + "transposed: the plain forward, "),
            step("bwd_weight", two.weightGradient(), prefix + "transposed, roles swapped, "))
        : List.of(step("fwd", two.forward(), prefix), step("bwd_data", two.inputGradient(),
            prefix), step("bwd_weight", two.weightGradient(), prefix));
    return new ConvPlan(two.kernels(), steps);
  }

  private static ConvPlan.Step step(String pass, ConvPlan.Step lowered, String prefix) {
    return new ConvPlan.Step(pass, lowered.path(), prefix + lowered.reason());
  }

  /**
   * The convolution of {@code x} with {@code w}, plus {@code bias} per output channel.
   *
   * @param x the input
   * @param w the weight
   * @param bias one per output channel, or null
   * @return a new output tensor
   * @throws IllegalArgumentException if a shape does not fit
   */
  public Tensor forward(Tensor x, Tensor w, Tensor bias) {
    Problem p = resolve(x, w);
    checkBias(p, bias);
    float[] y;
    if (!spec.transposed()) {
      y = p.lowered().forward(x.data(), w, bias);
    } else {
      // the adjoint's input gradient, with x as its output's gradient
      y = p.lowered().inputGradient(p.toPlainOutput(x.data()), w);
      addBias(y, bias, p.yShape());
    }
    return Tensor.of(y, p.yShape());
  }

  /**
   * All three gradients.
   *
   * @param dy the gradient of the output
   * @param x the forward pass's input
   * @param w the forward pass's weight
   * @return new gradients shaped like {@code x}, {@code w} and the bias
   * @throws IllegalArgumentException if a shape does not fit
   */
  public Gradients backward(Tensor dy, Tensor x, Tensor w) {
    return backward(dy, x, w, EnumSet.allOf(Gradient.class));
  }

  /**
   * The gradients in {@code wanted}; the others are not computed and are null.
   *
   * @param dy the gradient of the output, shaped like the output
   * @param x the forward pass's input
   * @param w the forward pass's weight
   * @param wanted the gradients to compute
   * @return the gradients, null where not wanted
   * @throws IllegalArgumentException if a shape does not fit
   */
  public Gradients backward(Tensor dy, Tensor x, Tensor w, Set<Gradient> wanted) {
    Objects.requireNonNull(wanted, "wanted");
    Problem p = resolve(x, w);
    Objects.requireNonNull(dy, "grad output");
    if (!dy.sameShape(p.yShape())) {
      throw new IllegalArgumentException("expected grad output of shape "
          + Arrays.toString(p.yShape()) + ", got " + Arrays.toString(dy.shape()));
    }
    Lowered l = p.lowered();
    // the plain convolution whose passes these are: for a transposed one, x and dy swap roles
    float[] rIn = spec.transposed() ? dy.data() : x.data();
    float[] rOut = spec.transposed() ? p.toPlainOutput(x.data()) : dy.data();
    Tensor dx = null;
    Tensor dw = null;
    Tensor db = null;
    if (wanted.contains(Gradient.INPUT)) {
      dx = Tensor.of(spec.transposed() ? p.fromPlainOutput(l.forward(dy.data(), w, null))
          : l.inputGradient(rOut, w), x.shape());
    }
    if (wanted.contains(Gradient.WEIGHT)) {
      dw = Tensor.of(l.weightGradient(rOut, rIn), w.shape());
    }
    if (wanted.contains(Gradient.BIAS)) {
      db = Tensor.of(biasGradient(dy.data(), p.yShape()), p.outChannels());
    }
    return new Gradients(dx, dw, db);
  }

  private Problem resolve(Tensor x, Tensor w) {
    Objects.requireNonNull(x, "input");
    Objects.requireNonNull(w, "weight");
    return resolve(x.shape(), w.shape());
  }

  private void checkBias(Problem p, Tensor bias) {
    if (bias != null && (bias.rank() != 1 || bias.dim(0) != p.outChannels())) {
      throw new IllegalArgumentException("expected bias of shape [" + p.outChannels()
          + "] (one per output channel), got " + Arrays.toString(bias.shape()));
    }
  }

  /** Adds {@code bias} per channel of an output in the spec's layout; null adds nothing. */
  private void addBias(float[] y, Tensor bias, int[] shape) {
    if (bias == null) {
      return;
    }
    float[] b = bias.data();
    int ch = b.length;
    // runs of one channel (channels first) or rows of all channels (last): no division per
    // element, and loops the JIT vectorizes
    if (spec.channelsLast()) {
      for (int at = 0; at < y.length; at += ch) {
        for (int j = 0; j < ch; j++) {
          y[at + j] += b[j];
        }
      }
      return;
    }
    int inner = plane(shape, false);
    for (int run = 0, at = 0; at < y.length; run++, at += inner) {
      float v = b[run % ch];
      for (int j = 0; j < inner; j++) {
        y[at + j] += v;
      }
    }
  }

  /** The sum of {@code dy} over batch and space per channel, as Conv2d sums it. */
  private float[] biasGradient(float[] dy, int[] shape) {
    int ch = spec.channelsLast() ? shape[shape.length - 1] : shape[1];
    float[] db = new float[ch];
    BiasGradient.compute(spec.channelsLast(), shape[0], ch, plane(shape, spec.channelsLast()),
        dy, db, engine.arrayKernels());
    return db;
  }

  /** The product of a shape's spatial extents. */
  private static int plane(int[] shape, boolean channelsLast) {
    int p = 1;
    for (int i = channelsLast ? 1 : 2; i < shape.length - (channelsLast ? 1 : 0); i++) {
      p *= shape[i];
    }
    return p;
  }

  /**
   * A validated problem. {@code xr} is the input of the plain convolution whose passes run
   * (for a transposed convolution: its output), {@code yr} that convolution's output.
   */
  private record Problem(ConvNdSpec spec, int n, int inChannels, int outChannels, int[] in,
      int[] kernel, int[] out, int[] pads, int[] plainOut, int[] xShape, int[] wShape,
      int[] yShape, ConvNd owner) {

    /** The plain convolution's input extents. */
    int[] rIn() {
      return spec.transposed() ? out : in;
    }

    /**
     * The plain convolution's output extents. A transposed convolution's input may have
     * fewer (an output padding of at least the stride adds plain outputs that it reads as
     * zeros): {@link #toPlainOutput} and {@link #fromPlainOutput} move between the two.
     */
    int[] rOut() {
      return spec.transposed() ? plainOut : out;
    }

    /** A transposed convolution's input as the plain convolution's output: zero-extended. */
    float[] toPlainOutput(float[] x) {
      return Arrays.equals(in, plainOut) ? x : resize(x, in, plainOut);
    }

    /** The plain convolution's forward as the transposed one's input gradient: cropped. */
    float[] fromPlainOutput(float[] y) {
      return Arrays.equals(in, plainOut) ? y : resize(y, plainOut, in);
    }

    /** Copies the common leading box of a tensor with extents {@code from} into {@code to}. */
    private float[] resize(float[] a, int[] from, int[] to) {
      boolean last = spec.channelsLast();
      int outer = last ? n : n * inChannels;
      int inner = last ? inChannels : 1;
      int[] f = {1, 1, 1};
      int[] t = {1, 1, 1};
      System.arraycopy(from, 0, f, 3 - from.length, from.length);
      System.arraycopy(to, 0, t, 3 - to.length, to.length);
      float[] b = new float[outer * t[0] * t[1] * t[2] * inner];
      int run = Math.min(f[2], t[2]) * inner;
      for (int o = 0; o < outer; o++) {
        for (int d = 0; d < Math.min(f[0], t[0]); d++) {
          for (int h = 0; h < Math.min(f[1], t[1]); h++) {
            System.arraycopy(a, ((o * f[0] + d) * f[1] + h) * f[2] * inner, b,
                ((o * t[0] + d) * t[1] + h) * t[2] * inner, run);
          }
        }
      }
      return b;
    }

    int rInChannels() {
      return spec.transposed() ? outChannels : inChannels;
    }

    int rOutChannels() {
      return spec.transposed() ? inChannels : outChannels;
    }

    Lowered lowered() {
      return new Lowered(this);
    }
  }

  private Problem resolve(int[] xs, int[] ws) {
    int rank = spec.rank();
    boolean last = spec.channelsLast();
    String layout = spec.layoutName();
    if (xs.length != rank + 2) {
      throw new IllegalArgumentException("expected a " + (rank + 2) + "-D input (layout "
          + layout + "), got shape " + Arrays.toString(xs));
    }
    if (ws.length != rank + 2) {
      throw new IllegalArgumentException("expected a " + (rank + 2) + "-D weight for layout "
          + layout + ", got shape " + Arrays.toString(ws));
    }
    for (int[] s : new int[][] {xs, ws}) {
      if (Arrays.stream(s).anyMatch(d -> d <= 0)) {
        throw new IllegalArgumentException((s == xs ? "input" : "weight")
            + " must not be empty, got shape " + Arrays.toString(s));
      }
    }
    int n = xs[0];
    int c = last ? xs[rank + 1] : xs[1];
    int[] in = Arrays.copyOfRange(xs, last ? 1 : 2, last ? rank + 1 : rank + 2);
    int[] kernel = Arrays.copyOfRange(ws, last ? 0 : 2, last ? rank : rank + 2);
    // [first, second, kernel...] or [kernel..., second, first]
    int first = last ? ws[rank + 1] : ws[0];
    int second = last ? ws[rank] : ws[1];
    int g = spec.groups();
    int outChannels;
    if (!spec.transposed()) {
      if (first % g != 0) {
        throw new IllegalArgumentException("groups=" + g + " must divide the weight's "
            + first + " output channels");
      }
      if ((long) second * g != c) {
        throw new IllegalArgumentException("expected input with " + (long) second * g
            + " channels (weight " + second + " per group x " + g + " groups), got " + c);
      }
      outChannels = first;
    } else {
      if (first != c) {
        throw new IllegalArgumentException("expected input with " + first + " channels (the"
            + " transposed weight's input channels), got " + c);
      }
      if (c % g != 0) {
        throw new IllegalArgumentException("groups=" + g + " must divide the input's " + c
            + " channels");
      }
      outChannels = Math.multiplyExact(second, g);
    }
    int[] stride = spec.stride();
    int[] dil = spec.dilation();
    int[] pads = spec.padding();
    if (pads == null) { // same or valid: resolved against this input, as Padding.SAME does
      pads = new int[2 * rank];
      if (spec.isSamePadding()) {
        for (int i = 0; i < rank; i++) {
          long o = (in[i] + (long) stride[i] - 1) / stride[i];
          long need = (o - 1) * stride[i] + (long) (kernel[i] - 1) * dil[i] + 1 - in[i];
          int total = (int) Math.max(0, Math.min(need, Integer.MAX_VALUE));
          pads[2 * i] = total / 2;
          pads[2 * i + 1] = total - total / 2;
        }
      }
    }
    checkPaddingMode(in, pads);
    int[] op = spec.outputPadding();
    int[] out = new int[rank];
    int[] plainOut = new int[rank];
    for (int i = 0; i < rank; i++) {
      long span = (long) (kernel[i] - 1) * dil[i] + 1;
      long o = spec.transposed()
          ? (long) (in[i] - 1) * stride[i] - pads[2 * i] - pads[2 * i + 1] + span + op[i]
          : ((long) in[i] + pads[2 * i] + pads[2 * i + 1] - span) / stride[i] + 1;
      boolean fits = spec.transposed() || (long) in[i] + pads[2 * i] + pads[2 * i + 1] >= span;
      if (!fits || o <= 0 || o > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("output would be empty: input " + Arrays.toString(in)
            + " with kernel " + Arrays.toString(kernel) + ", padding " + Arrays.toString(pads)
            + ", dilation " + Arrays.toString(dil) + " and stride " + Arrays.toString(stride)
            + " leaves no output along axis " + i);
      }
      out[i] = (int) o;
      // the plain convolution of the transposed output: in[i] outputs, one more per stride
      // of output padding
      plainOut[i] = spec.transposed() ? in[i] + op[i] / stride[i] : out[i];
    }
    int[] ys = new int[rank + 2];
    ys[0] = n;
    ys[last ? rank + 1 : 1] = outChannels;
    System.arraycopy(out, 0, ys, last ? 1 : 2, rank);
    long count = 1;
    for (int d : ys) {
      count *= d;
      if (count > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("output " + Arrays.toString(ys)
            + " has more elements than a Java array can hold");
      }
    }
    return new Problem(spec, n, c, outChannels, in, kernel, out, pads, plainOut, xs, ws, ys,
        this);
  }

  /** PyTorch's rules: a reflected pad is smaller than its axis, a circular one at most it. */
  private void checkPaddingMode(int[] in, int[] pads) {
    PaddingMode m = spec.paddingMode();
    for (int i = 0; i < in.length; i++) {
      int most = Math.max(pads[2 * i], pads[2 * i + 1]);
      if (m == PaddingMode.REFLECT && most >= in[i]) {
        throw new IllegalArgumentException("reflect padding must be smaller than the input"
            + " along each axis: pad " + most + " on axis " + i + " of extent " + in[i]);
      }
      if (m == PaddingMode.CIRCULAR && most > in[i]) {
        throw new IllegalArgumentException("circular padding must be at most the input along"
            + " each axis: pad " + most + " on axis " + i + " of extent " + in[i]);
      }
    }
  }

  /**
   * The plain convolution of a {@link Problem} as a 2-D convolution: its shapes, the spec,
   * and the moves between the N-d tensors and the 2-D ones.
   */
  private static final class Lowered {
    final Problem p;
    final Conv2d conv;
    final int[] x2; // the 2-D shapes: of the main span in 3-D
    final int[] w2;
    final int[] y2;
    final boolean copyPad; // reflect, replicate, circular: pad by copying first
    final int[] rIn; // the 2-D engine's input extents (after the copy, if any)
    final DepthSlices depth; // 3-D only
    final List<DepthSlices.Span> spans; // 3-D only
    private final int[] d2; // the 2-D problem as {N, C, H, W, K, R, S, P, Q}, in 3-D per slice

    Lowered(Problem p) {
      this.p = p;
      ConvNdSpec s = p.spec();
      int rank = s.rank();
      copyPad = s.paddingMode() != PaddingMode.ZEROS;
      int[] pads = copyPad ? new int[2 * rank] : p.pads();
      rIn = p.rIn().clone();
      if (copyPad) {
        for (int i = 0; i < rank; i++) {
          rIn[i] += p.pads()[2 * i] + p.pads()[2 * i + 1];
        }
      }
      int[] st = s.stride();
      int[] dil = s.dilation();
      int n = p.n();
      int c = p.rInChannels();
      int k = p.rOutChannels();
      int[] kr = p.kernel();
      int[] o = p.rOut();
      ConvSpec.Builder b = ConvSpec.builder().groups(s.groups())
          .layout(s.channelsLast() ? Layout.NHWC : Layout.NCHW);
      switch (rank) {
        case 1 -> {
          b.stride(1, st[0]).dilation(1, dil[0]).padding(Padding.of(0, 0, pads[0], pads[1]));
          d2 = new int[] {n, c, 1, rIn[0], k, 1, kr[0], 1, o[0]};
          depth = null;
          spans = null;
        }
        case 2 -> {
          b.stride(st[0], st[1]).dilation(dil[0], dil[1])
              .padding(Padding.of(pads[0], pads[1], pads[2], pads[3]));
          d2 = new int[] {n, c, rIn[0], rIn[1], k, kr[0], kr[1], o[0], o[1]};
          depth = null;
          spans = null;
        }
        default -> {
          b.stride(st[1], st[2]).dilation(dil[1], dil[2])
              .padding(Padding.of(pads[2], pads[3], pads[4], pads[5]));
          depth = new DepthSlices(n, c, rIn[0], rIn[1], rIn[2], s.groups(), kr[0], st[0],
              dil[0], pads[0], o[0], k, o[1] * o[2], s.channelsLast());
          spans = split(depth, Tuning.of(p.owner().kernels())) ? depth.spans()
              : List.of(depth.whole());
          d2 = new int[] {n, c, rIn[1], rIn[2], k, kr[1], kr[2], o[1], o[2]};
        }
      }
      conv = p.owner().engineFor(b.build());
      DepthSlices.Span main = spans == null ? null : mainSpan(spans);
      x2 = x2(main);
      w2 = w2(main);
      y2 = y2(main);
    }

    /** Whether the border slices run apart, on their taps inside the input only. */
    private static boolean split(DepthSlices depth, Tuning tuning) {
      return depth.paddedPercent() >= tuning.depthSplitMinPaddedPercent();
    }

    /** The span with the most products: the one the plan describes. */
    private static DepthSlices.Span mainSpan(List<DepthSlices.Span> spans) {
      DepthSlices.Span best = spans.get(0);
      for (DepthSlices.Span sp : spans) {
        if ((long) sp.slices() * sp.taps() > (long) best.slices() * best.taps()) {
          best = sp;
        }
      }
      return best;
    }

    /** The 2-D input shape: of span {@code sp}'s gathered input in 3-D ({@code sp} non-null). */
    private int[] x2(DepthSlices.Span sp) {
      int n = sp == null ? d2[0] : d2[0] * sp.slices();
      int c = sp == null ? d2[1] : d2[1] * sp.taps();
      return p.spec().channelsLast() ? new int[] {n, d2[2], d2[3], c}
          : new int[] {n, c, d2[2], d2[3]};
    }

    private int[] w2(DepthSlices.Span sp) {
      int cg = d2[1] / p.spec().groups() * (sp == null ? 1 : sp.taps());
      return p.spec().channelsLast() ? new int[] {d2[5], d2[6], cg, d2[4]}
          : new int[] {d2[4], cg, d2[5], d2[6]};
    }

    private int[] y2(DepthSlices.Span sp) {
      int n = sp == null ? d2[0] : d2[0] * sp.slices();
      return p.spec().channelsLast() ? new int[] {n, d2[7], d2[8], d2[4]}
          : new int[] {n, d2[4], d2[7], d2[8]};
    }

    /** How the plan's 2-D problem stands for this one, or "" in 2-D. */
    String describe() {
      return switch (p.spec().rank()) {
        case 1 -> "1-D as 2-D of height 1";
        case 3 -> "3-D as 2-D over depth slices " + Arrays.toString(x2)
            + (spans.size() == 1 ? "" : " (" + spans.size() + " runs of slices, each on only"
                + " the depth taps inside the input, " + depth.paddedPercent() + "% of them in"
                + " the padding; this the largest)");
        default -> "";
      };
    }

    /** {@code {outer, D, H, W, inner}} of the plain convolution's unpadded input. */
    private int[] padDims() {
      int[] e = p.rIn();
      int[] dims = {p.spec().channelsLast() ? p.n() : p.n() * p.rInChannels(), 1, 1, 1,
          p.spec().channelsLast() ? p.rInChannels() : 1};
      System.arraycopy(e, 0, dims, 4 - e.length, e.length);
      return dims;
    }

    /** The pads as {@code {dB, dA, hB, hA, wB, wA}}, missing leading axes unpadded. */
    private int[] pads6() {
      int[] p6 = new int[6];
      System.arraycopy(p.pads(), 0, p6, 6 - p.pads().length, p.pads().length);
      return p6;
    }

    /** The plain convolution's input, padded by copying if the mode asks for it. */
    private float[] padded(float[] xr) {
      return copyPad
          ? PadCopy.pad(p.spec().paddingMode(), xr, padDims(), pads6(), conv.context()) : xr;
    }

    private int rs() {
      return p.kernel()[1] * p.kernel()[2];
    }

    /** The plain convolution's forward, plus {@code bias} (null: none) per output channel. */
    float[] forward(float[] xr, Tensor w, Tensor bias) {
      float[] x = padded(xr);
      if (depth == null) {
        return conv.forward(Tensor.of(x, x2), Tensor.of(w.data(), w2), bias).data();
      }
      // one span: its output may be the whole output as it is (outputInto with null)
      float[] y = spans.size() == 1 ? null
          : new float[Math.multiplyExact(p.n() * d2[4], volume(p.rOut()))];
      for (DepthSlices.Span sp : spans) {
        Tensor ys = sp.taps() == 0 ? Tensor.zeros(y2(sp)) // the bias alone, added below
            : conv.forward(Tensor.of(depth.gather(x, sp, conv.context()), x2(sp)),
                Tensor.of(depth.weightTo2d(w.data(), rs(), sp), w2(sp)), bias);
        if (sp.taps() == 0) {
          p.owner().addBias(ys.data(), bias, y2(sp));
        }
        y = depth.outputInto(ys.data(), sp, y, conv.context());
      }
      return y;
    }

    /** The plain convolution's input gradient, from the gradient of its output. */
    float[] inputGradient(float[] dyr, Tensor w) {
      float[] dxp;
      int[] dims = padDims();
      if (depth == null) {
        Tensor dx2 = Tensor.zeros(x2);
        conv.backwardDataInto(x2, Tensor.of(dyr, y2), Tensor.of(w.data(), w2), dx2);
        dxp = dx2.data();
      } else {
        dxp = new float[Math.multiplyExact(dims[0] * dims[4], rIn[0] * rIn[1] * rIn[2])];
        for (DepthSlices.Span sp : spans) {
          if (sp.taps() == 0) {
            continue; // its slices read no input
          }
          int[] xs = x2(sp);
          Tensor dx2 = Tensor.zeros(xs);
          conv.backwardDataInto(xs, Tensor.of(depth.outputOf(dyr, sp, conv.context()), y2(sp)),
              Tensor.of(depth.weightTo2d(w.data(), rs(), sp), w2(sp)), dx2);
          depth.scatterAddInto(dx2.data(), sp, dxp, conv.context());
        }
      }
      if (!copyPad) {
        return dxp;
      }
      float[] dx = new float[Math.multiplyExact(dims[0] * dims[4], volume(p.rIn()))];
      PadCopy.foldInto(p.spec().paddingMode(), dxp, dims, pads6(), dx, conv.context());
      return dx;
    }

    /** The plain convolution's weight gradient. */
    float[] weightGradient(float[] dyr, float[] xr) {
      float[] x = padded(xr);
      if (depth == null) {
        Tensor dw2 = Tensor.zeros(w2);
        conv.backwardWeightInto(Tensor.of(dyr, y2), Tensor.of(x, x2), w2, dw2);
        return dw2.data();
      }
      float[] dw = new float[d2[4] * (d2[1] / p.spec().groups()) * p.kernel()[0] * rs()];
      // the span of every tap (at most one: its slices are the interior), channels first,
      // writes its gradient straight into dw, first; the others add theirs
      DepthSlices.Span whole = spans.stream().filter(depth::weightInPlace).findFirst()
          .orElse(null);
      if (whole != null) {
        weightGradientOf(whole, dyr, x, Tensor.of(dw, w2(whole)));
      }
      for (DepthSlices.Span sp : spans) {
        if (sp != whole && sp.taps() > 0) { // no taps: no products with the weight
          Tensor dw2 = Tensor.zeros(w2(sp));
          weightGradientOf(sp, dyr, x, dw2);
          depth.addWeightGradient(dw2.data(), rs(), sp, dw);
        }
      }
      return dw;
    }

    /** Span {@code sp}'s 2-D weight gradient, overwriting {@code dw2}. */
    private void weightGradientOf(DepthSlices.Span sp, float[] dyr, float[] x, Tensor dw2) {
      conv.backwardWeightInto(Tensor.of(depth.outputOf(dyr, sp, conv.context()), y2(sp)),
          Tensor.of(depth.gather(x, sp, conv.context()), x2(sp)), w2(sp), dw2);
    }

    private static int volume(int[] e) {
      int v = 1;
      for (int x : e) {
        v = Math.multiplyExact(v, x);
      }
      return v;
    }
  }

  @Override
  public String toString() {
    return "ConvNd[" + spec + ", kernels=" + kernels() + "]";
  }
}
