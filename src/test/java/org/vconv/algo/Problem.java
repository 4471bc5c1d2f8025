package org.vconv.algo;

import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProviders;

/**
 * One case's seeded data and its reference results (and the reference on absolute values,
 * which gives each element's sum of |term| for the tolerance).
 */
final class Problem {
  final ConvCase cs;
  final ConvGeometry g;
  final float[] x;
  final float[] w;
  final float[] bias;
  final float[] dy;

  private float[] y;
  private float[] yAbs;
  private float[] dx;
  private float[] dxAbs;
  private float[] dw;
  private float[] dwAbs;

  Problem(ConvCase cs, long seed) {
    this.cs = cs;
    this.g = cs.geometry();
    this.x = ConvCase.random(g.inputSize(), seed);
    this.w = ConvCase.random(g.weightSize(), seed + 1);
    this.bias = cs.bias() ? ConvCase.random(g.k(), seed + 2) : null;
    this.dy = ConvCase.random(g.outputSize(), seed + 3);
  }

  private static final DirectReference REF = new DirectReference();
  private static final ExecContext ONE = new ExecContext(1, 1 << 20, VectorProviders.scalar());

  float[] forward(ConvAlgorithm a, ExecContext ctx) {
    float[] out = filledWithNaN(g.outputSize()); // every element must be overwritten
    a.forward(g, x, w, bias, out, ctx);
    return out;
  }

  float[] backwardData(ConvAlgorithm a, ExecContext ctx) {
    float[] out = filledWithNaN(g.inputSize());
    a.backwardData(g, dy, w, out, ctx);
    return out;
  }

  float[] backwardWeight(ConvAlgorithm a, ExecContext ctx) {
    float[] out = filledWithNaN(g.weightSize());
    a.backwardWeight(g, dy, x, out, ctx);
    return out;
  }

  private static float[] filledWithNaN(int size) {
    float[] a = new float[size];
    java.util.Arrays.fill(a, Float.NaN);
    return a;
  }

  /** The reference result of a pass (computed once). */
  float[] reference(Pass3 pass) {
    switch (pass) {
      case FORWARD -> checkForward("warm", forward(REF, ONE));
      case DATA -> checkBackwardData("warm", backwardData(REF, ONE));
      case WEIGHT -> checkBackwardWeight("warm", backwardWeight(REF, ONE));
    }
    return switch (pass) {
      case FORWARD -> y;
      case DATA -> dx;
      case WEIGHT -> dw;
    };
  }

  /** The reference on absolute values of a pass: each element's sum of |term|. */
  float[] referenceAbs(Pass3 pass) {
    reference(pass);
    return switch (pass) {
      case FORWARD -> yAbs;
      case DATA -> dxAbs;
      case WEIGHT -> dwAbs;
    };
  }

  /** The three passes, for {@link #reference}. */
  enum Pass3 { FORWARD, DATA, WEIGHT }

  void checkForward(String what, float[] got) {
    if (y == null) {
      y = forward(REF, ONE);
      yAbs = new float[y.length];
      REF.forward(g, ConvCase.abs(x), ConvCase.abs(w), bias == null ? null : ConvCase.abs(bias),
          yAbs, ONE);
    }
    Checks.assertClose(what + " forward", y, yAbs, (long) g.crs() + 1, got);
  }

  void checkBackwardData(String what, float[] got) {
    if (dx == null) {
      dx = backwardData(REF, ONE);
      dxAbs = new float[dx.length];
      REF.backwardData(g, ConvCase.abs(dy), ConvCase.abs(w), dxAbs, ONE);
    }
    Checks.assertClose(what + " input gradient", dx, dxAbs, (long) g.kg() * g.r() * g.s(), got);
  }

  void checkBackwardWeight(String what, float[] got) {
    if (dw == null) {
      dw = backwardWeight(REF, ONE);
      dwAbs = new float[dw.length];
      REF.backwardWeight(g, ConvCase.abs(dy), ConvCase.abs(x), dwAbs, ONE);
    }
    Checks.assertClose(what + " weight gradient", dw, dwAbs, (long) g.n() * g.pq(), got);
  }
}
