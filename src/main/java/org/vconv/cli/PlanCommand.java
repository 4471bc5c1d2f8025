package org.vconv.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.vconv.Conv2d;
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
    Conv2d conv = Conv2d.of(a.spec()).withAlgorithm(a.algorithm());
    int[] x = shape(a, "--input-shape", conv.spec().layout().activationAxes());
    int[] w = shape(a, "--weight-shape", conv.spec().layout().weightAxes());
    ConvPlan plan;
    try {
      plan = conv.plan(x, w);
    } catch (IllegalArgumentException e) {
      throw new CliException("--input-shape " + a.get("--input-shape") + " and --weight-shape "
          + a.get("--weight-shape") + " (layout " + conv.spec().layout() + "): "
          + e.getMessage());
    }
    for (ConvPlan.Step s : plan.steps()) {
      out.println(s);
    }
  }

  /** Four comma-separated positive integers, in the layout's order. */
  private static int[] shape(Args a, String name, String axes) {
    String raw = a.require(name);
    String[] parts = raw.split(",", -1);
    int[] v = new int[parts.length];
    boolean ok = parts.length == 4;
    for (int i = 0; ok && i < 4; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].strip());
        ok = v[i] > 0;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new CliException(name + " " + raw + ": expected four positive integers, in " + axes
          + " order");
    }
    return v;
  }
}
