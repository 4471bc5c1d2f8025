package org.vconv.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.vconv.ConvNd;
import org.vconv.ConvNdSpec;
import org.vconv.ConvPlan;

/**
 * {@code vconv plan}: which path computes each pass of a convolution on given shapes, and why,
 * as three lines ({@code fwd:}, {@code bwd_data:}, {@code bwd_weight:}). Reads no files.
 */
final class PlanCommand {
  private PlanCommand() {}

  static final List<String> OPTIONS = options();

  private static List<String> options() {
    List<String> all = new ArrayList<>(List.of("--input-shape", "--weight-shape"));
    all.addAll(Args.CONV_OPTIONS);
    return List.copyOf(all);
  }

  static void plan(List<String> argv, PrintStream out) {
    Args a = Args.parse("plan", argv, OPTIONS);
    a.checkConvOptions();
    int[] x = shape(a, "--input-shape", null);
    int rank = x.length - 2;
    ConvNdSpec spec = a.spec(rank);
    int[] w = shape(a, "--weight-shape", x.length);
    ConvPlan plan;
    try {
      plan = ConvNd.of(spec).withAlgorithm(a.algorithm()).plan(x, w);
    } catch (IllegalArgumentException e) {
      throw new CliException("--input-shape " + a.get("--input-shape") + " and --weight-shape "
          + a.get("--weight-shape") + " (layout " + spec.layoutName() + "): " + e.getMessage());
    }
    for (ConvPlan.Step s : plan.steps()) {
      out.println(s);
    }
  }

  /**
   * Comma-separated positive integers, in the layout's order: 3 to 5 of them (the rank picks
   * 1-D, 2-D or 3-D), or exactly {@code count} when it is given.
   */
  private static int[] shape(Args a, String name, Integer count) {
    String raw = a.require(name);
    String[] parts = raw.split(",", -1);
    int[] v = new int[parts.length];
    boolean ok = count == null ? parts.length >= 3 && parts.length <= 5 : parts.length == count;
    for (int i = 0; ok && i < parts.length; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].strip());
        ok = v[i] > 0;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new CliException(name + " " + raw + ": expected " + (count == null
          ? "3, 4 or 5 positive integers (a 1-D, 2-D or 3-D convolution's input)"
          : count + " positive integers, as many axes as the input") + ", in the layout's"
          + " order");
    }
    return v;
  }
}
