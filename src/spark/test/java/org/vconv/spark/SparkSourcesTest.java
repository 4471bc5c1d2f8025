package org.vconv.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Spark artifact is class-path code on vconv's exported API, and its command's errors are
 * one line; neither needs a Spark session.
 */
class SparkSourcesTest {
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(org\\.vconv\\."
      + "[a-z.]*?)\\.[A-Z]", Pattern.MULTILINE);

  @Test
  void usesOnlyTheExportedPackages() throws IOException {
    Set<String> used = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/spark/java"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          used.add(m.group(1));
        }
      }
    }
    used.remove("org.vconv.spark");
    assertTrue(Set.of("org.vconv", "org.vconv.nn", "org.vconv.data").containsAll(used),
        "imports beyond the exported API: " + used);
  }

  @Test
  void badOptionsExitTwoWithOneLine() {
    for (List<String> args : List.of(List.of("--data", "d"), List.of("--master", "local[2]",
        "--data", "d", "--threads", "2"), List.of("--master", "local[2]", "--data", "d",
        "--round", "0"), List.of("--master", "local[2]", "--data", "/no/such/dir"))) {
      var err = new ByteArrayOutputStream();
      int status = SparkTrainCommand.run(args, new PrintStream(new ByteArrayOutputStream()),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      String text = err.toString(StandardCharsets.UTF_8);
      assertEquals(2, status, args.toString());
      assertEquals(1, text.lines().count(), text);
      assertTrue(text.startsWith("train: "), text);
    }
  }
}
