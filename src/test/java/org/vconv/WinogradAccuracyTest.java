package org.vconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vconv.algo.ConvAlgorithm;
import org.vconv.algo.Winograd;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.GeometryResolver;
import org.vconv.plan.Planner;
import org.vconv.simd.VectorProviders;
import org.vconv.testutil.Json;
import org.vconv.testutil.RefConv;

/**
 * Winograd's accuracy contract: on realistic layers (3x3, pad 1, batch 2, 64 to 256 channels,
 * near-normal data; {@code scripts/gen-winograd-accuracy}), the default tile's maximum absolute
 * error against a float64 reference stays within twice PyTorch float32's own on the same data,
 * for every output (y, dx, dw). The data are regenerated here bit for bit from the script's
 * seeds (checked by their sums); the float64 reference is {@link RefConv}'s. F(4x4, 3x3) and
 * im2col are measured and printed too (the table in performance.md), not held to the bound.
 */
class WinogradAccuracyTest {
  /** The contract: Winograd's error at most this multiple of PyTorch float32's. */
  static final double BOUND = 2.0;

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> layers() throws IOException {
    try (InputStream in = WinogradAccuracyTest.class
        .getResourceAsStream("/winograd/accuracy.json")) {
      assertTrue(in != null, "missing /winograd/accuracy.json (scripts/gen-winograd-accuracy)");
      Map<String, Object> m = (Map<String, Object>) Json.parse(
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return (List<Map<String, Object>>) m.get("layers");
    }
  }

  /**
   * The script's data: SplitMix64 from {@code seed}, each value the sum of 12 uniforms in
   * [0, 1) (53-bit) minus 6, in double, rounded to float.
   */
  static float[] normals(long seed, int count) {
    float[] out = new float[count];
    long state = seed;
    for (int i = 0; i < count; i++) {
      double s = 0;
      for (int j = 0; j < 12; j++) {
        state += 0x9E3779B97F4A7C15L;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        double u = (z >>> 11) * 0x1p-53;
        s = j == 0 ? u : s + u;
      }
      out[i] = (float) (s - 6.0);
    }
    return out;
  }

  static double maxAbsError(float[] got, double[] ref) {
    double max = 0;
    for (int i = 0; i < ref.length; i++) {
      max = Math.max(max, Math.abs(got[i] - ref[i]));
    }
    return max;
  }

  static double sum(float[] a) {
    double s = 0;
    for (float v : a) {
      s += v;
    }
    return s;
  }

  static double[] widen(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  @Test
  @SuppressWarnings("unchecked")
  void defaultTileStaysWithinTwicePyTorchsError() throws IOException {
    ExecContext ctx = new ExecContext(2, ExecContext.DEFAULT_WORKSPACE_BYTES,
        VectorProviders.get());
    List<String> table = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Map<String, Object> l : layers()) {
      int n = ((Number) l.get("n")).intValue();
      int c = ((Number) l.get("c")).intValue();
      int h = ((Number) l.get("h")).intValue();
      int w = ((Number) l.get("w")).intValue();
      int k = ((Number) l.get("k")).intValue();
      List<Number> seeds = (List<Number>) l.get("seeds");
      float[] x = normals(seeds.get(0).longValue(), n * c * h * w);
      float[] wt = normals(seeds.get(1).longValue(), k * c * 9);
      float[] dy = normals(seeds.get(2).longValue(), n * k * h * w);
      String name = (String) l.get("name");
      assertEquals(((Number) l.get("sum_x")).doubleValue(), sum(x), 1e-9 * x.length, name);
      assertEquals(((Number) l.get("sum_w")).doubleValue(), sum(wt), 1e-9 * wt.length, name);
      assertEquals(((Number) l.get("sum_dy")).doubleValue(), sum(dy), 1e-9 * dy.length, name);
      Map<String, Object> torch = (Map<String, Object>) l.get("torch_max_abs_error");

      int[] xs = {n, c, h, w};
      int[] ws = {k, c, 3, 3};
      RefConv ref = RefConv.of(Layout.NCHW, xs, ws, new int[] {1, 1}, new int[] {1, 1, 1, 1},
          new int[] {1, 1}, 1);
      double[][] exact = {ref.forward(widen(x), widen(wt)), ref.backwardData(widen(dy),
          widen(wt)), ref.backwardWeight(widen(dy), widen(x))};
      ConvGeometry g = GeometryResolver.resolve(ConvSpec.builder().padding(1).build(), xs, ws);

      double[] t = {num(torch, "y"), num(torch, "dx"), num(torch, "dw")};
      double[] def = errors(Conv2d.of(ConvSpec.builder().padding(1).build())
          .withAlgorithm(Algorithm.WINOGRAD).withThreads(2), x, wt, dy, xs, ws, exact);
      double[] f2 = errors(new Winograd(2, 512), g, x, wt, dy, exact, ctx);
      double[] f4 = errors(new Winograd(4, 512), g, x, wt, dy, exact, ctx);
      double[] im2col = errors(Conv2d.of(ConvSpec.builder().padding(1).build())
          .withAlgorithm(Algorithm.IM2COL_GEMM).withThreads(2), x, wt, dy, xs, ws, exact);
      String[] outs = {"y", "dx", "dw"};
      for (int i = 0; i < 3; i++) {
        table.add(String.format("| %s | %s | %.3g | %.3g (%.2fx) | %.3g (%.2fx) | %.3g (%.2fx) |",
            name, outs[i], t[i], f2[i], f2[i] / t[i], f4[i], f4[i] / t[i], im2col[i],
            im2col[i] / t[i]));
        if (!(def[i] <= BOUND * t[i])) {
          failures.add(name + " " + outs[i] + ": Winograd F(" + Planner.winogradTile()
              + ") max error " + def[i] + " > " + BOUND + " x PyTorch's " + t[i]);
        }
        checked++;
      }
    }
    System.out.println("| layer | output | PyTorch float32 | Winograd F(2x2) | Winograd F(4x4)"
        + " | im2col |\n|---|---|---|---|---|---|\n" + String.join("\n", table));
    assertTrue(failures.isEmpty(), String.join("\n", failures) + "\n" + String.join("\n",
        table));
    assertTrue(checked >= 6, "checked " + checked);
  }

  private static double num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).doubleValue();
  }

  /** Max errors of y, dx, dw through the facade. */
  private static double[] errors(Conv2d conv, float[] x, float[] w, float[] dy, int[] xs,
      int[] ws, double[][] exact) {
    Tensor tx = Tensor.of(x.clone(), xs);
    Tensor tw = Tensor.of(w.clone(), ws);
    Tensor y = conv.forward(tx, tw, null);
    Gradients gr = conv.backward(Tensor.of(dy.clone(), y.shape()), tx, tw);
    return new double[] {maxAbsError(y.data(), exact[0]), maxAbsError(gr.input().data(),
        exact[1]), maxAbsError(gr.weight().data(), exact[2])};
  }

  /** Max errors of y, dx, dw of one algorithm instance. */
  private static double[] errors(ConvAlgorithm a, ConvGeometry g, float[] x, float[] w,
      float[] dy, double[][] exact, ExecContext ctx) {
    float[] y = new float[g.outputSize()];
    float[] dx = new float[g.inputSize()];
    float[] dw = new float[g.weightSize()];
    a.forward(g, x, w, null, y, ctx);
    a.backwardData(g, dy, w, dx, ctx);
    a.backwardWeight(g, dy, x, dw, ctx);
    return new double[] {maxAbsError(y, exact[0]), maxAbsError(dx, exact[1]),
        maxAbsError(dw, exact[2])};
  }
}
