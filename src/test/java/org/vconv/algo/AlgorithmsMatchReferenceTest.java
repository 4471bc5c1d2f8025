package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vconv.Algorithm;
import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.Candidate;
import org.vconv.plan.ExecContext;
import org.vconv.plan.Pass;
import org.vconv.plan.Planner;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * Every algorithm (each {@link Algorithm} as planned, AUTO included) and every planner candidate
 * on the shapes it accepts, on both kernel providers, all three passes, against
 * {@link DirectReference} on hand-picked and seeded random shapes.
 */
class AlgorithmsMatchReferenceTest {

  record Variant(String name, BiFunction<ConvGeometry, Pass, ConvAlgorithm> pick) {}

  static List<Variant> variants() {
    List<Variant> v = new ArrayList<>();
    for (Algorithm a : Algorithm.values()) {
      Planned planned = new Planned(a);
      v.add(new Variant(a.name(), (g, pass) -> planned));
    }
    return v;
  }

  static List<VectorProvider> providers() {
    return List.of(VectorProviders.get(), VectorProviders.scalar());
  }

  static Stream<ConvCase> cases() {
    return Cases.all().stream();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void everyVariantOnEveryProviderMatchesTheReference(ConvCase cs) {
    Problem pb = new Problem(cs, cs.toString().hashCode());
    int checked = 0;
    for (Variant v : variants()) {
      for (VectorProvider kernels : providers()) {
        ExecContext ctx = new ExecContext(cs.threads(), cs.budget(), kernels);
        String what = v.name() + "/" + kernels.name() + " on " + cs;
        pb.checkForward(what, pb.forward(v.pick().apply(pb.g, Pass.FORWARD), ctx));
        pb.checkBackwardData(what,
            pb.backwardData(v.pick().apply(pb.g, Pass.BACKWARD_DATA), ctx));
        pb.checkBackwardWeight(what,
            pb.backwardWeight(v.pick().apply(pb.g, Pass.BACKWARD_WEIGHT), ctx));
        checked += 3;
      }
    }
    assertEquals(Algorithm.values().length * 2 * 3, checked);
  }

  /**
   * Each candidate of every list, run alone wherever it accepts the shape (not only where it is
   * the first to accept), on finite data.
   */
  @ParameterizedTest
  @MethodSource("cases")
  void everyAcceptingCandidateMatchesTheReference(ConvCase cs) {
    Problem pb = new Problem(cs, cs.toString().hashCode());
    int accepted = 0;
    for (VectorProvider kernels : providers()) {
      ExecContext ctx = new ExecContext(cs.threads(), cs.budget(), kernels);
      Planner planner = Planner.of(ctx);
      for (Pass pass : Pass.values()) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Algorithm a : Algorithm.values()) {
          for (Candidate c : planner.candidates(a, pass)) {
            if (!seen.add(c.path()) || !c.rule().judge(pb.g, ctx).accepts()) {
              continue;
            }
            String what = c.path() + "/" + kernels.name() + " on " + cs;
            switch (pass) {
              case FORWARD -> pb.checkForward(what, pb.forward(c.algorithm(), ctx));
              case BACKWARD_DATA -> pb.checkBackwardData(what, pb.backwardData(c.algorithm(),
                  ctx));
              case BACKWARD_WEIGHT -> pb.checkBackwardWeight(what, pb.backwardWeight(
                  c.algorithm(), ctx));
            }
            accepted++;
          }
        }
      }
    }
    // at least im2col-gemm (or pointwise-gemm), direct and kernel-offset, each pass, provider
    assertTrue(accepted >= 3 * 3 * 2, cs + ": " + accepted + " candidates ran");
  }

  /** The case list really contains what the suite claims to cover. */
  @Test
  void casesCoverEveryFeature() {
    List<ConvCase> all = Cases.all();
    assertEquals(Cases.handPicked().size() + Cases.RANDOM_CASES, all.size());
    assertEquals(32 * 2, Cases.handPicked().size());
    require(all, "NCHW", cs -> cs.layout() == Layout.NCHW);
    require(all, "NHWC", cs -> cs.layout() == Layout.NHWC);
    require(all, "pointwise", cs -> cs.geometry().isPointwise());
    require(all, "NCHW depthwise, 16 channels or more, stride 1 and 2 (channels-last copies)",
        cs -> cs.layout() == Layout.NCHW && cs.geometry().cg() == 1
            && cs.geometry().kg() == 1 && cs.geometry().c() >= 16 && cs.strideH() == 2);
    require(all, "pointwise on 1x1 planes, grouped, with bias (one GEMM over the batch)",
        cs -> cs.geometry().isPointwise() && cs.geometry().hw() == 1
            && cs.geometry().groups() > 1 && cs.bias());
    require(all, "a kernel that covers the input, grouped (covering-gemm)",
        cs -> CoveringGemm.applies(cs.geometry()) && cs.groups() > 1);
    require(all, "a kernel that covers the input, strided, tails past a vector",
        cs -> CoveringGemm.applies(cs.geometry()) && cs.strideH() > 1 && cs.k() == 17);
    require(all, "1x3", cs -> cs.r() == 1 && cs.s() == 3);
    require(all, "3x1", cs -> cs.r() == 3 && cs.s() == 1);
    require(all, "5x2", cs -> cs.r() == 5 && cs.s() == 2);
    require(all, "stride 2", cs -> cs.strideH() == 2 && cs.strideW() == 2);
    require(all, "stride 3", cs -> cs.strideH() == 3 && cs.strideW() == 3);
    require(all, "unequal strides", cs -> cs.strideH() != cs.strideW());
    require(all, "same at stride 1", cs -> cs.padding().isSame() && cs.strideH() == 1);
    require(all, "same at stride 2", cs -> cs.padding().isSame() && cs.strideH() == 2);
    require(all, "valid", cs -> cs.padding().isValid());
    require(all, "asymmetric padding", cs -> {
      ConvGeometry g = cs.geometry();
      return g.padTop() != g.padBottom() && g.padLeft() != g.padRight();
    });
    require(all, "dilation 2", cs -> cs.dilH() == 2 && cs.dilW() == 2);
    require(all, "unequal dilation", cs -> cs.dilH() != cs.dilW());
    require(all, "groups 2", cs -> cs.groups() == 2 && cs.c() > 2);
    require(all, "groups 3", cs -> cs.groups() == 3 && cs.c() > 3);
    require(all, "depthwise K=C", cs -> cs.groups() == cs.c() && cs.k() == cs.c() && cs.c() > 1);
    require(all, "depthwise K=2C", cs -> cs.groups() == cs.c() && cs.k() == 2 * cs.c()
        && cs.c() > 1);
    require(all, "bias", ConvCase::bias);
    require(all, "no bias", cs -> !cs.bias());
    require(all, "batch 1", cs -> cs.n() == 1);
    require(all, "batch 3", cs -> cs.n() == 3);
    for (int width : new int[] {1, 15, 16, 17}) {
      require(all, "width " + width, cs -> cs.w() == width);
    }
    require(all, "channel runs past a vector", cs -> cs.layout() == Layout.NHWC && cs.c() == 17);
    require(all, "several threads", cs -> cs.threads() > 1);
    require(all, "tiny budget", cs -> cs.budget() <= 1024);
  }

  private static void require(List<ConvCase> all, String feature, Predicate<ConvCase> has) {
    assertTrue(all.stream().anyMatch(has), "no case covers " + feature);
  }
}
