package org.vconv.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.vconv.ConvSpec;
import org.vconv.cli.SuiteFile;

/**
 * One row of a benchmark suite CSV, as the benchmarks and scripts read it (NCHW):
 * {@code name,n,c,h,w,k,r,s,stride,pad,dilation,groups[,count]}. Stride, pad and dilation are
 * one value for both axes or {@code HxW}; {@code count} (default 1) is how many convolutions
 * of a network share the row's geometry, for weighting a whole network's time.
 */
public record ConvLayer(String name, int n, int c, int h, int w, int k, int r, int s,
    int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups,
    int count) {

  /** The suite kept in the project; JMH forks run in the project root (see scripts/bench). */
  public static final String DEFAULT_SUITE = "src/jmh/resources/layers.csv";

  public ConvLayer {
    if (Math.min(Math.min(n, c), Math.min(Math.min(h, w), Math.min(k, Math.min(r, s)))) < 1
        || Math.min(strideH, strideW) < 1 || Math.min(padH, padW) < 0
        || Math.min(dilationH, dilationW) < 1 || groups < 1 || count < 1) {
      throw new IllegalArgumentException(name + ": sizes, stride, dilation, groups and count"
          + " must be positive, pad non-negative");
    }
    if (c % groups != 0 || k % groups != 0) {
      throw new IllegalArgumentException(name + ": groups " + groups + " must divide c " + c
          + " and k " + k);
    }
    // fields are assigned after this body, so compute from the parameters
    if (extent(h, r, strideH, padH, dilationH) <= 0
        || extent(w, s, strideW, padW, dilationW) <= 0) {
      throw new IllegalArgumentException(name + ": empty output");
    }
  }

  /** A row with the same stride, pad and dilation on both axes, counted once. */
  public ConvLayer(String name, int n, int c, int h, int w, int k, int r, int s, int stride,
      int pad, int dilation, int groups) {
    this(name, n, c, h, w, k, r, s, stride, stride, pad, pad, dilation, dilation, groups, 1);
  }

  /** Every row of {@code csv} (empty: the default suite). */
  public static List<ConvLayer> load(String csv) {
    Path path = Path.of(csv == null || csv.isBlank() ? DEFAULT_SUITE : csv);
    try {
      return SuiteFile.read(path).stream().map(r -> new ConvLayer(r.name(), r.n(), r.c(),
          r.h(), r.w(), r.k(), r.r(), r.s(), r.strideH(), r.strideW(), r.padH(), r.padW(),
          r.dilationH(), r.dilationW(), r.groups(), r.count())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read suite " + path.toAbsolutePath(), e);
    }
  }

  /** The row named {@code name} in {@code csv}. */
  public static ConvLayer find(String csv, String name) {
    return load(csv).stream().filter(l -> l.name.equals(name)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("no layer '" + name + "' in suite " + csv));
  }

  /** The same layer with batch {@code n}. */
  public ConvLayer withBatch(int batch) {
    return withShape(batch, c, k, h, w);
  }

  /** The same convolution on smaller tensors: for cheap correctness checks. */
  public ConvLayer withShape(int batch, int ch, int kk, int hh, int ww) {
    return new ConvLayer(name, batch, ch, hh, ww, kk, r, s, strideH, strideW, padH, padW,
        dilationH, dilationW, groups, count);
  }

  public int p() {
    return extent(h, r, strideH, padH, dilationH);
  }

  public int q() {
    return extent(w, s, strideW, padW, dilationW);
  }

  private static int extent(int in, int kernel, int stride, int pad, int dilation) {
    int span = in + 2 * pad - dilation * (kernel - 1) - 1;
    return span < 0 ? 0 : span / stride + 1;
  }

  /**
   * 2*N*K*P*Q*(C/G)*R*S: the multiply-adds of the forward pass, counted for all three passes
   * (backward-data and backward-weight do the same products), as PyTorch and oneDNN count.
   */
  public double flops() {
    return 2.0 * n * k * p() * q() * (c / groups) * r * s;
  }

  public ConvSpec spec() {
    return ConvSpec.builder().stride(strideH, strideW).padding(padH, padW)
        .dilation(dilationH, dilationW).groups(groups).build();
  }

  public int[] inputShape() {
    return new int[] {n, c, h, w};
  }

  public int[] weightShape() {
    return new int[] {k, c / groups, r, s};
  }

  public int[] outputShape() {
    return new int[] {n, k, p(), q()};
  }
}
