package org.vconv.algo;

import static org.vconv.gemm.StridedMatrix.rowMajor;

import org.vconv.Layout;
import org.vconv.gemm.Sgemm;
import org.vconv.gemm.StridedMatrix;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;

/**
 * The im2col+GEMM passes of a pointwise convolution ({@link ConvGeometry#isPointwise()}): the
 * im2col matrix is the input itself (NCHW: {@code x_n [C, H*W]}; NHWC: {@code x [N*H*W, C]}),
 * so every pass is GEMMs on strided views, with no copy and no scratch.
 *
 * <p>Tasks: NCHW one per (image, group), NHWC one per group (the batch is one matrix). Each
 * task writes its own block of the output; the weight gradient of NCHW sums images in order.
 * NCHW with 1x1 planes (a squeeze-and-excitation block) is laid out as NHWC, {@code [N, C]}:
 * it runs as NHWC does, one GEMM over the batch per group rather than one matrix-vector
 * product per image.
 */
final class Pointwise {
  private Pointwise() {}

  static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    int hw = g.hw();
    int cg = g.cg();
    int kg = g.kg();
    if (!pixelRows(g)) {
      int tasks = g.n() * g.groups();
      Tiling.run(ctx, tasks, Tiling.workers(ctx, tasks, 0), task -> {
        int n = task / g.groups();
        int grp = task % g.groups();
        int yOff = g.yIndex(n, grp * kg, 0, 0);
        var wg = rowMajor(w, grp * kg * cg, cg);           // [K/G, C/G]
        var xg = rowMajor(x, g.xIndex(n, grp * cg, 0, 0), hw); // [C/G, HW]
        if (bias == null) {
          Sgemm.multiply(kg, hw, cg, wg, xg, y, yOff, hw, ctx);
        } else {
          Outputs.fillChannelRows(y, yOff, hw, kg, hw, bias, grp * kg);
          Sgemm.multiplyAdd(kg, hw, cg, wg, xg, y, yOff, hw, ctx);
        }
      });
    } else {
      int m = g.n() * hw;
      Tiling.run(ctx, g.groups(), Tiling.workers(ctx, g.groups(), 0), grp -> {
        var xg = rowMajor(x, grp * cg, g.c());  // [N*HW, C/G]
        var wg = weightsByInput(g, w, grp);     // [C/G, K/G]
        if (bias == null) {
          Sgemm.multiply(m, kg, cg, xg, wg, y, grp * kg, g.k(), ctx);
        } else {
          Outputs.fillPixelRows(y, grp * kg, g.k(), m, kg, bias, grp * kg);
          Sgemm.multiplyAdd(m, kg, cg, xg, wg, y, grp * kg, g.k(), ctx);
        }
      });
    }
  }

  static void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    int hw = g.hw();
    int cg = g.cg();
    int kg = g.kg();
    if (!pixelRows(g)) {
      int tasks = g.n() * g.groups();
      Tiling.run(ctx, tasks, Tiling.workers(ctx, tasks, 0), task -> {
        int n = task / g.groups();
        int grp = task % g.groups();
        var wgT = rowMajor(w, grp * kg * cg, cg).transpose();  // [C/G, K/G]
        var dyg = rowMajor(dy, g.yIndex(n, grp * kg, 0, 0), hw); // [K/G, HW]
        Sgemm.multiply(cg, hw, kg, wgT, dyg, dx, g.xIndex(n, grp * cg, 0, 0), hw, ctx);
      });
    } else {
      int m = g.n() * hw;
      Tiling.run(ctx, g.groups(), Tiling.workers(ctx, g.groups(), 0), grp -> {
        var dyg = rowMajor(dy, grp * kg, g.k());              // [N*HW, K/G]
        var wgT = weightsByInput(g, w, grp).transpose();      // [K/G, C/G]
        Sgemm.multiply(m, cg, kg, dyg, wgT, dx, grp * cg, g.c(), ctx);
      });
    }
  }

  static void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    int hw = g.hw();
    int cg = g.cg();
    int kg = g.kg();
    Tiling.run(ctx, g.groups(), Tiling.workers(ctx, g.groups(), 0), grp -> {
      if (g.layout() == Layout.NCHW && hw == 1) { // dW [K/G, C/G] = dy^T x, over the batch
        var dygT = rowMajor(dy, grp * kg, g.k()).transpose(); // [K/G, N]
        var xg = rowMajor(x, grp * cg, g.c());                // [N, C/G]
        Sgemm.multiply(kg, cg, g.n(), dygT, xg, dw, grp * kg * cg, cg, ctx);
      } else if (g.layout() == Layout.NCHW) {
        int dwOff = grp * kg * cg;
        for (int n = 0; n < g.n(); n++) { // images in order: a fixed reduction order
          var dyg = rowMajor(dy, g.yIndex(n, grp * kg, 0, 0), hw);            // [K/G, HW]
          var xgT = rowMajor(x, g.xIndex(n, grp * cg, 0, 0), hw).transpose(); // [HW, C/G]
          if (n == 0) {
            Sgemm.multiply(kg, cg, hw, dyg, xgT, dw, dwOff, cg, ctx);
          } else {
            Sgemm.multiplyAdd(kg, cg, hw, dyg, xgT, dw, dwOff, cg, ctx);
          }
        }
      } else {
        var xgT = rowMajor(x, grp * cg, g.c()).transpose(); // [C/G, N*HW]
        var dyg = rowMajor(dy, grp * kg, g.k());            // [N*HW, K/G]
        Sgemm.multiply(cg, kg, g.n() * hw, xgT, dyg, dw, grp * kg, g.k(), ctx);
      }
    });
  }

  /** Whether the tensors are {@code [N*H*W, C]} matrices: NHWC, or NCHW with 1x1 planes. */
  private static boolean pixelRows(ConvGeometry g) {
    return g.layout() == Layout.NHWC || g.hw() == 1;
  }

  /** Group {@code grp}'s weights as {@code [C/G, K/G]}: HWIO as is, OIHW transposed. */
  private static StridedMatrix weightsByInput(ConvGeometry g, float[] w, int grp) {
    return g.layout() == Layout.NHWC ? rowMajor(w, grp * g.kg(), g.k())
        : rowMajor(w, grp * g.kg() * g.cg(), g.cg()).transpose();
  }
}
