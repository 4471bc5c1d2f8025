package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Padding;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.Pass;
import org.vconv.plan.Planner;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * The weight gradient of {@code Algorithm.IMPLICIT_GEMM} on the shallow filters the planner gives
 * {@link WindowDots}:
 * against the reference on both providers, bitwise the same for every thread count and
 * budget. The cases' rows are whole 16-float vectors (which the pass asks for); their filter
 * depths C/G*R*S and filter counts K/G leave every remainder against the dot tiles (4 x 4 and
 * 3 x 3), and strides, dilation, asymmetric pads and groups give the slab every form.
 */
class WindowDotsTest {
  private static final Planned ALGO = new Planned(Algorithm.IMPLICIT_GEMM);

  /** The default, then budgets that cut the images into sets and then into rows. */
  private static final long[] BUDGETS = {64L << 20, 24L << 10, 4L << 10, 1L << 10};

  static List<ConvCase> cases() {
    return List.of(
        ConvCase.of("stem 7x7 s2 d147 kg5").x(2, 3, 37, 32).kernel(5, 7, 7).stride(2, 2)
            .pad(Padding.of(3)).bias().build(),
        ConvCase.of("3x3 q32 d45 kg7").x(1, 5, 6, 32).kernel(7, 3, 3).pad(Padding.of(1))
            .build(),
        ConvCase.of("dilation 2 asymmetric d12 kg3").x(2, 4, 7, 20).kernel(3, 1, 3)
            .dilation(2, 2).pad(Padding.of(1, 2, 0, 0)).build(),
        ConvCase.of("groups 2 d27 kg5").x(1, 6, 5, 16).kernel(10, 3, 3).groups(2)
            .pad(Padding.of(1)).bias().build(),
        ConvCase.of("d2 kg4 3 images").x(3, 1, 4, 16).kernel(4, 2, 1).build(),
        ConvCase.of("d28 kg1 q48").x(2, 7, 3, 48).kernel(1, 2, 2).pad(Padding.of(0, 1, 0, 1))
            .build(),
        ConvCase.of("stride 3 d18 kg6").x(1, 2, 9, 48).kernel(6, 3, 3).stride(3, 3).build(),
        ConvCase.of("stride 2,1 d33 kg2").x(5, 11, 8, 16).kernel(2, 3, 1).stride(2, 1)
            .pad(Padding.of(1, 0, 0, 0)).build(),
        ConvCase.of("at the limit d256 kg9").x(1, 64, 3, 16).kernel(9, 2, 2)
            .pad(Padding.of(0, 1, 0, 1)).build());
  }

  /** Every case is this pass's, with every remainder of depth and filters against 3 and 4. */
  @Test
  void casesAreThePassesAndHitEveryRemainder() {
    Set<Integer> depth3 = new HashSet<>();
    Set<Integer> depth4 = new HashSet<>();
    Set<Integer> filters3 = new HashSet<>();
    Set<Integer> filters4 = new HashSet<>();
    for (ConvCase cs : cases()) {
      ConvGeometry g = cs.geometry();
      assertTrue(takes(g), cs.name());
      depth3.add(g.crs() % 3);
      depth4.add(g.crs() % 4);
      filters3.add(g.kg() % 3);
      filters4.add(g.kg() % 4);
    }
    assertEquals(Set.of(0, 1, 2), depth3);
    assertEquals(Set.of(0, 1, 2, 3), depth4);
    assertEquals(Set.of(0, 1, 2), filters3);
    assertEquals(Set.of(0, 1, 2, 3), filters4);
  }

  /** Whether the implicit GEMM's weight gradient of {@code g} runs as window-dots. */
  private static boolean takes(ConvGeometry g) {
    ExecContext ctx = new ExecContext(2, 64L << 20, VectorProviders.get());
    return Planner.WINDOW_DOTS.equals(ALGO.plan(g, Pass.BACKWARD_WEIGHT, ctx).path());
  }

  /**
   * Deeper filters, rows with a partial vector, NHWC, and disjoint windows of more than 32 taps
   * go to the outer-product pass.
   */
  @Test
  void otherShapesAreNotTaken() {
    assertFalse(takes(ConvCase.of("d260").x(1, 65, 3, 16).kernel(2, 2, 2)
        .pad(Padding.of(0, 1, 0, 1)).build().geometry()));
    assertFalse(takes(ConvCase.of("q15").x(1, 3, 3, 15).kernel(2, 3, 3)
        .pad(Padding.of(1)).build().geometry()));
    assertFalse(takes(ConvCase.of("nhwc").x(1, 3, 3, 16).kernel(2, 3, 3)
        .pad(Padding.of(1)).nhwc().build().geometry()));
    // disjoint windows (kernel within stride) over 32 taps
    assertFalse(takes(ConvCase.of("disjoint d36").x(1, 9, 4, 64).kernel(2, 2, 2).stride(2, 2)
        .build().geometry()));
  }

  @Test
  void matchesTheReferenceBitwiseIndependentOfThreadsAndBudget() {
    int checked = 0;
    Set<String> tilings = new HashSet<>();
    for (ConvCase cs : cases()) {
      Problem pb = new Problem(cs, cs.toString().hashCode());
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        float[] dw = null;
        for (long budget : BUDGETS) {
          ImplicitGemm.Plan plan = ImplicitGemm.Plan.dots(pb.g, budget / Float.BYTES);
          tilings.add(plan.rows() < pb.g.p() ? "rows"
              : plan.images() < pb.g.n() ? "image sets" : "all images");
          for (int threads = 1; threads <= 3; threads++) {
            ExecContext ctx = new ExecContext(threads, budget, kp);
            String what = cs.running(threads, budget) + " on " + kp.name();
            float[] got = pb.backwardWeight(ALGO, ctx);
            assertEquals(plan.tileFloats() * Float.BYTES, Workspace.lastCallBytes(),
                what + ": the scratch is the plan's");
            if (dw == null) {
              pb.checkBackwardWeight(what, got);
              dw = got;
            } else {
              Checks.assertBitwise(what, dw, got);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(Set.of("rows", "image sets", "all images"), tilings);
    assertEquals(cases().size() * 2 * BUDGETS.length * 3, checked);
  }

  /**
   * No fallback for non-finite inputs (no padded column is read): infinities of both signs
   * give each weight's infinity or NaN as the reference does, whatever the order of the sums.
   */
  @Test
  void nonFiniteInputsGiveTheReferencesInfinitiesAndNaNs() {
    ConvCase cs = cases().get(0);
    Problem pb = new Problem(cs, 11);
    pb.x[5] = Float.POSITIVE_INFINITY;
    pb.x[pb.x.length / 2] = Float.NEGATIVE_INFINITY;
    pb.x[pb.x.length - 3] = Float.NaN;
    float[] want = pb.backwardWeight(new DirectReference(),
        new ExecContext(1, 1 << 20, VectorProviders.scalar()));
    int special = 0;
    for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
      float[] got = pb.backwardWeight(ALGO, new ExecContext(2, 64L << 20, kp));
      for (int i = 0; i < want.length; i++) {
        assertEquals(kind(want[i]), kind(got[i]), kp.name() + " weight " + i);
        special += Float.isFinite(want[i]) ? 0 : 1;
      }
    }
    assertTrue(special > 0, "the inputs reach some weights");
  }

  private static String kind(float v) {
    return Float.isNaN(v) ? "NaN" : Float.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf") : "finite";
  }
}
