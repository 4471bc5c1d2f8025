package org.vconv.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The paths measured fastest, by problem: what {@code org.vconv.Wisdom} exports and imports.
 * A key names everything a plan depends on (kernels, threads, budget, geometry, pass); the
 * value is a path name. Thread-safe.
 */
public final class WisdomStore {
  private WisdomStore() {}

  /** The first line of an exported text. */
  public static final String HEADER = "vconv-wisdom 1";

  private static final Map<String, String> PATHS = new TreeMap<>();

  /** The key of {@code pass} of {@code g} on {@code ctx}'s kernels, threads and budget. */
  static String key(Pass pass, ConvGeometry g, ExecContext ctx) {
    return ctx.kernels().name() + " threads=" + ctx.threads() + " budget="
        + ctx.workspaceBytes() + " " + g.layout() + " x=" + g.n() + "," + g.c() + "," + g.h()
        + "," + g.w() + " w=" + g.k() + "," + g.cg() + "," + g.r() + "," + g.s() + " stride="
        + g.strideH() + "," + g.strideW() + " pad=" + g.padTop() + "," + g.padBottom() + ","
        + g.padLeft() + "," + g.padRight() + " dilation=" + g.dilH() + "," + g.dilW()
        + " groups=" + g.groups() + " " + pass.label();
  }

  static synchronized String get(String key) {
    return PATHS.get(key);
  }

  static synchronized void put(String key, String path) {
    PATHS.put(key, path);
  }

  /** Every entry as a line "key path", after {@link #HEADER}, in key order. */
  public static synchronized String export() {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    PATHS.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
    return b.toString();
  }

  /**
   * Adds the entries of an exported text (blank lines and lines from {@code #} on are
   * ignored); all or nothing.
   *
   * @return how many entries it held
   * @throws IllegalArgumentException naming the line that is not an entry
   */
  public static int importText(String text) {
    String[] lines = text.split("\n", -1);
    if (lines.length == 0 || !lines[0].strip().equals(HEADER)) {
      throw new IllegalArgumentException("line 1: expected '" + HEADER + "'");
    }
    List<String[]> entries = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].strip();
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash).strip();
      }
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(" +");
      if (f.length != 12 || !f[1].startsWith("threads=") || !f[2].startsWith("budget=")
          || !f[4].startsWith("x=") || !f[5].startsWith("w=") || !f[6].startsWith("stride=")
          || !f[7].startsWith("pad=") || !f[8].startsWith("dilation=")
          || !f[9].startsWith("groups=") || Pass.byLabel(f[10]) == null) {
        throw new IllegalArgumentException("line " + (i + 1) + ": expected 'KERNELS threads=T"
            + " budget=B LAYOUT x=.. w=.. stride=.. pad=.. dilation=.. groups=G PASS PATH',"
            + " got '" + lines[i].strip() + "'");
      }
      int cut = line.lastIndexOf(' ');
      entries.add(new String[] {line.substring(0, cut), line.substring(cut + 1)});
    }
    synchronized (WisdomStore.class) {
      for (String[] e : entries) {
        PATHS.put(e[0], e[1]);
      }
    }
    return entries.size();
  }

  /** Forgets every entry. */
  public static synchronized void forget() {
    PATHS.clear();
  }

  /** How many entries there are. */
  public static synchronized int size() {
    return PATHS.size();
  }
}
