package org.vconv.algo;

import static org.vconv.gemm.StridedMatrix.rowMajor;

import java.util.Arrays;
import org.vconv.Layout;
import org.vconv.gemm.Sgemm;
import org.vconv.gemm.StridedMatrix;
import org.vconv.im2col.ValidRange;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;

/**
 * The notebook's baseline: one GEMM per kernel offset {@code (r, s)} between the weight slice
 * {@code W[:, :, r, s]} and a shifted, strided, dilated view of the input, with no im2col.
 * Padding is handled by clipping: for each offset only the output pixels whose tap lands
 * inside the image take part. A shifted view is a plain strided matrix only along one output
 * row (rows of the view jump by the input row length), so the GEMMs work one output row at a
 * time: {@code [K/G, C/G] x [C/G, Q']} (NCHW) or {@code [Q', C/G] x [C/G, K/G]} (NHWC), with
 * {@code Q'} the clipped row length.
 *
 * <p>Threads and determinism: forward tasks are output rows {@code (n, p)}, input-gradient
 * tasks are input rows {@code (n, ih)} (each gathers every offset that reaches it), and
 * weight-gradient tasks are offsets {@code (g, r, s)} (NCHW also a block of filters), each
 * summing over {@code (n, p)} in order. Every task owns its outputs and sums in a fixed
 * order, so results are bitwise independent of the thread count and of the budget.
 *
 * <p>Scratch: NCHW results with a non-unit column stride go through a small buffer (the input
 * gradient at {@code strideW > 1}: {@code [C/G, Q']}; the weight gradient:
 * {@code [filters, C/G]}), sized by {@link Tiling}; its minimum is one column or one filter.
 */
public final class KernelOffsetLoop implements ConvAlgorithm {

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert Outputs.sized(g, x, w, y) && (bias == null || bias.length == g.k()) : "sizes";
    int rows = g.n() * g.p();
    try (Workspace unused = Workspace.none()) {
      Tiling.run(ctx, rows, Tiling.workers(ctx, rows, 0), gr -> forwardRow(g, x, w, bias, y,
          gr / g.p(), gr % g.p(), ctx));
    }
  }

  private static void forwardRow(ConvGeometry g, float[] x, float[] w, float[] bias,
      float[] y, int n, int p, ExecContext ctx) {
    boolean nchw = g.layout() == Layout.NCHW;
    int cg = g.cg();
    int kg = g.kg();
    if (nchw) {
      Outputs.fillChannelRows(y, g.yIndex(n, 0, p, 0), g.pq(), g.k(), g.q(), bias, 0);
    } else {
      Outputs.fillPixelRows(y, g.yIndex(n, 0, p, 0), g.k(), g.q(), g.k(), bias, 0);
    }
    for (int grp = 0; grp < g.groups(); grp++) {
      for (int ri = 0; ri < g.r(); ri++) {
        int ih = ValidRange.input(p, g.padTop(), ri * g.dilH(), g.strideH());
        if (ih < 0 || ih >= g.h()) {
          continue;
        }
        for (int si = 0; si < g.s(); si++) {
          int tap = si * g.dilW();
          int q0 = ValidRange.first(g.padLeft(), tap, g.strideW(), g.q());
          int qn = ValidRange.end(g.w(), g.padLeft(), tap, g.strideW(), g.q()) - q0;
          if (qn == 0) {
            continue;
          }
          int xOff = g.xIndex(n, grp * cg, ih, ValidRange.input(q0, g.padLeft(), tap,
              g.strideW()));
          int yOff = g.yIndex(n, grp * kg, p, q0);
          if (nchw) {
            var xs = new StridedMatrix(x, xOff, g.hw(), g.strideW()); // [C/G, Q']
            Sgemm.multiplyAdd(kg, qn, cg, weightSlice(g, w, grp, ri, si), xs, y, yOff, g.pq(),
                ctx);
          } else {
            var xs = new StridedMatrix(x, xOff, g.strideW() * g.c(), 1); // [Q', C/G]
            Sgemm.multiplyAdd(qn, kg, cg, xs, weightSlice(g, w, grp, ri, si), y, yOff, g.k(),
                ctx);
          }
        }
      }
    }
  }

  /** {@code W[g-block, :, r, s]}: NCHW {@code [K/G, C/G]}, NHWC {@code [C/G, K/G]}. */
  private static StridedMatrix weightSlice(ConvGeometry g, float[] w, int grp, int ri, int si) {
    if (g.layout() == Layout.NCHW) {
      int rs = g.r() * g.s();
      return new StridedMatrix(w, g.wIndex(grp * g.kg(), 0, ri, si), g.cg() * rs, rs);
    }
    return rowMajor(w, g.wIndex(grp * g.kg(), 0, ri, si), g.k());
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    assert Outputs.sized(g, dx, w, dy) : "sizes";
    int rows = g.n() * g.h();
    boolean buffered = g.layout() == Layout.NCHW && g.strideW() > 1;
    int chunk = buffered ? Tiling.unitsPerChunk(g.cg(), g.q(), g.q(), ctx.workspaceFloats()) : 0;
    int bufFloats = Tiling.arrayLength((long) chunk * g.cg());
    int workers = Tiling.workers(ctx, rows, bufFloats);
    try (Workspace ws = new Workspace(workers, bufFloats)) {
      Tiling.run(ctx, rows, workers, task -> {
        float[] buf = buffered ? ws.take() : null;
        backwardDataRow(g, dy, w, dx, task / g.h(), task % g.h(), buf, chunk, ctx);
        if (buf != null) {
          ws.give(buf);
        }
      });
    }
  }

  /** Overwrites input row {@code ih} of image {@code n} (all channels) of {@code dx}. */
  private static void backwardDataRow(ConvGeometry g, float[] dy, float[] w, float[] dx, int n,
      int ih, float[] buf, int chunk, ExecContext ctx) {
    boolean nchw = g.layout() == Layout.NCHW;
    int cg = g.cg();
    int kg = g.kg();
    if (nchw) {
      for (int c = 0; c < g.c(); c++) {
        Arrays.fill(dx, g.xIndex(n, c, ih, 0), g.xIndex(n, c, ih, 0) + g.w(), 0f);
      }
    } else {
      Arrays.fill(dx, g.xIndex(n, 0, ih, 0), g.xIndex(n, 0, ih, 0) + g.w() * g.c(), 0f);
    }
    for (int grp = 0; grp < g.groups(); grp++) {
      for (int ri = 0; ri < g.r(); ri++) {
        int ph = ih + g.padTop() - ri * g.dilH(); // = p * strideH when offset r reaches ih
        int p = ph / g.strideH();
        if (ph < 0 || ph % g.strideH() != 0 || p >= g.p()) {
          continue;
        }
        for (int si = 0; si < g.s(); si++) {
          int tap = si * g.dilW();
          int q0 = ValidRange.first(g.padLeft(), tap, g.strideW(), g.q());
          int q1 = ValidRange.end(g.w(), g.padLeft(), tap, g.strideW(), g.q());
          if (q0 == q1) {
            continue;
          }
          var wT = weightSlice(g, w, grp, ri, si).transpose();
          int dxOff = g.xIndex(n, grp * cg, ih, ValidRange.input(q0, g.padLeft(), tap,
              g.strideW()));
          if (!nchw) { // dx pixels q0.. sit strideW*C apart: a row-major C with that ld
            var dyRows = rowMajor(dy, g.yIndex(n, grp * kg, p, q0), g.k()); // [Q', K/G]
            Sgemm.multiplyAdd(q1 - q0, cg, kg, dyRows, wT, dx, dxOff, g.strideW() * g.c(),
                ctx);
          } else if (buf == null) { // stride 1: dx row segments are a [C/G, Q'] matrix
            var dyRows = rowMajor(dy, g.yIndex(n, grp * kg, p, q0), g.pq()); // [K/G, Q']
            Sgemm.multiplyAdd(cg, q1 - q0, kg, wT, dyRows, dx, dxOff, g.hw(), ctx);
          } else { // strided columns: compute a chunk, then add it with stride
            for (int qa = q0; qa < q1; qa += chunk) {
              int len = Math.min(chunk, q1 - qa);
              var dyRows = rowMajor(dy, g.yIndex(n, grp * kg, p, qa), g.pq());
              Sgemm.multiply(cg, len, kg, wT, dyRows, buf, 0, len, ctx);
              int at = dxOff + (qa - q0) * g.strideW();
              for (int ci = 0; ci < cg; ci++) {
                for (int i = 0, to = at + ci * g.hw(); i < len; i++) {
                  dx[to + i * g.strideW()] += buf[ci * len + i];
                }
              }
            }
          }
        }
      }
    }
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert Outputs.sized(g, x, dw, dy) : "sizes";
    boolean nchw = g.layout() == Layout.NCHW;
    int kg = g.kg();
    // NCHW: dW[k, c, r, s] has a non-unit column stride, so blocks of filters go via a buffer
    int filters = nchw ? Tiling.unitsPerChunk(g.cg(), kg, kg, ctx.workspaceFloats()) : kg;
    int blocks = Math.ceilDiv(kg, filters);
    int tasks = g.groups() * g.r() * g.s() * blocks;
    int bufFloats = nchw ? Tiling.arrayLength((long) filters * g.cg()) : 0;
    int workers = Tiling.workers(ctx, tasks, bufFloats);
    try (Workspace ws = new Workspace(workers, bufFloats)) {
      Tiling.run(ctx, tasks, workers, task -> {
        int block = task % blocks;
        int offset = task / blocks; // (grp * R + r) * S + s
        int k0 = block * filters;
        int kn = Math.min(filters, kg - k0);
        float[] buf = nchw ? ws.take() : null;
        backwardWeightBlock(g, dy, x, dw, offset / (g.r() * g.s()), offset / g.s() % g.r(),
            offset % g.s(), k0, kn, buf, ctx);
        if (buf != null) {
          ws.give(buf);
        }
      });
    }
  }

  /** Overwrites {@code dW[g*K/G + k0 ..+ kn, :, r, s]}, summing over (n, p) in order. */
  private static void backwardWeightBlock(ConvGeometry g, float[] dy, float[] x, float[] dw,
      int grp, int ri, int si, int k0, int kn, float[] buf, ExecContext ctx) {
    boolean nchw = g.layout() == Layout.NCHW;
    int cg = g.cg();
    int kFirst = grp * g.kg() + k0;
    int tap = si * g.dilW();
    int q0 = ValidRange.first(g.padLeft(), tap, g.strideW(), g.q());
    int qn = ValidRange.end(g.w(), g.padLeft(), tap, g.strideW(), g.q()) - q0;
    int iw0 = ValidRange.input(q0, g.padLeft(), tap, g.strideW());
    // NCHW sums into buf [kn, C/G]; NHWC straight into the [C/G, K] slice of HWIO
    float[] acc = nchw ? buf : dw;
    int accOff = nchw ? 0 : g.wIndex(kFirst, 0, ri, si);
    int ld = nchw ? cg : g.k();
    if (nchw) {
      Arrays.fill(buf, 0, kn * cg, 0f);
    } else {
      for (int ci = 0; ci < cg; ci++) {
        Arrays.fill(dw, accOff + ci * ld, accOff + ci * ld + kn, 0f);
      }
    }
    for (int n = 0; n < g.n() && qn > 0; n++) {
      for (int p = 0; p < g.p(); p++) {
        int ih = ValidRange.input(p, g.padTop(), ri * g.dilH(), g.strideH());
        if (ih < 0 || ih >= g.h()) {
          continue;
        }
        int xOff = g.xIndex(n, grp * cg, ih, iw0);
        int dyOff = g.yIndex(n, kFirst, p, q0);
        if (nchw) {
          var dyRows = rowMajor(dy, dyOff, g.pq());                    // [kn, Q']
          var xsT = new StridedMatrix(x, xOff, g.strideW(), g.hw());   // [Q', C/G]
          Sgemm.multiplyAdd(kn, cg, qn, dyRows, xsT, acc, accOff, ld, ctx);
        } else {
          var xsT = new StridedMatrix(x, xOff, 1, g.strideW() * g.c()); // [C/G, Q']
          var dyRows = rowMajor(dy, dyOff, g.k());                      // [Q', kn]
          Sgemm.multiplyAdd(cg, kn, qn, xsT, dyRows, acc, accOff, ld, ctx);
        }
      }
    }
    if (nchw) {
      for (int k = 0; k < kn; k++) {
        for (int ci = 0; ci < cg; ci++) {
          dw[g.wIndex(kFirst + k, ci, ri, si)] = buf[k * cg + ci];
        }
      }
    }
  }
}
