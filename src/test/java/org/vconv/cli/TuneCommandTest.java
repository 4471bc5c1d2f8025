package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vconv.Wisdom;

/** {@code vconv tune}: measures a suite, writes its wisdom, and errors like every command. */
class TuneCommandTest {
  @TempDir Path dir;

  @AfterEach
  void forgetWisdom() {
    Wisdom.forget();
  }

  @Test
  void tunesEveryLayerAndWritesWisdomThatPlansThemAgain() throws Exception {
    Wisdom.forget();
    Path suite = dir.resolve("s.csv");
    Files.writeString(suite, "name,n,c,h,w,k,r,s,stride,pad,dilation,groups,count\n"
        + "a,2,8,10,10,8,3,3,1,1,1,1,2\n"
        + "b,1,6,9,11,4,1,3,1x2,0x1,1,2,1\n");
    Path out = dir.resolve("out.wisdom");
    CliTest.Result r = CliTest.run("tune", "--suite", suite.toString(), "--wisdom",
        out.toString(), "--threads", "2");
    assertEquals(0, r.status(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(2, lines.size(), r.out());
    assertTrue(lines.get(0).startsWith("a: fwd "), lines.get(0));
    assertTrue(lines.get(1).startsWith("b: fwd "), lines.get(1));
    String pass = "%s [\\w-]+( \\[[\\w-]+ [0-9.]+ ms(, [\\w-]+ [0-9.]+ ms)+ \\(\\d+ rounds\\)\\])?";
    for (String l : lines) { // each pass's path, with every path's time where several accept
      assertTrue(l.matches("\\w: " + pass.formatted("fwd") + ", " + pass.formatted("bwd_data")
          + ", " + pass.formatted("bwd_weight")), l);
    }
    assertTrue(lines.get(0).startsWith("a: fwd ") && lines.get(0).contains(" ms, "),
        "a 3x3 forward has several paths, each timed: " + lines.get(0));
    String text = Files.readString(out);
    assertEquals(7, text.lines().count(), text); // header + 2 layers x 3 passes
    Wisdom.forget();
    assertEquals(6, Wisdom.importFrom(out));
    CliTest.Result plan = CliTest.run("plan", "--input-shape", "2,8,10,10", "--weight-shape",
        "8,8,3,3", "--padding", "1");
    assertEquals(0, plan.status(), plan.err());
    assertTrue(plan.out().lines().allMatch(l -> l.contains("(wisdom: ")), plan.out());
  }

  @Test
  void errorsExitTwoAndWriteNothing() throws Exception {
    Path suite = dir.resolve("bad.csv");
    Files.writeString(suite, "name,n,c\n");
    for (String[] args : List.of(
        new String[] {"tune", "--wisdom", dir.resolve("w").toString()},
        new String[] {"tune", "--suite", suite.toString(), "--wisdom",
            dir.resolve("w").toString()},
        new String[] {"tune", "--suite", dir.resolve("none.csv").toString(), "--wisdom",
            dir.resolve("w").toString()},
        new String[] {"tune", "--suite", suite.toString(), "--wisdom",
            dir.resolve("no/w").toString()},
        new String[] {"tune", "--suite", suite.toString(), "--wisdom",
            dir.resolve("w").toString(), "--threads", "0"})) {
      CliTest.Result r = CliTest.run(args);
      assertEquals(Main.ERROR, r.status(), String.join(" ", args));
      assertEquals(1, r.err().lines().count(), r.err());
      assertFalse(Files.exists(dir.resolve("w")), "no wisdom written on error");
    }
  }
}
