package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error path: status 2, exactly one stderr line naming the problem, nothing on stdout,
 * and the directory unchanged: a pre-existing output stays byte-identical, a missing one is
 * not created, no temporary file is left.
 */
class CliErrorTest {
  @TempDir Path dir;

  private static final String FWD = "forward --input @x.npy --weight @w.npy --output @out.npy";
  private static final String BWD = "backward --input @x.npy --weight @w.npy"
      + " --grad-output @gy.npy --grad-input @dx.npy";

  @BeforeEach
  void files() throws IOException {
    // x (2,4,5,5) NCHW, w (3,4,2,2): output (2,3,4,4)
    Npy.write(dir.resolve("x.npy"), NpyTest.random(1, 2, 4, 5, 5));
    Npy.write(dir.resolve("w.npy"), NpyTest.random(2, 3, 4, 2, 2));
    Npy.write(dir.resolve("b.npy"), NpyTest.random(3, 3));
    Npy.write(dir.resolve("gy.npy"), NpyTest.random(4, 2, 3, 4, 4));
    Npy.write(dir.resolve("b2.npy"), NpyTest.random(3, 2));
    Npy.write(dir.resolve("gy-bad.npy"), NpyTest.random(4, 2, 3, 5, 4));
    Npy.write(dir.resolve("x3.npy"), NpyTest.random(5, 4, 5, 5));
    Npy.write(dir.resolve("w2.npy"), NpyTest.random(6, 4, 4));
    Npy.write(dir.resolve("w-big.npy"), NpyTest.random(7, 3, 4, 6, 6));
    byte[] good = Files.readAllBytes(dir.resolve("x.npy"));
    Files.write(dir.resolve("trunc.npy"), Arrays.copyOf(good, good.length - 10));
    Files.writeString(dir.resolve("text.npy"), "not an npy file\n");
    Files.write(dir.resolve("f16.npy"), NpyTest.fixture("float16.npy"));
    Files.createDirectory(dir.resolve("sub"));
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        // usage
        Arguments.of("", "missing command: expected forward, backward, plan, tune or demo"),
        Arguments.of("frobnicate", "unknown command 'frobnicate'"),
        Arguments.of("--input @x.npy", "unknown command '--input'"),
        Arguments.of(FWD + " --strides 2", "unknown option '--strides' for forward"),
        Arguments.of(FWD + " --grad-input @dx.npy", "unknown option '--grad-input' for forward"),
        Arguments.of(BWD + " --output @out.npy", "unknown option '--output' for backward"),
        Arguments.of(FWD + " --stride 1 --stride=2", "--stride given twice"),
        Arguments.of(FWD + " --input @w.npy", "--input given twice"),
        Arguments.of(FWD + " --stride", "--stride needs a value"),
        Arguments.of(FWD + " --stride --padding 1", "--stride needs a value"),
        Arguments.of(FWD + " --stride=", "--stride needs a value"),
        Arguments.of(FWD + " extra", "unexpected argument 'extra'"),
        Arguments.of("forward --input @x.npy --weight @w.npy", "forward needs --output"),
        Arguments.of("forward --weight @w.npy --output @out.npy", "forward needs --input"),
        Arguments.of("backward --input @x.npy --weight @w.npy --grad-output @gy.npy",
            "backward needs at least one of --grad-input, --grad-weight, --grad-bias"),
        Arguments.of("backward --input @x.npy --weight @w.npy --grad-bias @db.npy",
            "backward needs --grad-output"),
        Arguments.of("demo now", "demo takes no arguments"),
        // option values
        Arguments.of(FWD + " --stride 0", "--stride 0: expected positive integers, one or one"),
        Arguments.of(FWD + " --stride -1", "--stride -1: expected positive integers"),
        Arguments.of(FWD + " --stride a", "--stride a: expected positive integers"),
        Arguments.of(FWD + " --stride 1,2,3", "--stride 1,2,3: stride takes 1 or 2 values"),
        Arguments.of(FWD + " --stride 1,2,3,4", "--stride 1,2,3,4: expected positive integers"),
        Arguments.of(FWD + " --stride 1.5", "--stride 1.5: expected positive integers"),
        Arguments.of(FWD + " --padding -1", "--padding -1: expected P, one per axis"),
        Arguments.of(FWD + " --padding 1,2,3", "--padding 1,2,3: padding takes 1, 2 or 4 values"),
        Arguments.of(FWD + " --padding wide", "--padding wide: expected P, one per axis"),
        Arguments.of(FWD + " --dilation 0", "--dilation 0: expected positive integers"),
        Arguments.of(FWD + " --groups 0", "--groups 0: expected a positive integer"),
        Arguments.of(FWD + " --groups 1,1", "--groups 1,1: expected a positive integer"),
        Arguments.of(FWD + " --groups 3", "expected input with 12 channels"),
        Arguments.of(FWD + " --layout NWHC", "--layout NWHC: expected one of NCL, NLC, NCHW"),
        Arguments.of(FWD + " --layout NCL", "--layout NCL: layout for 2 spatial axes must be"
            + " NCHW or NHWC"),
        Arguments.of(FWD + " --padding-mode mirror",
            "--padding-mode mirror: expected zeros, reflect, replicate or circular"),
        Arguments.of(FWD + " --padding-mode reflect --padding 5",
            "reflect padding must be smaller than the input"),
        Arguments.of(FWD + " --padding-mode circular --padding 6",
            "circular padding must be at most the input"),
        Arguments.of(FWD + " --transposed=yes", "--transposed takes no value"),
        Arguments.of(FWD + " --transposed --transposed", "--transposed given twice"),
        Arguments.of(FWD + " --output-padding 1 --stride 2",
            "output padding needs a transposed convolution"),
        Arguments.of(FWD + " --transposed --output-padding 1",
            "output padding must be smaller than either stride or dilation"),
        Arguments.of(FWD + " --transposed --padding same",
            "a transposed convolution takes explicit padding"),
        Arguments.of(FWD + " --transposed --padding-mode reflect",
            "a transposed convolution pads with zeros only"),
        Arguments.of(FWD + " --output-padding -1", "--output-padding -1: expected non-negative"),
        Arguments.of(FWD + " --algorithm fast", "--algorithm fast: expected one of auto, direct, im2col-gemm"),
        // files
        Arguments.of(FWD.replace("@x.npy", "@nope.npy"), "nope.npy: cannot read: no such file"),
        Arguments.of(FWD.replace("@x.npy", "@sub"), "sub: cannot read: is a directory"),
        Arguments.of(FWD.replace("@x.npy", "@trunc.npy"), "trunc.npy: data holds"),
        Arguments.of(FWD.replace("@w.npy", "@text.npy"), "text.npy: not an .npy file"),
        Arguments.of(FWD.replace("@w.npy", "@f16.npy"), "f16.npy: unsupported dtype '<f2'"),
        Arguments.of(BWD.replace("@gy.npy", "@trunc.npy"), "--grad-output"),
        // shapes
        Arguments.of(FWD.replace("@x.npy", "@w2.npy"), "w2.npy: expected a 3-D, 4-D or 5-D"),
        Arguments.of(FWD.replace("@x.npy", "@x3.npy"), "w.npy: expected a 3-D weight (OIL for"
            + " layout NCL)"),
        Arguments.of(FWD.replace("@w.npy", "@w2.npy"), "w2.npy: expected a 4-D weight (OIHW"),
        Arguments.of(FWD + " --transposed", "expected input with 3 channels (the transposed"),
        Arguments.of(FWD + " --layout NHWC", "expected input with 2 channels"),
        Arguments.of(FWD + " --bias @b2.npy", "b2.npy: expected a bias of shape (3,)"),
        Arguments.of(BWD.replace("@gy.npy", "@gy-bad.npy"),
            "gy-bad.npy: expected the output's shape (2, 3, 4, 4)"),
        Arguments.of(FWD.replace("@w.npy", "@w-big.npy"), "output would be empty"),
        // outputs
        Arguments.of(FWD.replace("@out.npy", "@no-dir/out.npy"), "does not exist"),
        Arguments.of(FWD.replace("@out.npy", "@sub"), "--output " + "@sub: is a directory"),
        Arguments.of(BWD + " --grad-weight @dx.npy",
            "--grad-weight and --grad-input name the same file"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("errors")
  void errorExitsTwoWithOneLineAndTouchesNoOutput(String command, String why)
      throws IOException {
    for (boolean outputsExist : new boolean[] {false, true}) {
      if (outputsExist) {
        for (String out : List.of("out.npy", "dx.npy", "dw.npy", "db.npy")) {
          Files.writeString(dir.resolve(out), "old " + out); // not even a valid .npy
        }
      }
      Map<String, String> before = snapshot();
      String[] argv = command.isEmpty() ? new String[0]
          : Stream.of(command.split(" ")).map(s -> s.replace("@", dir + "/"))
              .toArray(String[]::new);
      CliTest.Result r = CliTest.run(argv);
      assertEquals(Main.ERROR, r.status(), r.err());
      assertEquals("", r.out());
      assertTrue(r.err().endsWith("\n") && r.err().indexOf('\n') == r.err().length() - 1,
          "exactly one line: " + r.err());
      assertTrue(r.err().startsWith("vconv: "), r.err());
      assertTrue(r.err().contains(why.replace("@", dir + "/")), r.err());
      assertFalse(r.err().contains("Exception"), "no exception class names: " + r.err());
      assertEquals(before, snapshot(), "files unchanged, none created, no temporary left");
    }
  }

  /** Every entry of the directory tree: name -> contents (or "dir"). */
  private Map<String, String> snapshot() throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        m.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir"
            : Arrays.toString(Files.readAllBytes(p)));
      }
    }
    return m;
  }
}
