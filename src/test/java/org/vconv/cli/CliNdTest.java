package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vconv.ConvNd;
import org.vconv.ConvNdSpec;
import org.vconv.Gradients;
import org.vconv.PaddingMode;
import org.vconv.Tensor;

/**
 * The command line's 1-D, 3-D, transposed and padding-mode convolutions: each option reaches
 * {@link ConvNd}, whose results the files hold bit for bit (ConvNd itself is checked against
 * PyTorch by ConvNdGoldenTest).
 */
class CliNdTest {
  @TempDir Path dir;

  static Stream<Arguments> configurations() {
    return Stream.of(
        Arguments.of("--stride 2 --padding 1,0 --dilation 2", new int[] {2, 4, 11},
            new int[] {3, 4, 3}, ConvNdSpec.builder(1).stride(2).padding(1, 0).dilation(2)),
        Arguments.of("--layout NLC --padding same --groups 2", new int[] {2, 9, 4},
            new int[] {3, 2, 6}, ConvNdSpec.builder(1).channelsLast(true).padding("same")
                .groups(2)),
        Arguments.of("--stride 1,2,2 --padding 1,1,0,1,2,0", new int[] {1, 3, 4, 6, 7},
            new int[] {2, 3, 3, 2, 2}, ConvNdSpec.builder(3).stride(1, 2, 2)
                .padding(1, 1, 0, 1, 2, 0)),
        Arguments.of("--layout NDHWC --dilation 1,2,1", new int[] {2, 5, 6, 4, 3},
            new int[] {2, 2, 2, 3, 2}, ConvNdSpec.builder(3).channelsLast(true)
                .dilation(1, 2, 1)),
        Arguments.of("--transposed --stride 3 --padding 1 --output-padding 2",
            new int[] {2, 4, 5}, new int[] {4, 3, 3}, ConvNdSpec.builder(1).transposed(true)
                .stride(3).padding(1).outputPadding(2)),
        Arguments.of("--transposed --stride 2 --groups 2 --layout NHWC",
            new int[] {1, 3, 4, 4}, new int[] {2, 2, 1, 4}, ConvNdSpec.builder(2)
                .transposed(true).stride(2).groups(2).channelsLast(true)),
        Arguments.of("--transposed --stride 2,1,2 --padding 0,1,1 --output-padding 1,0,1",
            new int[] {1, 2, 3, 3, 3}, new int[] {2, 3, 2, 3, 2}, ConvNdSpec.builder(3)
                .transposed(true).stride(2, 1, 2).padding(0, 1, 1).outputPadding(1, 0, 1)),
        Arguments.of("--padding-mode reflect --padding 2", new int[] {2, 3, 6},
            new int[] {2, 3, 3}, ConvNdSpec.builder(1).paddingMode(PaddingMode.REFLECT)
                .padding(2)),
        Arguments.of("--padding-mode replicate --padding 1,2,0,3", new int[] {1, 2, 5, 5},
            new int[] {3, 2, 3, 3}, ConvNdSpec.builder(2).paddingMode(PaddingMode.REPLICATE)
                .padding(1, 2, 0, 3)),
        Arguments.of("--padding-mode=circular --padding=same --stride=2",
            new int[] {1, 2, 4, 5, 6}, new int[] {2, 2, 3, 3, 3}, ConvNdSpec.builder(3)
                .paddingMode(PaddingMode.CIRCULAR).padding("same").stride(2)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("configurations")
  void forwardAndBackwardFilesHoldConvNdsResults(String options, int[] xs, int[] ws,
      ConvNdSpec.Builder expected) throws Exception {
    ConvNd conv = ConvNd.of(expected.build());
    Tensor x = NpyTest.random(1, xs);
    Tensor w = NpyTest.random(2, ws);
    int[] ys = conv.outputShape(xs, ws);
    int k = ys[expected.build().channelsLast() ? ys.length - 1 : 1];
    Tensor b = NpyTest.random(3, k);
    Tensor dy = NpyTest.random(4, ys);
    Npy.write(dir.resolve("x.npy"), x);
    Npy.write(dir.resolve("w.npy"), w);
    Npy.write(dir.resolve("b.npy"), b);
    Npy.write(dir.resolve("dy.npy"), dy);
    List<String> opts = List.of(options.split(" "));
    CliTest.Result fwd = CliTest.run(args("forward --input @x.npy --weight @w.npy"
        + " --bias @b.npy --output @y.npy", opts));
    assertEquals(0, fwd.status(), fwd.err());
    assertArrayEquals(conv.forward(x, w, b).data(), Npy.read(dir.resolve("y.npy")).data());
    CliTest.Result bwd = CliTest.run(args("backward --input @x.npy --weight @w.npy"
        + " --grad-output @dy.npy --grad-input @dx.npy --grad-weight @dw.npy"
        + " --grad-bias @db.npy", opts));
    assertEquals(0, bwd.status(), bwd.err());
    Gradients g = conv.backward(dy, x, w);
    assertArrayEquals(g.input().data(), Npy.read(dir.resolve("dx.npy")).data());
    assertArrayEquals(g.weight().data(), Npy.read(dir.resolve("dw.npy")).data());
    assertArrayEquals(g.bias().data(), Npy.read(dir.resolve("db.npy")).data());
    assertArrayEquals(x.shape(), Npy.read(dir.resolve("dx.npy")).shape());
  }

  private String[] args(String command, List<String> options) {
    List<String> all = new ArrayList<>();
    for (String s : command.split(" ")) {
      all.add(s.replace("@", dir + "/"));
    }
    all.addAll(options);
    return all.toArray(String[]::new);
  }
}
