package org.vconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vconv.plan.Planner;
import org.vconv.testutil.Close;
import org.vconv.testutil.GoldenCase;
import org.vconv.testutil.RefConv;
import org.vconv.testutil.WinogradBound;

/**
 * vconv against PyTorch: every golden case (see {@code scripts/gen-golden}) under every
 * {@link Algorithm} with vectorization on and off, forward and all three gradients. Results
 * must lie within the float32 error bound of {@link Close} (derived from each sum's length and
 * the magnitudes of its products; where the plan runs Winograd, from Winograd's own computation:
 * {@link WinogradBound}), NaN and infinities exactly where PyTorch has them.
 */
class GoldenTest {
  static final List<GoldenCase> CASES = GoldenCase.loadAll();

  /** What the error bounds scale with: the sums of absolute products behind each result. */
  record Magnitudes(double[] y, double[] dx, double[] dw, double[] db) {}

  static final Map<String, Magnitudes> MAGNITUDES = new HashMap<>();

  static {
    for (GoldenCase c : CASES) {
      RefConv ref = c.ref();
      double[] ax = RefConv.abs(c.x().data());
      double[] aw = RefConv.abs(c.w().data());
      double[] ady = RefConv.abs(c.dy().data());
      double[] y = ref.forward(ax, aw);
      if (c.hasBias()) {
        ref.addBias(y, RefConv.abs(c.b().data()));
      }
      MAGNITUDES.put(c.name(), new Magnitudes(y, ref.backwardData(ady, aw),
          ref.backwardWeight(ady, ax), ref.biasGradient(ady)));
    }
  }

  static Stream<Arguments> variants() {
    // every algorithm vectorized and scalar with the default options, and once more with the
    // smallest workspace budget and 3 threads (blocking and splitting must not change results)
    return Arrays.stream(Algorithm.values()).flatMap(a -> Stream.of(Arguments.of(a, true, false),
        Arguments.of(a, false, false), Arguments.of(a, true, true)));
  }

  @ParameterizedTest(name = "{0}, vectorized={1}, minimal workspace and 3 threads={2}")
  @MethodSource("variants")
  void matchesPyTorch(Algorithm algorithm, boolean vectorized, boolean tight) {
    List<String> failures = new ArrayList<>();
    int ran = 0;
    for (GoldenCase c : CASES) {
      Conv2d conv = Conv2d.of(c.spec()).withAlgorithm(algorithm).withVectorization(vectorized);
      if (tight) {
        conv = conv.withWorkspaceBytes(Conv2d.MIN_WORKSPACE_BYTES).withThreads(3);
      }
      try {
        checkCase(c, conv, failures);
      } catch (RuntimeException | AssertionError e) {
        failures.add(c.name() + ": threw " + e);
      }
      ran++;
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures with " + algorithm
        + (vectorized ? "" : " (scalar)") + (tight ? " (minimal workspace, 3 threads)" : "")
        + ":\n" + String.join("\n", failures));
    // the goldens must all have run: a manifest that shrank would otherwise pass quietly
    assertEquals(CASES.size(), ran);
    assertTrue(ran >= 60, "only " + ran + " golden cases");
  }

  private static void checkCase(GoldenCase c, Conv2d conv, List<String> failures) {
    RefConv ref = c.ref();
    ConvPlan plan = conv.plan(c.xShape(), c.wShape());
    Bounds bounds = bounds(c, plan);
    // the library works on copies; the originals then show whether it wrote into its inputs
    Tensor x = c.x().copy();
    Tensor w = c.w().copy();
    Tensor b = c.b() == null ? null : c.b().copy();
    Tensor dy = c.dy().copy();

    expectShape(failures, c, "outputShape", conv.outputShape(c.xShape(), c.wShape()), c.yShape());
    Tensor y = conv.forward(x, w, b);
    expectShape(failures, c, "y", y.shape(), c.yShape());
    expectClose(failures, c, "y", y, c.y(), bounds.y());

    // forwardInto must overwrite every element, whatever the array held before
    Tensor into = Tensor.of(sentinel(c.y().size()), c.yShape());
    conv.forwardInto(x, w, b, into);
    expectClose(failures, c, "forwardInto y", into, c.y(), bounds.y());

    Gradients g = conv.backward(dy, x, w);
    expectShape(failures, c, "dx", g.input().shape(), c.xShape());
    expectShape(failures, c, "dw", g.weight().shape(), c.wShape());
    expectShape(failures, c, "db", g.bias().shape(), c.db().shape());
    expectClose(failures, c, "dx", g.input(), c.dx(), bounds.dx());
    expectClose(failures, c, "dw", g.weight(), c.dw(), bounds.dw());
    expectClose(failures, c, "db", g.bias(), c.db(),
        new Bound(MAGNITUDES.get(c.name()).db(), ref.backwardWeightTerms()));

    expectUnchanged(failures, c, "x", x, c.x());
    expectUnchanged(failures, c, "w", w, c.w());
    expectUnchanged(failures, c, "dy", dy, c.dy());
    if (b != null) {
      expectUnchanged(failures, c, "b", b, c.b());
    }
  }

  /** The magnitudes and the rounding count of one pass's error bound. */
  record Bound(double[] magnitude, long terms, boolean winograd) {
    Bound(double[] magnitude, long terms) {
      this(magnitude, terms, false);
    }
  }

  /** The largest error / bound of each pass run by Winograd, with its case: printed at the end. */
  static final Map<String, String> WINOGRAD_MARGINS = new ConcurrentHashMap<>();

  private static final Map<String, Double> WORST = new ConcurrentHashMap<>();

  @AfterAll
  static void printWinogradMargins() {
    WINOGRAD_MARGINS.forEach((pass, worst) -> System.out.println(
        "GoldenTest: Winograd " + pass + ": worst error / bound " + worst));
  }

  private static synchronized void recordMargin(String pass, String name, Bound bound,
      float[] actual, float[] golden) {
    double g = Close.gamma(bound.terms() + 2);
    double worst = 0;
    for (int i = 0; i < golden.length; i++) {
      if (Float.isFinite(golden[i]) && bound.magnitude()[i] > 0) {
        worst = Math.max(worst, Math.abs((double) actual[i] - golden[i])
            / (g * bound.magnitude()[i]));
      }
    }
    if (worst > WORST.getOrDefault(pass, -1.0)) {
      WORST.put(pass, worst);
      WINOGRAD_MARGINS.put(pass, String.format("%.3g (%s)", worst, name));
    }
  }

  record Bounds(Bound y, Bound dx, Bound dw) {}

  /** Winograd's own bounds ({@link WinogradBound}) per case, computed when a plan needs them. */
  static final Map<String, Magnitudes> WINOGRAD_MAGNITUDES = new ConcurrentHashMap<>();

  /**
   * Each pass's bound: the direct sum's ({@link Close}) unless the plan step ran Winograd, whose
   * sums run over transformed values: then {@link WinogradBound}'s magnitudes and rounding
   * counts, from Winograd's own error analysis. Winograd declines non-finite values (the plan
   * runs its exact path, to which the direct bound applies), so a pass whose inputs are not all
   * finite keeps the direct bound.
   */
  static Bounds bounds(GoldenCase c, ConvPlan plan) {
    RefConv ref = c.ref();
    Magnitudes m = MAGNITUDES.get(c.name());
    boolean bias = c.hasBias();
    Bound y = new Bound(m.y(), ref.forwardTerms() + (bias ? 1 : 0));
    Bound dx = new Bound(m.dx(), ref.backwardDataTerms());
    Bound dw = new Bound(m.dw(), ref.backwardWeightTerms());
    boolean fx = allFinite(c.x());
    boolean fw = allFinite(c.w());
    boolean fdy = allFinite(c.dy());
    Magnitudes wm = null;
    if (winograd(plan.forward()) || winograd(plan.inputGradient())
        || winograd(plan.weightGradient())) {
      if (Planner.winogradTile() != WinogradBound.M) {
        throw new IllegalStateException("WinogradBound models F(2x2, 3x3), the planner runs F("
            + Planner.winogradTile() + "x" + Planner.winogradTile() + ", 3x3)");
      }
      wm = WINOGRAD_MAGNITUDES.computeIfAbsent(c.name(), name -> new Magnitudes(
          WinogradBound.forwardMagnitude(ref, c.x().data(), c.w().data(),
              bias ? c.b().data() : null),
          WinogradBound.backwardDataMagnitude(ref, c.dy().data(), c.w().data()),
          WinogradBound.backwardWeightMagnitude(ref, c.dy().data(), c.x().data()), null));
    }
    if (winograd(plan.forward()) && fx && fw) {
      y = new Bound(wm.y(), WinogradBound.forwardTerms(ref, bias), true);
    }
    if (winograd(plan.inputGradient()) && fdy && fw) {
      dx = new Bound(wm.dx(), WinogradBound.backwardDataTerms(ref), true);
    }
    if (winograd(plan.weightGradient()) && fdy && fx) {
      dw = new Bound(wm.dw(), WinogradBound.backwardWeightTerms(ref), true);
    }
    return new Bounds(y, dx, dw);
  }

  private static boolean winograd(ConvPlan.Step step) {
    return step.path().equals("winograd");
  }

  private static boolean allFinite(Tensor t) {
    for (float v : t.data()) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  static float[] sentinel(int n) {
    float[] a = new float[n];
    Arrays.fill(a, -12345.5f);
    return a;
  }

  private static void expectClose(List<String> failures, GoldenCase c, String what,
      Tensor actual, Tensor golden, Bound bound) {
    String why = Close.compare(actual.data(), golden.data(), bound.magnitude(), bound.terms());
    if (bound.winograd()) {
      recordMargin(what, c.name(), bound, actual.data(), golden.data());
    }
    if (why != null) {
      failures.add(c.name() + " " + what + ": " + why);
    }
  }

  private static void expectShape(List<String> failures, GoldenCase c, String what, int[] actual,
      int[] expected) {
    if (!Arrays.equals(actual, expected)) {
      failures.add(c.name() + " " + what + ": shape " + Arrays.toString(actual) + ", expected "
          + Arrays.toString(expected));
    }
  }

  private static void expectUnchanged(List<String> failures, GoldenCase c, String what,
      Tensor used, Tensor original) {
    if (!Arrays.equals(used.data(), original.data())) {
      failures.add(c.name() + ": the call wrote into its input " + what);
    }
  }

  /** y, dx, dw, db of one call sequence on fresh copies of the inputs. */
  private static float[][] run(Conv2d conv, GoldenCase c) {
    Tensor x = c.x().copy();
    Tensor w = c.w().copy();
    Tensor y = conv.forward(x, w, c.b() == null ? null : c.b().copy());
    Gradients g = conv.backward(c.dy().copy(), x, w);
    return new float[][] {y.data(), g.input().data(), g.weight().data(), g.bias().data()};
  }

  @Test
  void threadCountDoesNotChangeTheBits() {
    // Conv2d promises results bitwise identical for any thread count
    List<String> failures = new ArrayList<>();
    for (Algorithm a : Algorithm.values()) {
      for (GoldenCase c : CASES) {
        Conv2d one = Conv2d.of(c.spec()).withAlgorithm(a).withThreads(1);
        float[][] expected = run(one, c);
        for (int t : new int[] {2, 3, 8}) {
          if (!Arrays.deepEquals(expected, run(one.withThreads(t), c))) {
            failures.add(a + " " + c.name() + ": threads=" + t + " differs from threads=1");
          }
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void sharedInstancesGiveTheSameBitsUnderConcurrentCalls() throws Exception {
    // one immutable Conv2d per (case, algorithm), shared by every thread; each thread walks the
    // jobs from a different starting point so that different problems overlap in time
    record Job(Conv2d conv, GoldenCase c, float[][] expected) {}
    List<Job> jobs = new ArrayList<>();
    for (Algorithm a : Algorithm.values()) {
      for (GoldenCase c : CASES) {
        Conv2d conv = Conv2d.of(c.spec()).withAlgorithm(a).withThreads(2);
        jobs.add(new Job(conv, c, run(conv, c)));
      }
    }
    int threads = 4;
    CountDownLatch go = new CountDownLatch(1);
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<Future<Integer>> done = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int t = 0; t < threads; t++) {
        int first = t * jobs.size() / threads;
        done.add(pool.submit(() -> {
          go.await();
          int count = 0;
          for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get((first + i) % jobs.size());
            if (!Arrays.deepEquals(j.expected(), run(j.conv(), j.c()))) {
              failures.add(j.conv().algorithm() + " " + j.c().name() + " differs under load");
            }
            count++;
          }
          return count;
        }));
      }
      go.countDown();
      for (Future<Integer> f : done) {
        assertEquals(jobs.size(), f.get());
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void goldensCoverWhatTheyPromise() {
    // a regenerated manifest must keep the coverage the brief asks for
    assertTrue(CASES.size() >= 60, "only " + CASES.size() + " cases");
    assertEquals(CASES.size(), CASES.stream().map(GoldenCase::name).distinct().count());
    for (GoldenCase c : CASES) {
      assertArrayEquals(c.xShape(), c.x().shape(), c.name() + " x");
      assertArrayEquals(c.wShape(), c.w().shape(), c.name() + " w");
      assertArrayEquals(c.yShape(), c.y().shape(), c.name() + " y");
      assertArrayEquals(c.yShape(), c.dy().shape(), c.name() + " dy");
      assertArrayEquals(c.xShape(), c.dx().shape(), c.name() + " dx");
      assertArrayEquals(c.wShape(), c.dw().shape(), c.name() + " dw");
      assertArrayEquals(c.ref().outputShape(), c.yShape(), c.name() + " pads vs y shape");
      assertEquals(c.hasBias(), c.b() != null, c.name() + " bias");
    }
    atLeast(10, "NCHW", c -> c.layout() == Layout.NCHW);
    atLeast(10, "NHWC", c -> c.layout() == Layout.NHWC);
    atLeast(3, "odd H and W", c -> c.ref().h() % 2 == 1 && c.ref().w() % 2 == 1);
    atLeast(3, "1x1 kernel", c -> c.ref().r() == 1 && c.ref().s() == 1);
    atLeast(5, "non-square kernel", c -> c.ref().r() != c.ref().s());
    atLeast(5, "stride 2", c -> c.stride()[0] == 2 || c.stride()[1] == 2);
    atLeast(3, "stride 3", c -> c.stride()[0] == 3 || c.stride()[1] == 3);
    atLeast(3, "unequal stride", c -> c.stride()[0] != c.stride()[1]);
    atLeast(5, "symmetric P", c -> c.padding().matches("[1-9]\\d*"));
    atLeast(3, "PH,PW", c -> c.padding().matches("\\d+,\\d+"));
    atLeast(3, "T,B,L,R", c -> c.padding().matches("\\d+,\\d+,\\d+,\\d+"));
    atLeast(3, "same at stride 1", c -> c.padding().equals("same") && c.stride()[0] == 1);
    atLeast(3, "same at stride > 1", c -> c.padding().equals("same") && c.stride()[0] > 1);
    atLeast(2, "valid", c -> c.padding().equals("valid"));
    atLeast(3, "unequal dilation", c -> c.dilation()[0] != c.dilation()[1]);
    atLeast(3, "dilation > 1", c -> c.dilation()[0] > 1 && c.dilation()[1] > 1);
    atLeast(3, "grouped", c -> c.groups() > 1 && c.ref().c() > c.groups());
    atLeast(2, "depthwise K = C", c -> c.groups() == c.ref().c() && c.ref().k() == c.ref().c());
    atLeast(2, "depthwise K = 2C",
        c -> c.groups() == c.ref().c() && c.ref().k() == 2 * c.ref().c());
    atLeast(10, "bias", GoldenCase::hasBias);
    atLeast(10, "no bias", c -> !c.hasBias());
    atLeast(10, "batch 1", c -> c.ref().n() == 1);
    atLeast(10, "batch > 1", c -> c.ref().n() > 1);
    atLeast(3, "NaN/Inf in x", c -> c.nonfinite() != null && c.nonfinite().startsWith("x"));
    atLeast(1, "NaN/Inf in dy", c -> "dy".equals(c.nonfinite()));
  }

  private static void atLeast(int n, String what, Predicate<GoldenCase> p) {
    long count = CASES.stream().filter(p).count();
    assertTrue(count >= n, "golden cases with " + what + ": " + count + ", want >= " + n);
  }
}
