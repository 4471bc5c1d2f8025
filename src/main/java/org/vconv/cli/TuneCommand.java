package org.vconv.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.vconv.Conv2d;
import org.vconv.ConvPlan;
import org.vconv.PlanningMode;
import org.vconv.Wisdom;
import org.vconv.plan.Planner;

/**
 * {@code vconv tune --suite FILE --wisdom OUT}: plans every layer of a 2-D suite CSV with
 * {@link PlanningMode#MEASURE} (each pass's accepting paths timed on the layer's shape), prints
 * the paths chosen, one line per layer, each with every path's time in brackets, and writes
 * the wisdom, with any imported before, to {@code OUT}. A later run loads it with
 * {@code -Dvconv.wisdom=OUT} (or {@link Wisdom}) and plans those layers the same way without
 * measuring.
 */
final class TuneCommand {
  private TuneCommand() {}

  static final List<String> OPTIONS = List.of("--suite", "--wisdom", "--threads");

  static void tune(List<String> argv, PrintStream out) throws IOException {
    Args a = Args.parse("tune", argv, OPTIONS);
    Path suite = Path.of(a.require("--suite"));
    Path wisdom = a.output("--wisdom");
    int threads = a.has("--threads") ? a.positiveInt("--threads") : Conv2d.defaultThreads();
    List<SuiteFile.Row> rows;
    try {
      rows = SuiteFile.read(suite);
    } catch (IOException e) {
      throw new CliException("--suite " + a.get("--suite") + ": cannot read: " + e);
    }
    for (SuiteFile.Row r : rows) {
      ConvPlan plan;
      try {
        plan = Conv2d.of(r.spec()).withThreads(threads).withPlanning(PlanningMode.MEASURE)
            .plan(r.inputShape(), r.weightShape());
      } catch (IllegalArgumentException e) {
        throw new CliException("--suite " + a.get("--suite") + ": layer " + r.name() + ": "
            + e.getMessage());
      }
      out.println(r.name() + ": fwd " + chosen(plan.forward()) + ", bwd_data "
          + chosen(plan.inputGradient()) + ", bwd_weight " + chosen(plan.weightGradient()));
      out.flush();
    }
    try (StagedFiles staged = new StagedFiles()) {
      staged.stage("--wisdom " + a.get("--wisdom"), wisdom,
          Wisdom.exportText().getBytes(StandardCharsets.UTF_8));
      staged.commit();
    }
  }

  /** The step's path, and when it was measured, every path's time in brackets. */
  private static String chosen(ConvPlan.Step s) {
    String why = s.reason();
    if (!why.startsWith(Planner.MEASURED)) {
      return s.path(); // planned from wisdom imported before: nothing measured
    }
    int end = why.indexOf("; ", Planner.MEASURED.length());
    return s.path() + " ["
        + why.substring(Planner.MEASURED.length(), end < 0 ? why.length() : end) + "]";
  }
}
