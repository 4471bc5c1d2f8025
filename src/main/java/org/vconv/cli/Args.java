package org.vconv.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vconv.Algorithm;
import org.vconv.ConvSpec;
import org.vconv.Layout;
import org.vconv.Padding;

/**
 * The options of one command, parsed strictly: {@code --name value} or {@code --name=value},
 * each at most once, only the ones the command knows, no positional arguments.
 */
final class Args {
  /** Options every convolution command accepts. */
  static final List<String> CONV_OPTIONS =
      List.of("--stride", "--padding", "--dilation", "--groups", "--layout", "--algorithm");

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

  /** The convolution the options describe (defaults: stride 1, padding 0, ... NCHW). */
  ConvSpec spec() {
    ConvSpec.Builder b = ConvSpec.builder();
    int[] s = pair("--stride");
    int[] d = pair("--dilation");
    b.stride(s[0], s[1]).dilation(d[0], d[1]);
    if (has("--padding")) {
      b.padding(parsed("--padding", () -> Padding.parse(get("--padding"))));
    }
    if (has("--groups")) {
      b.groups(positives("--groups", 1)[0]);
    }
    if (has("--layout")) {
      b.layout(parsed("--layout", () -> Layout.parse(get("--layout"))));
    }
    return b.build();
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

  /** {@code S} or {@code SH,SW} as {SH, SW}; {1, 1} when absent. */
  private int[] pair(String name) {
    if (!has(name)) {
      return new int[] {1, 1};
    }
    int[] v = positives(name, 2);
    return v.length == 1 ? new int[] {v[0], v[0]} : v;
  }

  /** One to {@code max} comma-separated positive integers. */
  private int[] positives(String name, int max) {
    String raw = get(name);
    String letter = name.substring(2, 3).toUpperCase(Locale.ROOT);
    String form = max == 1 ? "a positive integer"
        : "positive integers " + letter + " or " + letter + "H," + letter + "W";
    String[] parts = raw.split(",", -1);
    if (parts.length > max) {
      throw new CliException(name + " " + raw + ": expected " + form);
    }
    int[] v = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].strip());
      } catch (NumberFormatException e) {
        throw new CliException(name + " " + raw + ": expected " + form);
      }
      if (v[i] <= 0) {
        throw new CliException(name + " " + raw + ": expected " + form);
      }
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
