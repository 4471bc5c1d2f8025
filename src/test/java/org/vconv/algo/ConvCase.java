package org.vconv.algo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.vconv.ConvSpec;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.GeometryResolver;

/**
 * A test problem: the spec, the shapes (in NCHW terms, converted to the layout), bias or not,
 * and how to run it (threads, workspace budget). Also the seeded data it runs on.
 */
public record ConvCase(String name, Layout layout, int n, int c, int h, int w, int k, int r,
    int s, int strideH, int strideW, Padding padding, int dilH, int dilW, int groups,
    boolean bias, int threads, long budget) {

  public ConvSpec spec() {
    return ConvSpec.builder().layout(layout).stride(strideH, strideW).padding(padding)
        .dilation(dilH, dilW).groups(groups).build();
  }

  public int[] inputShape() {
    return layout == Layout.NCHW ? new int[] {n, c, h, w} : new int[] {n, h, w, c};
  }

  public int[] weightShape() {
    return layout == Layout.NCHW ? new int[] {k, c / groups, r, s}
        : new int[] {r, s, c / groups, k};
  }

  public ConvGeometry geometry() {
    return GeometryResolver.resolve(spec(), inputShape(), weightShape());
  }

  /** Whether the shapes make a convolution with a non-empty output. */
  public boolean valid() {
    try {
      geometry();
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The same problem in the other layout. */
  public ConvCase inLayout(Layout l) {
    return new ConvCase(name, l, n, c, h, w, k, r, s, strideH, strideW, padding, dilH, dilW,
        groups, bias, threads, budget);
  }

  /** The same problem on a batch of {@code images}. */
  public ConvCase withBatch(int images) {
    return new ConvCase(name, layout, images, c, h, w, k, r, s, strideH, strideW, padding, dilH,
        dilW, groups, bias, threads, budget);
  }

  /** The same problem run with {@code t} threads and a budget of {@code bytes}. */
  public ConvCase running(int t, long bytes) {
    return new ConvCase(name, layout, n, c, h, w, k, r, s, strideH, strideW, padding, dilH,
        dilW, groups, bias, t, bytes);
  }

  @Override
  public String toString() {
    return name + " " + layout + " x[" + n + "," + c + "," + h + "," + w + "] w[" + k + ","
        + c / groups + "," + r + "," + s + "] stride " + strideH + "," + strideW + " pad "
        + padding + " dil " + dilH + "," + dilW + " groups " + groups + (bias ? " bias" : "")
        + " threads " + threads + " budget " + budget;
  }

  /** Uniform values in [-1, 1) from {@code seed}. */
  public static float[] random(int size, long seed) {
    Random rnd = new Random(seed);
    float[] a = new float[size];
    for (int i = 0; i < a.length; i++) {
      a[i] = rnd.nextFloat() * 2f - 1f;
    }
    return a;
  }

  /** Small integers in [-8, 8]: every sum of a few thousand is exact in float. */
  public static float[] integers(int size, long seed) {
    Random rnd = new Random(seed);
    float[] a = new float[size];
    for (int i = 0; i < a.length; i++) {
      a[i] = rnd.nextInt(17) - 8;
    }
    return a;
  }

  public static float[] abs(float[] a) {
    float[] b = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Math.abs(a[i]);
    }
    return b;
  }

  static Builder of(String name) {
    return new Builder(name);
  }

  /** A terse builder for hand-picked cases: defaults 1x1x5x5, K=1, 3x3, stride 1, no pad. */
  static final class Builder {
    private final String name;
    private Layout layout = Layout.NCHW;
    private int n = 1, c = 1, h = 5, w = 5, k = 1, r = 3, s = 3;
    private int sh = 1, sw = 1, dh = 1, dw = 1, groups = 1;
    private Padding padding = Padding.VALID;
    private boolean bias;

    private Builder(String name) {
      this.name = name;
    }

    Builder x(int n, int c, int h, int w) {
      this.n = n;
      this.c = c;
      this.h = h;
      this.w = w;
      return this;
    }

    Builder kernel(int k, int r, int s) {
      this.k = k;
      this.r = r;
      this.s = s;
      return this;
    }

    Builder stride(int sh, int sw) {
      this.sh = sh;
      this.sw = sw;
      return this;
    }

    Builder dilation(int dh, int dw) {
      this.dh = dh;
      this.dw = dw;
      return this;
    }

    Builder pad(Padding p) {
      this.padding = p;
      return this;
    }

    Builder groups(int g) {
      this.groups = g;
      return this;
    }

    Builder bias() {
      this.bias = true;
      return this;
    }

    Builder nhwc() {
      this.layout = Layout.NHWC;
      return this;
    }

    ConvCase build() {
      return new ConvCase(name, layout, n, c, h, w, k, r, s, sh, sw, padding, dh, dw, groups,
          bias, 1, 64L << 20);
    }
  }

  /** {@code count} random valid cases from {@code seed}, small enough for the reference. */
  public static List<ConvCase> randomCases(long seed, int count) {
    Random rnd = new Random(seed);
    List<ConvCase> out = new ArrayList<>();
    long[] budgets = {64L << 20, 64L << 10, 4L << 10, 512};
    while (out.size() < count) {
      int groups = 1 + rnd.nextInt(3);
      boolean depthwise = rnd.nextInt(5) == 0;
      int cg = depthwise ? 1 : 1 + rnd.nextInt(4);
      int kg = depthwise ? 1 + rnd.nextInt(2) : 1 + rnd.nextInt(4);
      Padding pad = switch (rnd.nextInt(5)) {
        case 0 -> Padding.VALID;
        case 1 -> Padding.SAME;
        case 2 -> Padding.of(rnd.nextInt(3));
        case 3 -> Padding.of(rnd.nextInt(3), rnd.nextInt(3));
        default -> Padding.of(rnd.nextInt(4), rnd.nextInt(4), rnd.nextInt(4), rnd.nextInt(4));
      };
      ConvCase cs = new ConvCase("random#" + out.size(),
          rnd.nextBoolean() ? Layout.NCHW : Layout.NHWC,
          1 + rnd.nextInt(3), cg * groups, 1 + rnd.nextInt(17), 1 + rnd.nextInt(17),
          kg * groups, 1 + rnd.nextInt(5), 1 + rnd.nextInt(5),
          1 + rnd.nextInt(3), 1 + rnd.nextInt(3), pad, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3),
          groups, rnd.nextBoolean(), 1 + rnd.nextInt(3), budgets[rnd.nextInt(budgets.length)]);
      if (cs.valid()) {
        out.add(cs);
      }
    }
    return out;
  }
}
