package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.Pass;
import org.vconv.plan.Planner;
import org.vconv.plan.Tuning;
import org.vconv.simd.VectorProviders;

/**
 * On panama-512's table, AUTO runs grouped convolutions with few channels per group directly: up to 16 channels per
 * group for every pass and layout, up to 32 for the NCHW forward and input gradient; wider
 * groups and ungrouped shapes go to the GEMM algorithms (implicit GEMM for the
 * stride-1 NCHW forward and input gradient, else im2col + GEMM), pointwise ones to im2col + GEMM.
 */
class GroupedSelectionTest {

  static ConvGeometry grouped(int cg, int groups, int r, Layout layout) {
    // 16 wide: SAME padding adds 2 columns, 12.5% (ImplicitGemm.narrowPadding)
    return ConvCase.of("g").x(1, cg * groups, 16, 16).kernel(2 * groups, r, r).groups(groups)
        .pad(Padding.SAME).build().inLayout(layout).geometry();
  }

  @Test
  void autoPicksTheDirectAlgorithmWithinTheMeasuredBounds() {
    int checked = 0;
    for (Layout l : Layout.values()) {
      for (Pass pass : Pass.values()) {
        boolean wide = l == Layout.NCHW && pass != Pass.BACKWARD_WEIGHT;
        String gemm = wide ? Planner.IMPLICIT_GEMM : Planner.IM2COL_GEMM; // stride 1 here
        String direct = Planner.GROUPED_DIRECT;
        expect(direct, grouped(1, 6, 3, l), pass); // depthwise
        expect(direct, grouped(4, 3, 3, l), pass); // ResNeXt-like
        expect(direct, grouped(16, 2, 3, l), pass);
        expect(wide ? direct : gemm, grouped(17, 2, 3, l), pass);
        expect(wide ? direct : gemm, grouped(32, 2, 3, l), pass);
        expect(gemm, grouped(33, 2, 3, l), pass);
        // not grouped, and too shallow (36) and narrow (4 channels, 2 filters) for the
        // implicit GEMM in every pass
        expect(Planner.IM2COL_GEMM, grouped(4, 1, 3, l), pass);
        expect(pass == Pass.BACKWARD_WEIGHT && l == Layout.NCHW ? Planner.POINTWISE_DOTS
            : Planner.POINTWISE_GEMM, grouped(4, 3, 1, l), pass); // pointwise, few channels
        checked++;
      }
    }
    assertEquals(6, checked);
  }

  private static void expect(String path, ConvGeometry g, Pass pass) {
    ExecContext ctx = new ExecContext(2, 64L << 20, VectorProviders.get());
    assertEquals(path, Planner.of(Tuning.of("panama-512")).plan(Algorithm.AUTO, pass, g, ctx)
        .path(), g + " " + pass);
  }
}
