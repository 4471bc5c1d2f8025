package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;

/**
 * The help, the README and the CLI page name exactly what the parser takes: every option of
 * every command and every {@link Algorithm}, and nothing it does not take.
 */
class HelpDriftTest {
  private static final Pattern OPTION = Pattern.compile("--[a-z][a-z-]*[a-z]");

  /** Every option some command parses, plus --help. */
  static Set<String> parsedOptions() {
    Set<String> all = new TreeSet<>(ConvCommand.FORWARD_OPTIONS);
    all.addAll(ConvCommand.BACKWARD_OPTIONS);
    all.addAll(PlanCommand.OPTIONS);
    all.addAll(TuneCommand.OPTIONS);
    all.add("--help");
    return all;
  }

  static Set<String> algorithmNames() {
    return Arrays.stream(Algorithm.values()).map(Args::cliName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static Set<String> optionsIn(String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = OPTION.matcher(text);
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }

  @Test
  void helpNamesExactlyTheParsedOptions() {
    assertEquals(parsedOptions(), optionsIn(Main.HELP));
  }

  @Test
  void helpNamesExactlyTheAlgorithms() {
    String line = Main.HELP.lines().map(String::strip)
        .filter(l -> l.startsWith("--algorithm ")).findFirst().orElseThrow();
    Set<String> listed = new TreeSet<>(
        Arrays.asList(line.substring("--algorithm ".length()).strip().split("\\|")));
    assertEquals(algorithmNames(), listed);
  }

  @Test
  void cliPageNamesEveryOptionAndAlgorithmAndNoOther() throws IOException {
    String page = read("src/site/markdown/cli.md");
    Set<String> named = optionsIn(page);
    assertTrue(named.containsAll(parsedOptions()),
        "src/site/markdown/cli.md lacks " + missing(parsedOptions(), named));
    assertOnlyKnownOptions("src/site/markdown/cli.md", named);
    for (String a : algorithmNames()) {
      assertTrue(page.contains("`" + a + "`"), "src/site/markdown/cli.md lacks algorithm " + a);
    }
  }

  @Test
  void readmeNamesOnlyParsedOptions() throws IOException {
    assertOnlyKnownOptions("README.md", optionsIn(read("README.md")));
  }

  /** Options the docs show for java and the project's scripts, not for vconv itself. */
  private static final Set<String> JVM_AND_SCRIPT_OPTIONS = Set.of("--add-modules",
      "--module-path", "--module", "--json", "--png", "--vconv-json", "--full", "--suite",
      "--seed", "--keep", "--compare-pytorch", "--spark");

  private static void assertOnlyKnownOptions(String file, Set<String> named) {
    Set<String> known = new TreeSet<>(parsedOptions());
    known.addAll(JVM_AND_SCRIPT_OPTIONS);
    assertEquals(Set.of(), missing(named, known), file + " names options nothing parses");
  }

  private static Set<String> missing(Set<String> wanted, Set<String> have) {
    return wanted.stream().filter(o -> !have.contains(o))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String read(String file) throws IOException {
    // Surefire runs in the project directory
    return Files.readString(Path.of(file));
  }
}
