package org.vconv.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vconv.Conv2d;
import org.vconv.ConvSpec;
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
    Conv2d conv = conv(a);
    Map<String, Path> outs = outputs(a, List.of("--output"));
    Tensor x = read(a, "--input");
    Tensor w = read(a, "--weight");
    Tensor b = a.has("--bias") ? read(a, "--bias") : null;
    int[] yShape = outputShape(conv, a, x, w);
    if (b != null && (b.rank() != 1 || b.dim(0) != yShape[channelAxis(conv)])) {
      throw new CliException(label(a, "--bias") + ": expected a bias of shape ("
          + yShape[channelAxis(conv)] + ",) (one per output channel), got "
          + Npy.shapeText(b.shape()));
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
    Conv2d conv = conv(a);
    Map<String, Path> outs = outputs(a, asked);
    Tensor x = read(a, "--input");
    Tensor w = read(a, "--weight");
    Tensor dy = read(a, "--grad-output");
    int[] yShape = outputShape(conv, a, x, w);
    if (!Arrays.equals(dy.shape(), yShape)) {
      throw new CliException(label(a, "--grad-output") + ": expected the output's shape "
          + Npy.shapeText(yShape) + " (layout " + conv.spec().layout() + "), got "
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

  private static Conv2d conv(Args a) {
    ConvSpec spec = a.spec();
    return Conv2d.of(spec).withAlgorithm(a.algorithm());
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
  private static int[] outputShape(Conv2d conv, Args a, Tensor x, Tensor w) {
    String axes = conv.spec().layout().activationAxes();
    String waxes = conv.spec().layout().weightAxes();
    if (x.rank() != 4) {
      throw new CliException(label(a, "--input") + ": expected a 4-D input (" + axes
          + " for layout " + conv.spec().layout() + "), got shape " + Npy.shapeText(x.shape()));
    }
    if (w.rank() != 4) {
      throw new CliException(label(a, "--weight") + ": expected a 4-D weight (" + waxes
          + " for layout " + conv.spec().layout() + "), got shape " + Npy.shapeText(w.shape()));
    }
    try {
      return conv.outputShape(x.shape(), w.shape());
    } catch (IllegalArgumentException e) {
      throw new CliException(label(a, "--input") + " " + Npy.shapeText(x.shape()) + " and "
          + label(a, "--weight") + " " + Npy.shapeText(w.shape()) + " (" + axes + "/" + waxes
          + ", " + describe(conv.spec()) + "): " + e.getMessage());
    }
  }

  private static String describe(ConvSpec s) {
    return "stride " + s.strideH() + "," + s.strideW() + ", padding " + s.padding()
        + ", dilation " + s.dilationH() + "," + s.dilationW() + ", groups " + s.groups();
  }

  private static int channelAxis(Conv2d conv) {
    return conv.spec().layout() == org.vconv.Layout.NCHW ? 1 : 3;
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
