package org.vconv.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** scripts/train's options, parsed and checked; see {@link TrainCommand#HELP}. */
record TrainOptions(Path data, int epochs, int batch, int chunk, float lr, float momentum,
    float weightDecay, boolean cosine, long seed, int threads, int[] widths, int limit, Path out,
    Path export, Path json) {

  static TrainOptions parse(List<String> args) {
    Path data = null;
    int epochs = 5;
    int batch = 64;
    int chunk = 32;
    float lr = 0.02f;
    float momentum = 0.9f;
    float weightDecay = 5e-4f;
    boolean cosine = true;
    long seed = 42;
    int threads = org.vconv.Conv2d.defaultThreads();
    int[] widths = {16, 32, 120, 84};
    int limit = 0;
    Path out = Path.of("target", "train");
    Path export = null;
    Path json = null;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < args.size(); i++) {
      String opt = args.get(i);
      String value = null;
      int eq = opt.indexOf('=');
      if (opt.startsWith("--") && eq > 0) {
        value = opt.substring(eq + 1);
        opt = opt.substring(0, eq);
      }
      if (!seen.add(opt)) {
        throw new IllegalArgumentException(opt + " given twice");
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(opt.startsWith("--") ? opt + " needs a value"
              : "unexpected argument '" + opt + "'");
        }
        value = args.get(++i);
      }
      switch (opt) {
        case "--data" -> data = Path.of(value);
        case "--epochs" -> epochs = positiveInt(opt, value);
        case "--batch" -> batch = positiveInt(opt, value);
        case "--chunk" -> chunk = nonNegativeInt(opt, value);
        case "--lr" -> lr = positiveFloat(opt, value);
        case "--momentum" -> momentum = number(opt, value);
        case "--weight-decay" -> weightDecay = number(opt, value);
        case "--schedule" -> cosine = schedule(opt, value);
        case "--seed" -> seed = longValue(opt, value);
        case "--threads" -> threads = positiveInt(opt, value);
        case "--widths" -> widths = widths(opt, value);
        case "--limit" -> limit = positiveInt(opt, value);
        case "--out" -> out = Path.of(value);
        case "--export" -> export = Path.of(value);
        case "--json" -> json = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option '" + opt + "'");
      }
    }
    if (data == null) {
      throw new IllegalArgumentException("--data DIR is required");
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
    }
    return new TrainOptions(data, epochs, batch, chunk, lr, momentum, weightDecay, cosine, seed, threads,
        widths, limit, out, export, json);
  }

  private static int positiveInt(String opt, String v) {
    try {
      int n = Integer.parseInt(v.strip());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(opt + " must be a positive integer, got '" + v + "'");
  }

  private static boolean schedule(String opt, String v) {
    return switch (v.strip()) {
      case "cosine" -> true;
      case "constant" -> false;
      default -> throw new IllegalArgumentException(opt + " must be cosine or constant, got '"
          + v + "'");
    };
  }

  private static int nonNegativeInt(String opt, String v) {
    return v.strip().equals("0") ? 0 : positiveInt(opt, v);
  }

  private static long longValue(String opt, String v) {
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " must be an integer, got '" + v + "'", e);
    }
  }

  private static float number(String opt, String v) {
    try {
      float f = Float.parseFloat(v.strip());
      if (Float.isFinite(f)) {
        return f;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(opt + " must be a number, got '" + v + "'");
  }

  private static float positiveFloat(String opt, String v) {
    float f = number(opt, v);
    if (f <= 0) {
      throw new IllegalArgumentException(opt + " must be > 0, got '" + v + "'");
    }
    return f;
  }

  private static int[] widths(String opt, String v) {
    String[] parts = v.split(",");
    if (parts.length != 4) {
      throw new IllegalArgumentException(opt + " must be four widths C1,C2,F1,F2, got '" + v
          + "'");
    }
    List<Integer> w = new ArrayList<>();
    for (String p : parts) {
      w.add(positiveInt(opt, p));
    }
    return w.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The settings as one line, for logs. */
  String describe() {
    return String.format(Locale.ROOT, "batch %d (chunks of %s), lr %s (%s), momentum %s,"
        + " weight decay %s, seed %d, %d thread%s", batch, chunk == 0 ? "all" : chunk, lr,
        cosine ? "cosine" : "constant", momentum, weightDecay, seed, threads,
        threads == 1 ? "" : "s");
  }
}
