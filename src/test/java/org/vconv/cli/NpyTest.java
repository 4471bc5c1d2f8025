package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vconv.Tensor;

/** .npy reading and writing; the fixtures come from NumPy (see npy/make_fixtures.py). */
class NpyTest {
  @TempDir Path dir;

  // the arrays make_fixtures.py saves
  static final float[] VALUES = {-1.5f, 0f, 2.25f, 7f, -0.125f, 1e6f};
  static final long[] INTS = {-3, 0, 7, 16777217, -2147483648L, 2147483647};

  static byte[] fixture(String name) throws IOException {
    try (InputStream in = NpyTest.class.getResourceAsStream("npy/" + name)) {
      if (in == null) {
        throw new IOException("missing test fixture npy/" + name);
      }
      return in.readAllBytes();
    }
  }

  static Tensor random(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    java.util.Random r = new java.util.Random(seed);
    for (int i = 0; i < t.size(); i++) {
      t.data()[i] = (float) r.nextGaussian();
    }
    return t;
  }

  static Stream<int[]> shapes() {
    return Stream.of(new int[0], new int[] {5}, new int[] {0}, new int[] {1, 1},
        new int[] {2, 3, 4, 5}, new int[] {3, 0, 2, 1}, new int[] {1, 2, 1, 2, 1, 2});
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void roundTripKeepsShapeAndBits(int[] shape) throws IOException {
    Tensor t = random(Arrays.hashCode(shape), shape);
    if (t.size() > 2) {
      t.data()[0] = Float.NaN; // bit patterns survive, not just values
      t.data()[1] = -0f;
      t.data()[2] = Float.NEGATIVE_INFINITY;
    }
    Path f = dir.resolve("t.npy");
    Npy.write(f, t);
    Tensor back = Npy.read(f);
    assertArrayEquals(shape, back.shape());
    for (int i = 0; i < t.size(); i++) {
      assertEquals(Float.floatToRawIntBits(t.data()[i]), Float.floatToRawIntBits(back.data()[i]));
    }
    assertEquals(List.of(f), listDir(), "no temporary file left behind");
  }

  @Test
  void writesWhatNumpyWritesByteForByte() throws IOException {
    assertArrayEquals(fixture("f4.npy"), Npy.toBytes(Tensor.of(VALUES.clone(), 2, 3)));
    assertArrayEquals(fixture("scalar.npy"), Npy.toBytes(Tensor.of(new float[] {3.5f})));
    assertArrayEquals(fixture("empty.npy"), Npy.toBytes(Tensor.zeros(0, 3)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"f4.npy", "f8.npy", "v2.npy", "v3.npy"})
  void readsFloatFixtures(String name) throws IOException {
    Tensor t = Npy.parse(name, fixture(name));
    assertArrayEquals(new int[] {2, 3}, t.shape());
    assertArrayEquals(VALUES, t.data());
  }

  @ParameterizedTest
  @ValueSource(strings = {"i4.npy", "i8.npy"})
  void readsIntegerFixturesRoundedToFloat32(String name) throws IOException {
    Tensor t = Npy.parse(name, fixture(name));
    assertArrayEquals(new int[] {2, 3}, t.shape());
    for (int i = 0; i < INTS.length; i++) {
      assertEquals((float) INTS[i], t.data()[i], "element " + i); // 2^24+1 -> 2^24
    }
  }

  @Test
  void readsZeroDimensionalAndEmpty() throws IOException {
    Tensor s = Npy.parse("s", fixture("scalar.npy"));
    assertEquals(0, s.rank());
    assertEquals(3.5f, s.data()[0]);
    Tensor e = Npy.parse("e", fixture("empty.npy"));
    assertArrayEquals(new int[] {0, 3}, e.shape());
  }

  static Stream<Arguments> numpyRejects() {
    return Stream.of(
        Arguments.of("fortran.npy", "Fortran-order"),
        Arguments.of("big-endian.npy", "big-endian dtype '>f4'"),
        Arguments.of("float16.npy", "unsupported dtype '<f2'"),
        Arguments.of("structured.npy", "structured dtypes are not supported"));
  }

  @ParameterizedTest
  @MethodSource("numpyRejects")
  void rejectsWhatItCannotRead(String name, String why) throws IOException {
    var e = assertThrows(IllegalArgumentException.class, () -> Npy.parse("--x " + name,
        fixture(name)));
    assertTrue(e.getMessage().startsWith("--x " + name + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
  }

  /** A valid v1 image of [2, 3] float32 whose header dict is {@code dict}. */
  static byte[] image(String dict, int dataBytes) {
    String header = dict + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + dataBytes)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
    return b.array();
  }

  static final String GOOD = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

  static Stream<Arguments> malformed() throws IOException {
    byte[] good = fixture("f4.npy");
    UnaryOperator<byte[]> badMagic = b -> {
      byte[] c = b.clone();
      c[1] = 'X';
      return c;
    };
    UnaryOperator<byte[]> version9 = b -> {
      byte[] c = b.clone();
      c[6] = 9;
      return c;
    };
    return Stream.of(
        Arguments.of("empty file", new byte[0], "not an .npy file"),
        Arguments.of("bad magic", badMagic.apply(good), "bad magic"),
        Arguments.of("text file", "hello world, not numpy".getBytes(StandardCharsets.US_ASCII),
            "bad magic"),
        Arguments.of("version 9", version9.apply(good), "unsupported .npy version 9"),
        Arguments.of("truncated header", Arrays.copyOf(good, 40), "truncated header"),
        Arguments.of("truncated data", Arrays.copyOf(good, good.length - 3),
            "data holds 21 bytes, but shape (2, 3) of float32 needs 24 (truncated file?)"),
        Arguments.of("extra data", Arrays.copyOf(good, good.length + 4), "data holds 28 bytes"),
        Arguments.of("no descr", image("{'fortran_order': False, 'shape': (2, 3), }", 24),
            "no valid 'descr'"),
        Arguments.of("no shape", image("{'descr': '<f4', 'fortran_order': False, }", 24),
            "no valid 'shape'"),
        Arguments.of("no fortran_order", image("{'descr': '<f4', 'shape': (2, 3), }", 24),
            "no valid 'fortran_order'"),
        Arguments.of("not a dict", image("'descr': '<f4', 'shape': (2, 3)", 24),
            "not a Python dict"),
        Arguments.of("negative dim", image(GOOD.replace("(2, 3)", "(-2, 3)"), 24),
            "not a tuple of non-negative integers"),
        Arguments.of("double comma", image(GOOD.replace("(2, 3)", "(2,, 3)"), 24),
            "not a tuple"),
        Arguments.of("word in shape", image(GOOD.replace("(2, 3)", "(2, x)"), 24),
            "not a tuple"),
        Arguments.of("huge dim", image(GOOD.replace("(2, 3)", "(99999999999,)"), 24),
            "not a tuple"),
        Arguments.of("too many elements", image(GOOD.replace("(2, 3)", "(65536, 65536)"), 24),
            "too many elements"),
        Arguments.of("unsupported dtype", image(GOOD.replace("<f4", "|u1"), 24),
            "unsupported dtype '|u1'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedInputsGiveAClearError(String what, byte[] bytes, String why) {
    var e = assertThrows(IllegalArgumentException.class, () -> Npy.parse("bad.npy", bytes));
    assertTrue(e.getMessage().startsWith("bad.npy: "), e.getMessage());
    assertTrue(e.getMessage().contains(why), what + ": " + e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
  }

  @Test
  void streamsOfUnknownLengthAreCheckedToo() throws IOException {
    byte[] good = fixture("f4.npy");
    assertArrayEquals(VALUES, Npy.read("pipe", new java.io.ByteArrayInputStream(good)).data());
    var shortData = assertThrows(IllegalArgumentException.class, () -> Npy.read("pipe",
        new java.io.ByteArrayInputStream(Arrays.copyOf(good, good.length - 3))));
    assertTrue(shortData.getMessage().contains("data holds 21 bytes"), shortData.getMessage());
    var extra = assertThrows(IllegalArgumentException.class, () -> Npy.read("pipe",
        new java.io.ByteArrayInputStream(Arrays.copyOf(good, good.length + 5))));
    assertTrue(extra.getMessage().contains("data holds 29 bytes"), extra.getMessage());
  }

  @Test
  void dataLargerThanOneChunkIsConvertedWhole() throws IOException {
    // 1 MiB chunks: 300k float32 and 200k float64 span two chunks each
    Tensor t = random(42, 3, 100_000);
    Path f = dir.resolve("big.npy");
    Npy.write(f, t);
    assertArrayEquals(t.data(), Npy.read(f).data());
    int n = 200_000;
    String dict = GOOD.replace("<f4", "<f8").replace("(2, 3)", "(" + n + ",)");
    byte[] img = image(dict, n * 8);
    ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    int start = img.length - n * 8;
    for (int i = 0; i < n; i++) {
      b.putDouble(start + 8 * i, i * 0.5 - 7);
    }
    float[] back = Npy.parse("f8", img).data();
    for (int i = 0; i < n; i++) {
      assertEquals((float) (i * 0.5 - 7), back[i], "element " + i);
    }
  }

  @Test
  void unreadableFilesNameTheProblem() throws IOException {
    var missing = assertThrows(IOException.class,
        () -> Npy.read("--input nope.npy", dir.resolve("nope.npy")));
    assertEquals("--input nope.npy: cannot read: no such file or directory",
        missing.getMessage());
    var directory = assertThrows(IOException.class, () -> Npy.read("--input d", dir));
    assertEquals("--input d: cannot read: is a directory", directory.getMessage());
  }

  @Test
  void failedWriteLeavesNothingBehind() throws IOException {
    Path f = dir.resolve("missing-dir").resolve("t.npy");
    assertThrows(IOException.class, () -> Npy.write(f, Tensor.zeros(2)));
    assertEquals(List.of(), listDir());
  }

  @Test
  void writtenFileGetsDefaultPermissionsNotTempFilePermissions() throws IOException {
    Path plain = Files.createFile(dir.resolve("plain"));
    Path f = dir.resolve("t.npy");
    Npy.write(f, Tensor.zeros(2));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
  }

  @Test
  void writeReplacesAnExistingFileThroughASymlink() throws IOException {
    Path real = dir.resolve("real.npy");
    Files.write(real, new byte[] {1, 2, 3});
    Path link = Files.createSymbolicLink(dir.resolve("link.npy"), real);
    Npy.write(link, Tensor.of(new float[] {4f}, 1));
    assertTrue(Files.isSymbolicLink(link), "the link stays a link");
    assertArrayEquals(new float[] {4f}, Npy.read(real).data());
  }

  @Test
  void stagedFilesChangeNoTargetUntilCommitAndCleanUpOnFailure() throws IOException {
    Path a = dir.resolve("a.npy");
    Files.write(a, new byte[] {42});
    try (StagedFiles s = new StagedFiles()) {
      s.stage("a", a, new byte[] {1});
      s.stage("b", dir.resolve("b.npy"), new byte[] {2});
      assertArrayEquals(new byte[] {42}, Files.readAllBytes(a), "not committed yet");
      var e = assertThrows(IOException.class,
          () -> s.stage("--grad-bias c", dir.resolve("no-dir/c.npy"), new byte[] {3}));
      assertTrue(e.getMessage().startsWith("--grad-bias c: cannot write: "), e.getMessage());
    }
    assertArrayEquals(new byte[] {42}, Files.readAllBytes(a));
    assertEquals(List.of(a), listDir(), "temporary files removed, b not created");
  }

  private List<Path> listDir() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
