package org.vconv.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws scripts/bench's table as a horizontal bar chart (PNG, Java2D, headless): one bar of
 * SIMD GFLOP/s per layer and pass, coloured by pass, a thin dark bar for scalar, a dashed line
 * at peak and "GFLOP/s | % of peak | speedup" after each bar. Horizontal, so long layer names
 * stay readable.
 *
 * <pre>ChartWriter TABLE.tsv OUT.png PEAK_GFLOPS TITLE [SUBTITLE]</pre>
 *
 * TABLE.tsv is what {@code bench_report.py report --tsv} writes (header
 * {@code name pass ms gflops scalar_gflops pct_peak speedup}; empty fields are missing values);
 * PEAK_GFLOPS may be 0 for none.
 */
public final class ChartWriter {
  private static final Color[] PASS_COLORS = {
      new Color(0x4C78A8), new Color(0xF58518), new Color(0x54A24B)};
  private static final String[] PASSES = {"fwd", "bwd_data", "bwd_weight"};
  private static final int ROW = 20;
  private static final int LAYER_GAP = 8;
  private static final int LEFT = 220;
  private static final int RIGHT = 190;
  private static final int TOP = 92;
  private static final int BOTTOM = 50;
  private static final int WIDTH = 1200;

  record Row(String layer, String pass, double gflops, Double scalar, Double pct, Double speedup) {}

  private ChartWriter() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 4) {
      System.err.println("usage: ChartWriter TABLE.tsv OUT.png PEAK_GFLOPS TITLE [SUBTITLE]");
      System.exit(2);
    }
    System.setProperty("java.awt.headless", "true");
    List<Row> rows = read(Path.of(args[0]));
    BufferedImage img = draw(rows, Double.parseDouble(args[2]), args[3],
        args.length > 4 ? args[4] : "");
    if (!ImageIO.write(img, "png", Path.of(args[1]).toFile())) {
      throw new IOException("no PNG writer");
    }
  }

  static List<Row> read(Path tsv) throws IOException {
    List<String> lines = Files.readAllLines(tsv);
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      rows.add(new Row(f[0], f[1], Double.parseDouble(f[3]), opt(f[4]), opt(f[5]), opt(f[6])));
    }
    if (rows.isEmpty()) {
      throw new IOException(tsv + ": no rows");
    }
    return rows;
  }

  private static Double opt(String s) {
    return s.isEmpty() ? null : Double.valueOf(s);
  }

  static BufferedImage draw(List<Row> rows, double peak, String title, String subtitle) {
    int layerBreaks = 0;
    for (int i = 1; i < rows.size(); i++) {
      layerBreaks += rows.get(i).layer().equals(rows.get(i - 1).layer()) ? 0 : 1;
    }
    int height = TOP + rows.size() * ROW + layerBreaks * LAYER_GAP + BOTTOM;
    BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, height);

    double max = peak;
    for (Row r : rows) {
      max = Math.max(max, r.gflops());
    }
    double step = niceStep(max / 6);
    double axisMax = Math.ceil(max * 1.02 / step) * step;
    int plotW = WIDTH - LEFT - RIGHT;
    int plotBottom = height - BOTTOM;

    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
    g.drawString(title, 16, 26);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(subtitle, 16, 46);
    legend(g, 16, 68);

    // grid and x axis
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    FontMetrics fm = g.getFontMetrics();
    for (double v = 0; v <= axisMax + step / 2; v += step) {
      int x = LEFT + (int) Math.round(v / axisMax * plotW);
      g.setColor(new Color(0xE6E6E6));
      g.drawLine(x, TOP - 6, x, plotBottom);
      g.setColor(Color.DARK_GRAY);
      String label = fmt(v, step < 1 ? 1 : 0);
      g.drawString(label, x - fm.stringWidth(label) / 2, plotBottom + 15);
    }
    String axis = "GFLOP/s (median call)";
    g.drawString(axis, LEFT + (plotW - fm.stringWidth(axis)) / 2, plotBottom + 32);

    int y = TOP;
    String prev = null;
    for (Row r : rows) {
      if (prev != null && !prev.equals(r.layer())) {
        y += LAYER_GAP;
        g.setColor(new Color(0xBBBBBB));
        g.drawLine(16, y - LAYER_GAP / 2, WIDTH - 16, y - LAYER_GAP / 2);
      }
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, r.layer().equals(prev) ? Font.PLAIN : Font.BOLD, 12));
      if (!r.layer().equals(prev)) {
        g.drawString(r.layer(), 16, y + 14);
      }
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(r.pass(), LEFT - 8 - g.getFontMetrics().stringWidth(r.pass()), y + 14);
      int barW = (int) Math.round(r.gflops() / axisMax * plotW);
      g.setColor(PASS_COLORS[passIndex(r.pass())]);
      g.fillRect(LEFT, y + 3, Math.max(1, barW), ROW - 6);
      if (r.scalar() != null) {
        // scalar on the same axis: a thin dark bar through the middle of the SIMD bar
        g.setColor(new Color(0x333333));
        int sw = (int) Math.round(r.scalar() / axisMax * plotW);
        g.fillRect(LEFT, y + ROW / 2 - 2, Math.max(1, sw), 4);
      }
      g.setColor(Color.BLACK);
      g.drawString(annotation(r), LEFT + barW + 6, y + 14);
      prev = r.layer();
      y += ROW;
    }

    if (peak > 0) {
      int x = LEFT + (int) Math.round(peak / axisMax * plotW);
      g.setColor(new Color(0xC62828));
      g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
          new float[] {6, 4}, 0));
      g.drawLine(x, TOP - 6, x, plotBottom);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
      String label = "peak " + fmt(peak, 0);
      g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP - 10);
    }
    g.dispose();
    return img;
  }

  private static void legend(Graphics2D g, int x, int y) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i < PASSES.length; i++) {
      g.setColor(PASS_COLORS[i]);
      g.fillRect(x, y - 10, 14, 12);
      g.setColor(Color.BLACK);
      g.drawString(PASSES[i] + " (SIMD)", x + 19, y);
      x += 19 + fm.stringWidth(PASSES[i] + " (SIMD)") + 18;
    }
    g.setColor(new Color(0x333333));
    g.fillRect(x, y - 6, 14, 4);
    g.setColor(Color.BLACK);
    String s = "scalar     labels: GFLOP/s | % of peak | speedup over scalar";
    g.drawString(s, x + 19, y);
  }

  private static String annotation(Row r) {
    StringBuilder sb = new StringBuilder(fmt(r.gflops(), r.gflops() < 10 ? 2 : 1));
    if (r.pct() != null) {
      sb.append(" | ").append(fmt(r.pct(), r.pct() < 10 ? 1 : 0)).append('%');
    }
    if (r.speedup() != null) {
      sb.append(" | ").append(fmt(r.speedup(), 1)).append('x');
    }
    return sb.toString();
  }

  private static int passIndex(String pass) {
    for (int i = 0; i < PASSES.length; i++) {
      if (PASSES[i].equals(pass)) {
        return i;
      }
    }
    return 0;
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    if (raw <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= raw) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
