package org.vconv.plan;

import java.util.Arrays;
import org.vconv.ConvSpec;
import org.vconv.Layout;

/**
 * Turns a spec and the input and weight shapes into a {@link ConvGeometry}, or explains in an
 * {@link IllegalArgumentException} why they do not make a convolution.
 */
public final class GeometryResolver {
  private GeometryResolver() {}

  public static ConvGeometry resolve(ConvSpec spec, int[] xShape, int[] wShape) {
    Layout layout = spec.layout();
    boolean nchw = layout == Layout.NCHW;
    if (xShape.length != 4) {
      throw new IllegalArgumentException("expected a 4-D input "
          + (nchw ? "[N, C, H, W]" : "[N, H, W, C]") + " (layout " + layout + "), got shape "
          + Arrays.toString(xShape));
    }
    if (wShape.length != 4) {
      throw new IllegalArgumentException("expected a 4-D weight "
          + (nchw ? "[K, C/groups, R, S] (OIHW)" : "[R, S, C/groups, K] (HWIO)")
          + " for layout " + layout + ", got shape " + Arrays.toString(wShape));
    }
    int n = xShape[0];
    int c = nchw ? xShape[1] : xShape[3];
    int h = nchw ? xShape[2] : xShape[1];
    int w = nchw ? xShape[3] : xShape[2];
    int k = nchw ? wShape[0] : wShape[3];
    int cg = nchw ? wShape[1] : wShape[2];
    int r = nchw ? wShape[2] : wShape[0];
    int s = nchw ? wShape[3] : wShape[1];
    int groups = spec.groups();
    if (Arrays.stream(xShape).anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException(
          "input must not be empty, got shape " + Arrays.toString(xShape));
    }
    if (Arrays.stream(wShape).anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException(
          "weight must not be empty, got shape " + Arrays.toString(wShape));
    }
    // outputShape takes bare shapes: they must still be shapes a Tensor can have
    checkCount("input", xShape);
    checkCount("weight", wShape);
    if (k % groups != 0) {
      throw new IllegalArgumentException("groups=" + groups + " must divide the weight's " + k
          + " output channels");
    }
    if ((long) cg * groups != c) {
      throw new IllegalArgumentException("expected input with " + (long) cg * groups
          + " channels (weight " + cg + " per group x " + groups + " groups), got " + c);
    }
    int[] pad = spec.padding().resolve(h, w, r, s, spec.strideH(), spec.strideW(),
        spec.dilationH(), spec.dilationW());
    long p = ConvGeometry.outputExtent(h, pad[0], pad[1], r, spec.dilationH(), spec.strideH());
    long q = ConvGeometry.outputExtent(w, pad[2], pad[3], s, spec.dilationW(), spec.strideW());
    if (p <= 0 || q <= 0) {
      long kh = (long) (r - 1) * spec.dilationH() + 1;
      long kw = (long) (s - 1) * spec.dilationW() + 1;
      throw new IllegalArgumentException("output would be empty: input " + h + "x" + w
          + " padded by " + spec.padding() + " to " + ((long) h + pad[0] + pad[1]) + "x"
          + ((long) w + pad[2] + pad[3]) + " is smaller than the dilated kernel " + kh + "x"
          + kw);
    }
    long paddedH = (long) h + pad[0] + pad[1];
    long paddedW = (long) w + pad[2] + pad[3];
    if (paddedH > Integer.MAX_VALUE || paddedW > Integer.MAX_VALUE) {
      // kernels index the padded extent with int arithmetic
      throw new IllegalArgumentException("input " + h + "x" + w + " padded by " + spec.padding()
          + " to " + paddedH + "x" + paddedW + " is too large (at most " + Integer.MAX_VALUE
          + " per axis)");
    }
    long out = (long) n * k * p * q;
    if (out > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("output [" + n + ", " + k + ", " + p + ", " + q
          + "] has more elements than a Java array can hold");
    }
    return new ConvGeometry(layout, n, c, h, w, k, r, s, (int) p, (int) q,
        spec.strideH(), spec.strideW(), pad[0], pad[1], pad[2], pad[3],
        spec.dilationH(), spec.dilationW(), groups);
  }

  private static void checkCount(String what, int[] shape) {
    long count = 1;
    for (int d : shape) {
      count *= d; // d >= 1 here and count stays below 2^31 before this step: no long overflow
      if (count > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(what + " shape " + Arrays.toString(shape)
            + " has more elements than a Java array can hold");
      }
    }
  }
}
