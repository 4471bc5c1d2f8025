package org.vconv.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The training chart (PNG, Java2D, headless): two panels over the epochs, the mean training
 * loss on the left and the test accuracy on the right, each point labelled with its value.
 */
final class Chart {
  private static final int PANEL_W = 460;
  private static final int H = 340;
  private static final int MARGIN = 60;
  private static final int TOP = 70;

  private Chart() {}

  /** Writes the chart of {@code loss} and {@code accuracy} (one value per epoch) to {@code png}. */
  static void write(Path png, String title, String subtitle, List<Double> loss,
      List<Double> accuracy)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    int w = 2 * PANEL_W + MARGIN;
    BufferedImage img = new BufferedImage(w, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, H);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, MARGIN, 24);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(subtitle, MARGIN, 42);
    panel(g, MARGIN, "training loss (mean per epoch)", loss, new Color(0xF58518), "%.3f");
    panel(g, PANEL_W + MARGIN, "test accuracy", accuracy, new Color(0x4C78A8), "%.4f");
    g.dispose();
    if (!ImageIO.write(img, "png", png.toFile())) {
      throw new IOException(png + ": no PNG writer in this JVM");
    }
  }

  private static void panel(Graphics2D g, int x0, String name, List<Double> v, Color color,
      String fmt) {
    int pw = PANEL_W - MARGIN;
    int ph = H - TOP - 50;
    int y0 = TOP;
    double lo = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double hi = v.stream().mapToDouble(Double::doubleValue).max().orElse(1);
    double pad = Math.max(1e-6, (hi - lo) * 0.15);
    lo -= pad;
    hi += pad;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.setStroke(new BasicStroke(1f));
    g.setColor(Color.DARK_GRAY);
    g.drawString(name, x0, y0 - 12);
    g.setColor(new Color(0xDDDDDD));
    for (int i = 0; i <= 4; i++) {
      int yy = y0 + ph * i / 4;
      g.drawLine(x0, yy, x0 + pw, yy);
      g.setColor(Color.GRAY);
      g.drawString(String.format(Locale.ROOT, fmt, hi - (hi - lo) * i / 4), x0 - 55 + 2,
          yy + 4);
      g.setColor(new Color(0xDDDDDD));
    }
    g.setColor(Color.GRAY);
    g.drawRect(x0, y0, pw, ph);
    int n = v.size();
    int[] px = new int[n];
    int[] py = new int[n];
    for (int i = 0; i < n; i++) {
      px[i] = x0 + (n == 1 ? pw / 2 : 20 + (pw - 40) * i / (n - 1));
      py[i] = y0 + (int) Math.round((hi - v.get(i)) / (hi - lo) * ph);
      if (i % Math.ceilDiv(n, 8) == 0 || i == n - 1) { // at most about 8 labels
        g.drawString("epoch " + (i + 1), px[i] - 20, y0 + ph + 18);
      }
    }
    g.setColor(color);
    g.setStroke(new BasicStroke(2.5f));
    g.drawPolyline(px, py, n);
    for (int i = 0; i < n; i++) {
      g.fillOval(px[i] - 4, py[i] - 4, 8, 8);
      if (i % Math.ceilDiv(n, 8) == 0 || i == n - 1) {
        g.drawString(String.format(Locale.ROOT, fmt, v.get(i)), px[i] - 18, py[i] - 9);
      }
    }
  }
}
