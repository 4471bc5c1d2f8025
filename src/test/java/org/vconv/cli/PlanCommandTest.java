package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Conv2d;
import org.vconv.ConvNd;
import org.vconv.ConvNdSpec;
import org.vconv.ConvPlan;
import org.vconv.ConvSpec;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.PaddingMode;

/** {@code vconv plan}: exactly the library's plan as three lines; errors as every command's. */
class PlanCommandTest {

  @Test
  void printsTheLibrarysPlanInThreeLines() {
    CliTest.Result r = CliTest.run("plan", "--input-shape", "8,64,56,56", "--weight-shape",
        "64,64,3,3", "--padding", "1");
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(3, lines.size(), r.out());
    assertTrue(lines.get(0).startsWith("fwd: "), lines.get(0));
    assertTrue(lines.get(1).startsWith("bwd_data: "), lines.get(1));
    assertTrue(lines.get(2).startsWith("bwd_weight: "), lines.get(2));
    String expected = Conv2d.of(ConvSpec.builder().padding(1).build())
        .plan(new int[] {8, 64, 56, 56}, new int[] {64, 64, 3, 3}).toString();
    assertEquals(expected, String.join("\n", lines));
  }

  @Test
  void takesTheConvOptionsAndTheLayoutsOrder() {
    CliTest.Result r = CliTest.run("plan", "--input-shape=2,9,9,6", "--weight-shape=3,3,2,6",
        "--layout", "NHWC", "--groups", "3", "--stride", "2", "--padding", "same",
        "--dilation", "1,1", "--algorithm", "implicit-gemm");
    assertEquals(0, r.status(), r.err());
    String expected = Conv2d.of(ConvSpec.builder().layout(Layout.NHWC).groups(3).stride(2, 2)
        .padding(Padding.SAME).build()).withAlgorithm(Algorithm.IMPLICIT_GEMM)
        .plan(new int[] {2, 9, 9, 6}, new int[] {3, 3, 2, 6}).toString();
    assertEquals(expected + "\n", r.out());
    assertTrue(r.out().contains("implicit-gemm declines: NHWC; runs im2col-gemm"), r.out());
  }

  @Test
  void plansEveryFamilyThroughItsLowering() {
    CliTest.Result r = CliTest.run("plan", "--input-shape", "2,16,8,28,28", "--weight-shape",
        "32,16,3,3,3", "--padding", "1", "--padding-mode", "reflect");
    assertEquals(0, r.status(), r.err());
    String expected = ConvNd.of(ConvNdSpec.builder(3).padding(1)
        .paddingMode(PaddingMode.REFLECT).build())
        .plan(new int[] {2, 16, 8, 28, 28}, new int[] {32, 16, 3, 3, 3}).toString();
    assertEquals(expected + "\n", r.out());
    assertTrue(r.out().lines().allMatch(l -> l.contains("3-D as 2-D over depth slices")
        && l.contains("reflect padding copied first")), r.out());

    CliTest.Result t = CliTest.run("plan", "--input-shape", "4,64,16", "--weight-shape",
        "64,32,4", "--transposed", "--stride", "2", "--padding", "1");
    assertEquals(0, t.status(), t.err());
    ConvNd up = ConvNd.of(ConvNdSpec.builder(1).transposed(true).stride(2).padding(1).build());
    ConvPlan plan = up.plan(new int[] {4, 64, 16}, new int[] {64, 32, 4});
    assertEquals(plan + "\n", t.out());
    assertTrue(plan.forward().reason().contains("transposed: the input gradient"),
        plan.forward().reason());
  }

  @Test
  void errorsExitTwoWithOneLine() {
    for (String[] args : List.of(
        new String[] {"plan", "--weight-shape", "64,64,3,3"},
        new String[] {"plan", "--input-shape", "8,64,56", "--weight-shape", "64,64,3,3"},
        new String[] {"plan", "--input-shape", "8,64,56,0", "--weight-shape", "64,64,3,3"},
        new String[] {"plan", "--input-shape", "8,64,56,56", "--weight-shape", "64,32,3,3"},
        new String[] {"plan", "--input-shape", "8,64,56,56", "--weight-shape", "64,64,3,3",
            "--output", "y.npy"})) {
      CliTest.Result r = CliTest.run(args);
      assertEquals(Main.ERROR, r.status(), String.join(" ", args));
      assertEquals("", r.out());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().startsWith("vconv: "), r.err());
    }
  }
}
