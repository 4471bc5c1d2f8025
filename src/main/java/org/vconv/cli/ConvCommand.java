package org.vconv.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vconv.ConvNd;
import org.vconv.ConvNdSpec;
import org.vconv.Gradient;
import org.vconv.Gradients;
import org.vconv.Tensor;

/**
 * {@code vconv forward} and {@code vconv backward}. Each checks every option, output path and
 * input file, then computes every result, and only then writes: all outputs to temporary
 * files first, then renamed into place, so an error changes no output file.
 */
final class ConvCommand {
  private ConvCommand() {}

  static final List<String> FORWARD_OPTIONS = with("--input", "--weight", "--bias", "--output");
  static final List<String> BACKWARD_OPTIONS = with("--input", "--weight", "--grad-output",
      "--grad-input", "--grad-weight", "--grad-bias");
  private static final List<String> GRAD_OUTPUTS =
      List.of("--grad-input", "--grad-weight", "--grad-bias");

  private static List<String> with(String... own) {
    List<String> all = new ArrayList<>(List.of(own));
    all.addAll(Args.CONV_OPTIONS);
    return List.copyOf(all);
  }

  static void forward(List<String> argv) throws IOException {
    Args a = Args.parse("forward", argv, FORWARD_OPTIONS);
    a.require("--input");
    a.require("--weight");
    a.require("--output");
    a.checkConvOptions();
    Map<String, Path> outs = outputs(a, List.of("--output"));
    Tensor x = read(a, "--input");
    Tensor w = read(a, "--weight");
    Tensor b = a.has("--bias") ? read(a, "--bias") : null;
    ConvNd conv = conv(a, x, w);
    int[] yShape = outputShape(conv, a, x, w);
    int k = yShape[conv.spec().channelsLast() ? yShape.length - 1 : 1];
    if (b != null && (b.rank() != 1 || b.dim(0) != k)) {
      throw new CliException(label(a, "--bias") + ": expected a bias of shape (" + k
          + ",) (one per output channel), got " + Npy.shapeText(b.shape()));
    }
    Tensor y = conv.forward(x, w, b);
    write(a, outs, Map.of("--output", y));
  }

  static void backward(List<String> argv) throws IOException {
    Args a = Args.parse("backward", argv, BACKWARD_OPTIONS);
    a.require("--input");
    a.require("--weight");
    a.require("--grad-output");
    List<String> asked = GRAD_OUTPUTS.stream().filter(a::has).toList();
    if (asked.isEmpty()) {
      throw new CliException("backward needs at least one of --grad-input, --grad-weight,"
          + " --grad-bias (see vconv --help)");
    }
    a.checkConvOptions();
    Map<String, Path> outs = outputs(a, asked);
    Tensor x = read(a, "--input");
    Tensor w = read(a, "--weight");
    Tensor dy = read(a, "--grad-output");
    ConvNd conv = conv(a, x, w);
    int[] yShape = outputShape(conv, a, x, w);
    if (!Arrays.equals(dy.shape(), yShape)) {
      throw new CliException(label(a, "--grad-output") + ": expected the output's shape "
          + Npy.shapeText(yShape) + " (layout " + conv.spec().layoutName() + "), got "
          + Npy.shapeText(dy.shape()));
    }
    EnumSet<Gradient> wanted = EnumSet.noneOf(Gradient.class);
    if (a.has("--grad-input")) {
      wanted.add(Gradient.INPUT);
    }
    if (a.has("--grad-weight")) {
      wanted.add(Gradient.WEIGHT);
    }
    if (a.has("--grad-bias")) {
      wanted.add(Gradient.BIAS);
    }
    Gradients g = conv.backward(dy, x, w, wanted);
    Map<String, Tensor> results = new LinkedHashMap<>();
    if (g.input() != null) {
      results.put("--grad-input", g.input());
    }
    if (g.weight() != null) {
      results.put("--grad-weight", g.weight());
    }
    if (g.bias() != null) {
      results.put("--grad-bias", g.bias());
    }
    write(a, outs, results);
  }

  /** The input's rank picks 1-D, 2-D or 3-D; the weight's must match it. */
  private static ConvNd conv(Args a, Tensor x, Tensor w) {
    int rank = x.rank() - 2;
    if (rank < 1 || rank > 3) {
      throw new CliException(label(a, "--input") + ": expected a 3-D, 4-D or 5-D input (a 1-D,"
          + " 2-D or 3-D convolution), got shape " + Npy.shapeText(x.shape()));
    }
    ConvNdSpec spec = a.spec(rank);
    if (w.rank() != x.rank()) {
      throw new CliException(label(a, "--weight") + ": expected a " + x.rank() + "-D weight ("
          + weightAxes(spec) + " for layout " + spec.layoutName() + "), got shape "
          + Npy.shapeText(w.shape()));
    }
    return ConvNd.of(spec).withAlgorithm(a.algorithm());
  }

  /** The weight's axes: OIHW-like channels first, HWIO-like channels last; I and O swap for
   * a transposed convolution. */
  private static String weightAxes(ConvNdSpec s) {
    String kernel = s.layoutName().replaceAll("[NC]", "");
    String io = s.transposed() ? "IO" : "OI";
    return s.channelsLast() ? kernel + new StringBuilder(io).reverse() : io + kernel;
  }

  /** Checks the output paths up front: usable, and no two the same file. */
  private static Map<String, Path> outputs(Args a, List<String> names) {
    Map<String, Path> outs = new LinkedHashMap<>();
    for (String n : names) {
      Path p = a.output(n);
      for (Map.Entry<String, Path> e : outs.entrySet()) {
        if (e.getValue().normalize().equals(p.normalize())) {
          throw new CliException(n + " and " + e.getKey() + " name the same file " + a.get(n));
        }
      }
      outs.put(n, p);
    }
    return outs;
  }

  private static Tensor read(Args a, String name) throws IOException {
    return Npy.read(label(a, name), Path.of(a.get(name)));
  }

  private static String label(Args a, String name) {
    return name + " " + a.get(name);
  }

  /** Validates the input and weight shapes; errors name the file(s) at fault. */
  private static int[] outputShape(ConvNd conv, Args a, Tensor x, Tensor w) {
    ConvNdSpec s = conv.spec();
    try {
      return conv.outputShape(x.shape(), w.shape());
    } catch (IllegalArgumentException e) {
      throw new CliException(label(a, "--input") + " " + Npy.shapeText(x.shape()) + " and "
          + label(a, "--weight") + " " + Npy.shapeText(w.shape()) + " (" + s.layoutName() + "/"
          + weightAxes(s) + ", " + describe(s) + "): " + e.getMessage());
    }
  }

  private static String describe(ConvNdSpec s) {
    int[] pads = s.padding();
    return (s.transposed() ? "transposed, " : "") + "stride " + join(s.stride())
        + ", padding " + (pads == null ? (s.isSamePadding() ? "same" : "valid") : join(pads))
        + ", dilation " + join(s.dilation()) + ", groups " + s.groups()
        + (s.paddingMode() == org.vconv.PaddingMode.ZEROS ? ""
            : ", padding mode " + s.paddingMode().name().toLowerCase(java.util.Locale.ROOT))
        + (s.transposed() ? ", output padding " + join(s.outputPadding()) : "");
  }

  private static String join(int[] v) {
    return String.join(",", Arrays.stream(v).mapToObj(Integer::toString).toList());
  }

  /** Stages every result, then renames them all; on failure removes the temporary files. */
  private static void write(Args a, Map<String, Path> outs, Map<String, Tensor> results)
      throws IOException {
    try (StagedFiles staged = new StagedFiles()) {
      for (Map.Entry<String, Tensor> r : results.entrySet()) {
        Path p = outs.get(r.getKey());
        Tensor t = r.getValue();
        staged.stage(label(a, r.getKey()), p, out -> Npy.writeTo(out, t));
      }
      staged.commit();
    }
  }
}
