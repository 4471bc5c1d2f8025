package org.vconv.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.vconv.ConvNd;
import org.vconv.ConvNdSpec;
import org.vconv.PaddingMode;

/**
 * One row of an N-d benchmark suite CSV (channels first), as {@link ConvNdLayerBenchmark} and
 * the scripts read it: {@code name,op,n,c,k,in,kernel,stride,pad,dilation,groups,
 * output_padding,mode[,count]}. {@code op} is {@code conv} or {@code tconv} (transposed);
 * {@code in} gives the spatial extents as {@code L}, {@code HxW} or {@code DxHxW}, and so the
 * rank; kernel, stride, dilation and output padding are one value or one per axis; pad is
 * {@code same} or per axis {@code P} or {@code B:A}; mode is a {@link PaddingMode} in lower
 * case.
 */
public record NdLayer(String name, ConvNdSpec spec, int n, int c, int k, int[] in,
    int[] kernel, int count) {

  static final String HEADER =
      "name,op,n,c,k,in,kernel,stride,pad,dilation,groups,output_padding,mode";

  /** Every row of {@code csv}. */
  public static List<NdLayer> load(String csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of(csv));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read suite " + Path.of(csv).toAbsolutePath(), e);
    }
    String header = lines.isEmpty() ? "" : lines.get(0).trim();
    boolean counted = header.equals(HEADER + ",count");
    if (!counted && !header.equals(HEADER)) {
      throw new IllegalArgumentException(csv + ": header must be " + HEADER);
    }
    List<NdLayer> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(",");
      if (f.length != (counted ? 14 : 13)) {
        throw new IllegalArgumentException(csv + ": expected " + (counted ? 14 : 13)
            + " columns: " + line);
      }
      int[] in = axes(f[5], 0);
      int rank = in.length;
      ConvNdSpec.Builder b = ConvNdSpec.builder(rank)
          .transposed(switch (f[1].trim()) {
            case "conv" -> false;
            case "tconv" -> true;
            default -> throw new IllegalArgumentException(csv + ": op must be conv or tconv: "
                + line);
          })
          .stride(axes(f[7], rank)).dilation(axes(f[9], rank)).groups(Integer.parseInt(f[10]))
          .paddingMode(PaddingMode.valueOf(f[12].trim().toUpperCase(Locale.ROOT)));
      if (f[8].trim().equals("same")) {
        b.padding("same");
      } else {
        String[] per = f[8].trim().split("x");
        int[] pads = new int[2 * rank];
        for (int i = 0; i < rank; i++) {
          String[] ba = per[per.length == 1 ? 0 : i].split(":");
          pads[2 * i] = Integer.parseInt(ba[0]);
          pads[2 * i + 1] = Integer.parseInt(ba[ba.length - 1]);
        }
        b.padding(pads);
      }
      b.outputPadding(axes(f[11], rank));
      rows.add(new NdLayer(f[0].trim(), b.build(), Integer.parseInt(f[2]),
          Integer.parseInt(f[3]), Integer.parseInt(f[4]), in, axes(f[6], rank),
          counted ? Integer.parseInt(f[13].trim()) : 1));
    }
    return rows;
  }

  /** {@code AxB...} as values, one value repeated {@code rank} times (0: as many as given). */
  private static int[] axes(String field, int rank) {
    int[] v = Arrays.stream(field.trim().split("x")).mapToInt(Integer::parseInt).toArray();
    if (v.length == 1 && rank > 1) {
      int[] all = new int[rank];
      Arrays.fill(all, v[0]);
      return all;
    }
    return v;
  }

  /** The row named {@code name} in {@code csv}. */
  public static NdLayer find(String csv, String name) {
    return load(csv).stream().filter(l -> l.name.equals(name)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("no layer '" + name + "' in suite " + csv));
  }

  public int[] inputShape() {
    int[] s = new int[in.length + 2];
    s[0] = n;
    s[1] = c;
    System.arraycopy(in, 0, s, 2, in.length);
    return s;
  }

  public int[] weightShape() {
    int g = spec.groups();
    int[] s = new int[kernel.length + 2];
    s[0] = spec.transposed() ? c : k;
    s[1] = spec.transposed() ? k / g : c / g;
    System.arraycopy(kernel, 0, s, 2, kernel.length);
    return s;
  }

  public int[] outputShape() {
    return ConvNd.of(spec).outputShape(inputShape(), weightShape());
  }

  /**
   * 2 x the multiply-adds of the plain convolution whose passes run (for a transposed row,
   * the convolution it is the adjoint of), the same for all three passes.
   */
  public double flops() {
    int[] y = outputShape();
    double taps = Arrays.stream(kernel).asDoubleStream().reduce(1, (a, b) -> a * b);
    double plainOut = 1;
    int[] plain = spec.transposed() ? in : Arrays.copyOfRange(y, 2, y.length);
    for (int e : plain) {
      plainOut *= e;
    }
    int plainIn = spec.transposed() ? k : c;
    int plainK = spec.transposed() ? c : k;
    return 2.0 * n * plainK * plainOut * (plainIn / spec.groups()) * taps;
  }
}
