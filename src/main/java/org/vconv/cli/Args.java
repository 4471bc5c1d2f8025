package org.vconv.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vconv.Algorithm;
import org.vconv.ConvNdSpec;
import org.vconv.PaddingMode;

/**
 * The options of one command, parsed strictly: {@code --name value} or {@code --name=value},
 * each at most once, only the ones the command knows, no positional arguments.
 */
final class Args {
  /** Options every convolution command accepts. */
  static final List<String> CONV_OPTIONS = List.of("--stride", "--padding", "--dilation",
      "--groups", "--layout", "--algorithm", "--padding-mode", "--transposed",
      "--output-padding");

  /** Options that take no value. */
  static final List<String> FLAGS = List.of("--transposed");

  private final String command;
  private final Map<String, String> values = new LinkedHashMap<>();

  private Args(String command) {
    this.command = command;
  }

  /** Parses {@code argv} (the arguments after the command) against the {@code known} names. */
  static Args parse(String command, List<String> argv, List<String> known) {
    Args a = new Args(command);
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (!arg.startsWith("--")) {
        throw new CliException("unexpected argument '" + arg + "' (options start with --;"
            + " see vconv --help)");
      }
      String name = arg;
      String value;
      int eq = arg.indexOf('=');
      if (FLAGS.contains(eq >= 0 ? arg.substring(0, eq) : arg)) {
        if (eq >= 0) {
          throw new CliException(arg.substring(0, eq) + " takes no value");
        }
        if (!known.contains(arg)) {
          throw new CliException("unknown option '" + arg + "' for " + command
              + " (see vconv --help)");
        }
        if (a.values.putIfAbsent(arg, "") != null) {
          throw new CliException(arg + " given twice");
        }
        continue;
      }
      if (eq >= 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else {
        // a following "--x" is the next option, not a value; "-1" is a (bad) value
        value = i + 1 < argv.size() && !argv.get(i + 1).startsWith("--") ? argv.get(++i) : null;
      }
      if (!known.contains(name)) {
        throw new CliException("unknown option '" + name + "' for " + command
            + " (see vconv --help)");
      }
      if (value == null || value.isEmpty()) {
        throw new CliException(name + " needs a value");
      }
      if (a.values.putIfAbsent(name, value) != null) {
        throw new CliException(name + " given twice");
      }
    }
    return a;
  }

  String command() {
    return command;
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** The value of an optional option, or null. */
  String get(String name) {
    return values.get(name);
  }

  /** The value of a required option. */
  String require(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new CliException(command + " needs " + name + " (see vconv --help)");
    }
    return v;
  }

  /** The most spatial axes a convolution has. */
  private static final int MAX_RANK = 3;

  /**
   * Checks the convolution options' syntax before any file is read (their counts per axis
   * are checked against the input's rank by {@link #spec}).
   */
  void checkConvOptions() {
    for (String name : List.of("--stride", "--dilation")) {
      if (has(name)) {
        ints(name, 1, MAX_RANK, 1, "positive integers, one or one per spatial axis");
      }
    }
    if (has("--output-padding")) {
      ints("--output-padding", 1, MAX_RANK, 0,
          "non-negative integers, one or one per spatial axis");
    }
    if (has("--padding") && !List.of("same", "valid").contains(lower("--padding"))) {
      ints("--padding", 1, 2 * MAX_RANK, 0, "P, one per axis, two per axis, same or valid"
          + " (non-negative integers)");
    }
    if (has("--groups")) {
      ints("--groups", 1, 1, 1, "a positive integer");
    }
    List<String> layouts = ConvNdSpec.layoutNames();
    if (has("--layout") && !layouts.contains(get("--layout").strip().toUpperCase(Locale.ROOT))) {
      throw new CliException("--layout " + get("--layout") + ": expected one of "
          + String.join(", ", layouts));
    }
    paddingMode();
    algorithm();
  }

  /**
   * The convolution the options describe for an input with {@code rank} spatial axes
   * (defaults: stride 1, padding 0, dilation 1, one group, channels first, zeros, plain).
   */
  ConvNdSpec spec(int rank) {
    ConvNdSpec.Builder b = ConvNdSpec.builder(rank);
    if (has("--layout")) { // else the builder's default: channels first
      parsed("--layout", () -> b.layout(get("--layout")));
    }
    if (has("--stride")) {
      parsed("--stride", () -> b.stride(ints("--stride", 1, MAX_RANK, 1, "")));
    }
    if (has("--dilation")) {
      parsed("--dilation", () -> b.dilation(ints("--dilation", 1, MAX_RANK, 1, "")));
    }
    if (has("--padding")) {
      parsed("--padding", () -> b.padding(get("--padding")));
    }
    if (has("--groups")) {
      b.groups(ints("--groups", 1, 1, 1, "a positive integer")[0]);
    }
    b.paddingMode(paddingMode()).transposed(has("--transposed"));
    if (has("--output-padding")) {
      parsed("--output-padding", () -> b.outputPadding(ints("--output-padding", 1, MAX_RANK,
          0, "")));
    }
    try {
      return b.build(); // how the options combine: the message names them
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
  }

  /** A required-if-given positive integer option. */
  int positiveInt(String name) {
    return ints(name, 1, 1, 1, "a positive integer")[0];
  }

  /** {@code --padding-mode}: zeros (default), reflect, replicate or circular. */
  PaddingMode paddingMode() {
    if (!has("--padding-mode")) {
      return PaddingMode.ZEROS;
    }
    for (PaddingMode m : PaddingMode.values()) {
      if (m.name().equalsIgnoreCase(get("--padding-mode").strip())) {
        return m;
      }
    }
    throw new CliException("--padding-mode " + get("--padding-mode")
        + ": expected zeros, reflect, replicate or circular");
  }

  private String lower(String name) {
    return get(name).strip().toLowerCase(Locale.ROOT);
  }

  /** {@code --algorithm}: an {@link Algorithm}'s {@link #cliName}; AUTO when absent. */
  Algorithm algorithm() {
    String v = get("--algorithm");
    if (v == null) {
      return Algorithm.AUTO;
    }
    for (Algorithm a : Algorithm.values()) {
      if (cliName(a).equals(v.strip().toLowerCase(Locale.ROOT).replace('_', '-'))) {
        return a;
      }
    }
    throw new CliException("--algorithm " + v + ": expected one of "
        + String.join(", ", Arrays.stream(Algorithm.values()).map(Args::cliName).toList()));
  }

  /** An algorithm's name on the command line: IM2COL_GEMM is im2col-gemm. */
  static String cliName(Algorithm a) {
    return a.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Between {@code min} and {@code max} comma-separated integers of at least {@code low}. */
  private int[] ints(String name, int min, int max, int low, String form) {
    String raw = get(name);
    String[] parts = raw.split(",", -1);
    int[] v = new int[parts.length];
    boolean ok = parts.length >= min && parts.length <= max;
    for (int i = 0; ok && i < parts.length; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].strip());
        ok = v[i] >= low;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new CliException(name + " " + raw + ": expected " + form);
    }
    return v;
  }

  private <T> T parsed(String name, java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new CliException(name + " " + get(name) + ": " + e.getMessage());
    }
  }

  /**
   * The path of output option {@code name}, checked before any work: its directory exists and
   * it is not itself a directory.
   */
  Path output(String name) {
    Path p = Path.of(get(name)).toAbsolutePath();
    Path dir = p.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new CliException(name + " " + get(name) + ": directory " + dir + " does not exist");
    }
    if (Files.isDirectory(p)) {
      throw new CliException(name + " " + get(name) + ": is a directory");
    }
    return p;
  }
}
