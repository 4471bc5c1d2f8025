package org.vconv.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * An epoch's progress on stderr: a bar, images done, images per second and the running mean
 * loss. On a terminal the line is redrawn in place at most ten times a second; otherwise (a
 * log file) one line is printed per tenth of the epoch.
 */
final class ProgressBar implements Trainer.Progress {
  private static final int WIDTH = 30;
  private final PrintStream err;
  private final boolean terminal;
  private final String label;
  private final int total;
  private final long start = System.nanoTime();
  private long lastDraw;
  private int lastTenth;

  ProgressBar(PrintStream err, boolean terminal, String label, int total) {
    this.err = err;
    this.terminal = terminal;
    this.label = label;
    this.total = total;
  }

  @Override
  public void batchDone(int done, double meanLoss) {
    long now = System.nanoTime();
    int tenth = (int) (10L * done / Math.max(1, total));
    boolean last = done >= total;
    if (terminal ? now - lastDraw < 100_000_000L && !last : tenth == lastTenth && !last) {
      return;
    }
    lastDraw = now;
    lastTenth = tenth;
    double secs = Math.max(1e-9, (now - start) / 1e9);
    int filled = (int) ((long) WIDTH * done / Math.max(1, total));
    String line = String.format(Locale.ROOT, "%s [%s%s] %d/%d  %.0f images/s  loss %.4f",
        label, "=".repeat(filled), " ".repeat(WIDTH - filled), done, total, done / secs,
        meanLoss);
    if (terminal) {
      err.print("\r" + line + (last ? "\n" : ""));
    } else {
      err.println(line);
    }
    err.flush();
  }
}
