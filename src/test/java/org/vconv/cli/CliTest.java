package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vconv.Algorithm;
import org.vconv.Conv2d;
import org.vconv.ConvSpec;
import org.vconv.Gradient;
import org.vconv.Gradients;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.Tensor;

/** The command line run in-process through {@link Main#run}, checked against the library. */
class CliTest {
  @TempDir Path dir;

  record Result(int status, String out, String err) {}

  static Result run(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  /** "@name" in an argument stands for the file dir/name. */
  String[] args(String... a) {
    return Stream.of(a).map(s -> s.replace("@", dir + "/")).toArray(String[]::new);
  }

  Path file(String name, Tensor t) throws IOException {
    Path p = dir.resolve(name);
    Npy.write(p, t);
    return p;
  }

  // ---- results match the library -------------------------------------------------------

  /** Options on the command line and the spec and algorithm they must mean. */
  static Stream<Arguments> optionForms() {
    ConvSpec.Builder d = ConvSpec.builder();
    return Stream.of(
        Arguments.of(List.of(), d.build(), Algorithm.AUTO),
        Arguments.of(List.of("--stride", "2"), ConvSpec.builder().stride(2).build(),
            Algorithm.AUTO),
        Arguments.of(List.of("--stride=2,1"), ConvSpec.builder().stride(2, 1).build(),
            Algorithm.AUTO),
        Arguments.of(List.of("--padding", "1"), ConvSpec.builder().padding(1).build(),
            Algorithm.AUTO),
        Arguments.of(List.of("--padding=1,2"), ConvSpec.builder().padding(1, 2).build(),
            Algorithm.AUTO),
        Arguments.of(List.of("--padding", "0,1,2,0"),
            ConvSpec.builder().padding(Padding.of(0, 1, 2, 0)).build(), Algorithm.AUTO),
        Arguments.of(List.of("--padding", "same"),
            ConvSpec.builder().padding(Padding.SAME).build(), Algorithm.AUTO),
        Arguments.of(List.of("--padding=VALID"),
            ConvSpec.builder().padding(Padding.VALID).build(), Algorithm.AUTO),
        Arguments.of(List.of("--dilation", "2"), ConvSpec.builder().dilation(2).build(),
            Algorithm.AUTO),
        Arguments.of(List.of("--dilation=1,2"), ConvSpec.builder().dilation(1, 2).build(),
            Algorithm.AUTO),
        Arguments.of(List.of("--groups", "2"), ConvSpec.builder().groups(2).build(),
            Algorithm.AUTO),
        Arguments.of(List.of("--groups=4"), ConvSpec.builder().groups(4).build(),
            Algorithm.AUTO),
        Arguments.of(List.of("--layout", "NHWC"), ConvSpec.builder().layout(Layout.NHWC).build(),
            Algorithm.AUTO),
        Arguments.of(List.of("--layout=nchw"), d.build(), Algorithm.AUTO),
        Arguments.of(List.of("--algorithm", "direct"), d.build(), Algorithm.DIRECT),
        Arguments.of(List.of("--algorithm=im2col-gemm"), d.build(), Algorithm.IM2COL_GEMM),
        Arguments.of(List.of("--algorithm", "KERNEL_OFFSET"), d.build(),
            Algorithm.KERNEL_OFFSET),
        Arguments.of(List.of("--stride", "2,1", "--padding=same", "--dilation", "1,2",
                "--groups", "2", "--layout", "NHWC", "--algorithm", "auto"),
            ConvSpec.builder().stride(2, 1).padding(Padding.SAME).dilation(1, 2).groups(2)
                .layout(Layout.NHWC).build(), Algorithm.AUTO));
  }

  @ParameterizedTest
  @MethodSource("optionForms")
  void forwardAndBackwardMatchTheLibrary(List<String> options, ConvSpec spec, Algorithm algo)
      throws IOException {
    boolean nchw = spec.layout() == Layout.NCHW;
    int g = spec.groups();
    Tensor x = NpyTest.random(1, nchw ? new int[] {2, 4, 7, 6} : new int[] {2, 7, 6, 4});
    Tensor w = NpyTest.random(2, nchw ? new int[] {4, 4 / g, 3, 2} : new int[] {3, 2, 4 / g, 4});
    Tensor b = NpyTest.random(3, 4);
    file("x.npy", x);
    file("w.npy", w);
    file("b.npy", b);
    Conv2d conv = Conv2d.of(spec).withAlgorithm(algo);

    List<String> fwd = new ArrayList<>(List.of(args("forward", "--input", "@x.npy", "--weight",
        "@w.npy", "--bias=@b.npy", "--output", "@y.npy")));
    fwd.addAll(options);
    Result r = run(fwd.toArray(String[]::new));
    assertEquals(new Result(0, "", ""), r);
    Tensor y = conv.forward(x, w, b);
    assertTensorEquals(y, Npy.read(dir.resolve("y.npy")));

    Tensor dy = NpyTest.random(4, y.shape());
    file("gy.npy", dy);
    List<String> bwd = new ArrayList<>(List.of(args("backward", "--input", "@x.npy",
        "--weight", "@w.npy", "--grad-output", "@gy.npy", "--grad-input", "@dx.npy",
        "--grad-weight=@dw.npy", "--grad-bias", "@db.npy")));
    bwd.addAll(options);
    assertEquals(new Result(0, "", ""), run(bwd.toArray(String[]::new)));
    Gradients expect = conv.backward(dy, x, w);
    assertTensorEquals(expect.input(), Npy.read(dir.resolve("dx.npy")));
    assertTensorEquals(expect.weight(), Npy.read(dir.resolve("dw.npy")));
    assertTensorEquals(expect.bias(), Npy.read(dir.resolve("db.npy")));
    assertEquals(List.of("b.npy", "db.npy", "dw.npy", "dx.npy", "gy.npy", "w.npy", "x.npy",
        "y.npy"), names(), "no temporary files");
  }

  static void assertTensorEquals(Tensor expect, Tensor actual) {
    assertArrayEquals(expect.shape(), actual.shape());
    assertArrayEquals(expect.data(), actual.data());
  }

  @Test
  void backwardComputesAndWritesOnlyWhatIsAsked() throws IOException {
    Tensor x = NpyTest.random(5, 2, 3, 5, 5);
    Tensor w = NpyTest.random(6, 4, 3, 2, 2);
    Tensor dy = NpyTest.random(7, 2, 4, 4, 4);
    file("x.npy", x);
    file("w.npy", w);
    file("gy.npy", dy);
    Result r = run(args("backward", "--input", "@x.npy", "--weight", "@w.npy",
        "--grad-output", "@gy.npy", "--grad-bias", "@db.npy"));
    assertEquals(new Result(0, "", ""), r);
    // grad-bias is the sum of dy over batch and space, summed here independently
    float[] sums = new float[4];
    for (int n = 0; n < 2; n++) {
      for (int k = 0; k < 4; k++) {
        double s = 0;
        for (int i = 0; i < 16; i++) {
          s += dy.data()[(n * 4 + k) * 16 + i];
        }
        sums[k] += (float) s;
      }
    }
    assertArrayEquals(sums, Npy.read(dir.resolve("db.npy")).data(), 1e-5f);
    assertEquals(List.of("db.npy", "gy.npy", "w.npy", "x.npy"), names());

    run(args("backward", "--input", "@x.npy", "--weight", "@w.npy", "--grad-output",
        "@gy.npy", "--grad-weight", "@dw.npy"));
    Tensor dw = Conv2d.of(ConvSpec.defaults()).backward(dy, x, w, EnumSet.of(Gradient.WEIGHT))
        .weight();
    assertTensorEquals(dw, Npy.read(dir.resolve("dw.npy")));
    assertEquals(List.of("db.npy", "dw.npy", "gy.npy", "w.npy", "x.npy"), names());
  }

  @Test
  void anOutputMayReplaceAnInput() throws IOException {
    Tensor x = NpyTest.random(8, 1, 2, 4, 4);
    Tensor w = NpyTest.random(9, 2, 2, 1, 1);
    file("x.npy", x);
    file("w.npy", w);
    assertEquals(0, run(args("forward", "--input", "@x.npy", "--weight", "@w.npy",
        "--output", "@x.npy")).status());
    assertTensorEquals(Conv2d.of(ConvSpec.defaults()).forward(x, w),
        Npy.read(dir.resolve("x.npy")));
  }

  // ---- help ------------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("helpForms")
  void helpGoesToStdoutWithStatusZero(List<String> argv) {
    Result r = run(argv.toArray(String[]::new));
    assertEquals(0, r.status());
    assertEquals("", r.err());
    assertEquals(Main.HELP, r.out());
    for (String documented : List.of("forward", "backward", "demo", "--input", "--weight",
        "--bias", "--output", "--grad-output", "--grad-input", "--grad-weight", "--grad-bias",
        "--stride", "--padding", "--dilation", "--groups", "--layout", "--algorithm", "same",
        "valid", "NHWC", "HWIO", "float64", "int64", "status 2")) {
      assertTrue(r.out().contains(documented), "help mentions " + documented);
    }
  }

  static Stream<List<String>> helpForms() {
    return Stream.of(List.of("--help"), List.of("-h"), List.of("help"),
        List.of("forward", "--help"), List.of("backward", "-h"),
        List.of("forward", "--input", "x.npy", "--help"));
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
