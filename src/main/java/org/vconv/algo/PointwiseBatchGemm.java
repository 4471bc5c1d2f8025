package org.vconv.algo;

import static org.vconv.gemm.StridedMatrix.rowMajor;

import java.util.Arrays;
import org.vconv.Layout;
import org.vconv.gemm.BatchedPlanes;
import org.vconv.gemm.Sgemm;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;

/**
 * Pointwise NCHW convolution ({@link ConvGeometry#isPointwise()}) with small planes as one GEMM
 * per group over the whole batch: the GEMM's columns run over every image's pixels
 * ({@link BatchedPlanes} packs them straight from the input), where {@link PointwiseGemm}'s
 * per-image GEMMs would be as narrow as a plane (49 columns at 7x7, less than two micro-tiles)
 * and pay their packing per image. The forward and the input gradient stage the output as
 * {@code [channels, N*H*W]} in scratch and copy it into place. There is no weight gradient
 * here: {@link PointwiseGemm}'s, which sums over the images in turn, measured as fast as one
 * GEMM over the batch. Scratch: the staged output of one group.
 *
 * <p>Each GEMM fixes its own reduction order whatever the threads, and groups run in turn, so
 * the results are bitwise independent of the thread count.
 */
public final class PointwiseBatchGemm implements ConvAlgorithm {

  /** Whether {@code g} is a problem this path takes: NCHW pointwise with planes of 2+ pixels. */
  public static boolean applies(ConvGeometry g) {
    return g.isPointwise() && g.layout() == Layout.NCHW && g.hw() > 1;
  }

  /** Floats of scratch a pass takes at most: one group's staged output. */
  public static long scratchFloats(ConvGeometry g) {
    return (long) Math.max(g.kg(), g.cg()) * g.n() * g.hw();
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert applies(g) && Outputs.sized(g, x, w, y) : "planned elsewhere";
    int hw = g.hw();
    int cols = g.n() * hw;
    int cg = g.cg();
    int kg = g.kg();
    try (Workspace ws = Workspace.reusing(1, Tiling.arrayLength((long) kg * cols))) {
      float[] stage = ws.take();
      for (int grp = 0; grp < g.groups(); grp++) {
        var wg = rowMajor(w, grp * kg * cg, cg);                            // [K/G, C/G]
        var xt = new BatchedPlanes(x, grp * cg * hw, g.c() * hw, hw);  // [N*HW, C/G]
        if (bias == null) {
          Sgemm.multiply(kg, cols, cg, wg, xt, stage, 0, cols, ctx);
        } else {
          for (int k = 0; k < kg; k++) {
            Arrays.fill(stage, k * cols, (k + 1) * cols, bias[grp * kg + k]);
          }
          Sgemm.multiplyAdd(kg, cols, cg, wg, xt, stage, 0, cols, ctx);
        }
        unstage(g, stage, kg, grp * kg, g.k(), y, ctx);
      }
      ws.give(stage);
    }
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert applies(g) && Outputs.sized(g, dx, w, dy) : "planned elsewhere";
    int hw = g.hw();
    int cols = g.n() * hw;
    int cg = g.cg();
    int kg = g.kg();
    try (Workspace ws = Workspace.reusing(1, Tiling.arrayLength((long) cg * cols))) {
      float[] stage = ws.take();
      for (int grp = 0; grp < g.groups(); grp++) {
        var wgT = rowMajor(w, grp * kg * cg, cg).transpose();                 // [C/G, K/G]
        var dyt = new BatchedPlanes(dy, grp * kg * hw, g.k() * hw, hw);  // [N*HW, K/G]
        Sgemm.multiply(cg, cols, kg, wgT, dyt, stage, 0, cols, ctx);
        unstage(g, stage, cg, grp * cg, g.c(), dx, ctx);
      }
      ws.give(stage);
    }
  }

  /** Not a path of this class: per image, the weight gradient's sums measured as fast. */
  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    throw new UnsupportedOperationException("pointwise-batch-gemm has no weight gradient");
  }

  /**
   * Copies {@code rows} staged channels ({@code [rows, N*HW]}) into channels
   * {@code [first, first + rows)} of the NCHW tensor {@code out} of {@code channels} channels,
   * an image per task.
   */
  private static void unstage(ConvGeometry g, float[] stage, int rows, int first, int channels,
      float[] out, ExecContext ctx) {
    int hw = g.hw();
    int cols = g.n() * hw;
    ctx.parallelFor(g.n(), n -> {
      for (int r = 0; r < rows; r++) {
        System.arraycopy(stage, r * cols + n * hw, out, (n * channels + first + r) * hw, hw);
      }
    });
  }
}
