package org.vconv.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;

/**
 * src/site/markdown/architecture.md's table of the planner's candidates is AUTO's lists: every
 * pass's paths, in order; and the section names every path of every explicit choice.
 */
class ArchitectureDocTest {
  private static final String DOC = "src/site/markdown/architecture.md";
  private static final String SECTION = "## The planner: which path runs each pass, and why";

  /** The section, up to the next "## " heading. */
  static String section() throws IOException {
    String page = Files.readString(Path.of(DOC)); // Surefire runs in the project directory
    int at = page.indexOf(SECTION);
    assertTrue(at >= 0, DOC + " lacks the section '" + SECTION + "'");
    int end = page.indexOf("\n## ", at + SECTION.length());
    return page.substring(at, end < 0 ? page.length() : end);
  }

  /** The table's paths by pass, in the order of their "#" column. */
  static Map<Pass, List<String>> tablePaths(String section) {
    Map<Pass, List<String>> paths = new EnumMap<>(Pass.class);
    for (String line : section.lines().toList()) {
      String[] cells = line.strip().split("\\|");
      if (cells.length < 4 || !line.strip().startsWith("|")) {
        continue;
      }
      for (Pass p : Pass.values()) {
        if (cells[1].strip().equals(p.label())) {
          List<String> list = paths.computeIfAbsent(p, k -> new ArrayList<>());
          assertEquals(String.valueOf(list.size() + 1), cells[2].strip(), line);
          list.add(cells[3].strip().replace("`", ""));
        }
      }
    }
    return paths;
  }

  @Test
  void theTableIsAutosCandidateListPerPass() throws IOException {
    Map<Pass, List<String>> documented = tablePaths(section());
    for (String provider : List.of("panama-512", "panama-256", "panama-128", "scalar")) {
      Planner planner = Planner.of(Tuning.of(provider));
      for (Pass pass : Pass.values()) {
        List<String> listed = planner.candidates(Algorithm.AUTO, pass).stream()
            .map(Candidate::path).toList();
        assertEquals(listed, documented.get(pass), DOC + ", pass " + pass.label());
      }
    }
  }

  @Test
  void theSectionNamesEveryPathOfEveryChoice() throws IOException {
    String section = section();
    int named = 0;
    for (Algorithm a : Algorithm.values()) {
      for (Pass pass : Pass.values()) {
        for (Candidate c : Planner.of(Tuning.of("panama-512")).candidates(a, pass)) {
          assertTrue(section.contains("`" + c.path() + "`"), DOC + " lacks " + c.path());
          named++;
        }
      }
    }
    assertTrue(named >= 20, "candidates checked: " + named);
  }

  @Test
  void theParserReadsARow() {
    String table = SECTION + "\n| pass | # | path |\n|---|---|---|\n| fwd | 1 | `a-path` | x |\n";
    assertEquals(Map.of(Pass.FORWARD, List.of("a-path")), tablePaths(table));
  }
}
