package org.vconv.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vconv.cli.Npy;

/** The trainer end to end on a tiny data set in IDX files the test writes, and its errors. */
class TrainCommandTest {
  @TempDir
  Path dir;

  private record Result(int status, String out, String err) {}

  private static Result run(String... args) {
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    int status = TrainCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(status, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  private static void writeIdx(Path p, int[] shape, byte[] data) throws IOException {
    try (var out = new DataOutputStream(Files.newOutputStream(p))) {
      out.write(new byte[] {0, 0, 8, (byte) shape.length});
      for (int d : shape) {
        out.writeInt(d);
      }
      out.write(data);
    }
  }

  /** {@code n} 28x28 images of three classes (a bright top, middle or bottom band) and noise. */
  private void writeSet(String prefix, int n, long seed) throws IOException {
    Random rnd = new Random(seed);
    byte[] px = new byte[n * 784];
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      int c = rnd.nextInt(3);
      labels[i] = (byte) c;
      for (int p = 0; p < 784; p++) {
        int row = p / 28;
        int v = rnd.nextInt(60) + (row / 10 == c ? 180 : 0);
        px[i * 784 + p] = (byte) Math.min(255, v);
      }
    }
    writeIdx(dir.resolve(prefix + "-images-idx3-ubyte"), new int[] {n, 28, 28}, px);
    writeIdx(dir.resolve(prefix + "-labels-idx1-ubyte"), new int[] {n}, labels);
  }

  @Test
  void trainsReportsEachEpochAndWritesWeightsChartAndJson() throws IOException {
    writeSet("train", 96, 1);
    writeSet("t10k", 40, 2);
    Path out = dir.resolve("out");
    Result r = run("--data", dir.toString(), "--epochs", "2", "--batch", "32", "--threads", "2",
        "--widths", "4,8,32,16", "--out", out.toString(), "--json", dir.resolve("h.json").toString());
    assertEquals(0, r.status(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(3, lines.length, r.out());
    assertTrue(lines[0].matches("epoch 1/2: loss \\d+\\.\\d{4}, test accuracy [01]\\.\\d{4}, .*"),
        lines[0]);
    assertTrue(lines[2].matches("test accuracy [01]\\.\\d{4} after 2 epochs"), lines[2]);
    assertTrue(r.err().contains("epoch 2/2 [=============================="), r.err());
    var w = Npy.read(out.resolve("weights").resolve("0.weight.npy"));
    assertArrayEquals(new int[] {4, 1, 5, 5}, w.shape());
    // three classes in the data: the last layer has three outputs
    assertArrayEquals(new int[] {3, 16},
        Npy.read(out.resolve("weights").resolve("11.weight.npy")).shape());
    assertNotNull(ImageIO.read(out.resolve("chart.png").toFile()));
    String json = Files.readString(dir.resolve("h.json"));
    assertTrue(json.contains("\"epoch\": 2"), json);
  }

  @Test
  void errorsExitTwoWithOneLine() throws IOException {
    Result r = run("--data", dir.toString(), "--bogus", "1");
    assertEquals(2, r.status());
    assertEquals("train: unknown option '--bogus'\n", r.err());
    r = run("--data", dir.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("train: " + dir + ": no train-images-idx3-ubyte or"
        + " train-images-idx3-ubyte.gz"), r.err());
    assertEquals(1, r.err().strip().split("\n").length, r.err());
    r = run("--epochs", "0", "--data", dir.toString());
    assertEquals("train: --epochs must be a positive integer, got '0'\n", r.err());
    r = run("--epochs", "1");
    assertEquals("train: --data DIR is required\n", r.err());
  }
}
