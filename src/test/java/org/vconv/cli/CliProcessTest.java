package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vconv.Conv2d;
import org.vconv.ConvSpec;
import org.vconv.Tensor;

/**
 * The real launcher, {@code scripts/vconv}, as a process: exit codes and that its stderr
 * carries only vconv's line (the JVM's incubator-module notice is filtered out, the library's
 * log message is silenced). Kept to two
 * launches: each JVM start costs about half a second.
 */
class CliProcessTest {
  @TempDir Path dir;

  record Proc(int status, String out, String err) {}

  static Proc launch(String javaOpts, String... args) throws IOException, InterruptedException {
    // Surefire runs in the project directory
    Path script = Path.of("scripts", "vconv").toAbsolutePath();
    assertTrue(Files.isExecutable(script), script + " is executable");
    List<String> cmd = new ArrayList<>(List.of(script.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("vconv-out", ".txt");
    Path err = Files.createTempFile("vconv-err", ".txt");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile())
          .redirectError(err.toFile());
      pb.environment().put("VCONV_JAVA_OPTS", javaOpts);
      Process p = pb.start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "vconv finished");
      return new Proc(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void successIsSilentAndWritesTheResult() throws Exception {
    Tensor x = NpyTest.random(11, 1, 2, 5, 5);
    Tensor w = NpyTest.random(12, 3, 2, 3, 3);
    Npy.write(dir.resolve("x.npy"), x);
    Npy.write(dir.resolve("w.npy"), w);
    // forced scalar kernels: the library logs that once; the CLI must keep stderr empty
    Proc p = launch("-Dvconv.simd=scalar", "forward", "--input", dir + "/x.npy", "--weight",
        dir + "/w.npy", "--output=" + dir + "/y.npy", "--padding", "same");
    assertEquals(new Proc(0, "", ""), p);
    Tensor y = Conv2d.of(ConvSpec.builder().padding(org.vconv.Padding.SAME).build())
        .forward(x, w);
    // the launched JVM may run other kernels (SIMD) than this one: equal up to rounding
    assertArrayEquals(y.data(), Npy.read(dir.resolve("y.npy")).data(), 1e-5f);
  }

  @Test
  void errorIsExactlyOneStderrLineWithStatusTwo() throws Exception {
    Files.writeString(dir.resolve("x.npy"), "garbage, not an .npy file");
    Proc p = launch("", "forward", "--input", dir + "/x.npy", "--weight", dir + "/x.npy",
        "--output", dir + "/y.npy");
    assertEquals(2, p.status());
    assertEquals("", p.out());
    assertEquals("vconv: --input " + dir + "/x.npy: not an .npy file (bad magic)\n", p.err());
    assertFalse(Files.exists(dir.resolve("y.npy")));
  }

  /**
   * A bad setting that vconv reads while it initializes (the kernels, Winograd's tile) is the
   * user's error: one line naming the property and the value, status 2, nothing written.
   */
  @Test
  void badSettingsAreOneLineWithStatusTwo() throws Exception {
    Tensor x = NpyTest.random(13, 1, 8, 6, 6);
    Tensor w = NpyTest.random(14, 8, 8, 3, 3);
    Npy.write(dir.resolve("x.npy"), x);
    Npy.write(dir.resolve("w.npy"), w);
    String[][] cases = {
        {"-Dvconv.simd=bogus", "vconv.simd must be preferred, 512, 256, 128 or scalar, got 'bogus'"},
        {"-Dvconv.winogradTile=3", "vconv.winogradTile must be 2 or 4, got '3'"}};
    for (String[] c : cases) {
      Proc p = launch(c[0], "forward", "--input", dir + "/x.npy", "--weight", dir + "/w.npy",
          "--output", dir + "/y.npy", "--padding", "1");
      assertEquals(new Proc(2, "", "vconv: " + c[1] + "\n"), p, c[0]);
      assertFalse(Files.exists(dir.resolve("y.npy")), c[0]);
    }
  }
}
