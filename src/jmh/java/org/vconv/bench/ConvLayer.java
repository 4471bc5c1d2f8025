package org.vconv.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vconv.ConvSpec;

/**
 * One row of a benchmark suite CSV ({@code name,n,c,h,w,k,r,s,stride,pad,dilation,groups}:
 * NCHW, square stride, pad and dilation), as the benchmarks and scripts read it.
 */
public record ConvLayer(String name, int n, int c, int h, int w, int k, int r, int s,
    int stride, int pad, int dilation, int groups) {

  /** The suite kept in the project; JMH forks run in the project root (see scripts/bench). */
  public static final String DEFAULT_SUITE = "src/jmh/resources/layers.csv";

  static final String HEADER = "name,n,c,h,w,k,r,s,stride,pad,dilation,groups";

  public ConvLayer {
    if (Math.min(Math.min(n, c), Math.min(Math.min(h, w), Math.min(k, Math.min(r, s)))) < 1
        || stride < 1 || pad < 0 || dilation < 1 || groups < 1) {
      throw new IllegalArgumentException(name + ": sizes, stride, dilation and groups must be"
          + " positive, pad non-negative");
    }
    if (c % groups != 0 || k % groups != 0) {
      throw new IllegalArgumentException(name + ": groups " + groups + " must divide c " + c
          + " and k " + k);
    }
    // fields are assigned after this body, so compute from the parameters
    if (extent(h, r, stride, pad, dilation) <= 0 || extent(w, s, stride, pad, dilation) <= 0) {
      throw new IllegalArgumentException(name + ": empty output");
    }
  }

  /** Every row of {@code csv} (empty: the default suite). */
  public static List<ConvLayer> load(String csv) {
    Path path = Path.of(csv == null || csv.isBlank() ? DEFAULT_SUITE : csv);
    List<String> lines;
    try {
      lines = Files.readAllLines(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read suite " + path.toAbsolutePath(), e);
    }
    if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
      throw new IllegalArgumentException(path + ": header must be " + HEADER);
    }
    List<ConvLayer> layers = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(",");
      if (f.length != 12) {
        throw new IllegalArgumentException(path + ": expected 12 columns: " + line);
      }
      int[] v = new int[11];
      for (int i = 0; i < 11; i++) {
        v[i] = Integer.parseInt(f[i + 1].trim());
      }
      layers.add(new ConvLayer(f[0].trim(), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
          v[8], v[9], v[10]));
    }
    return layers;
  }

  /** The row named {@code name} in {@code csv}. */
  public static ConvLayer find(String csv, String name) {
    return load(csv).stream().filter(l -> l.name.equals(name)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("no layer '" + name + "' in suite " + csv));
  }

  /** The same layer with batch {@code n}. */
  public ConvLayer withBatch(int batch) {
    return new ConvLayer(name, batch, c, h, w, k, r, s, stride, pad, dilation, groups);
  }

  /** The same convolution on smaller tensors: for cheap correctness checks. */
  public ConvLayer withShape(int batch, int ch, int kk, int hh, int ww) {
    return new ConvLayer(name, batch, ch, hh, ww, kk, r, s, stride, pad, dilation, groups);
  }

  public int p() {
    return extent(h, r, stride, pad, dilation);
  }

  public int q() {
    return extent(w, s, stride, pad, dilation);
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
    return ConvSpec.builder().stride(stride).padding(pad).dilation(dilation).groups(groups)
        .build();
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
