package org.vconv.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files the test writes: every type, plain and gzip, and each kind of damage. */
class IdxTest {
  @TempDir
  Path dir;

  /** An IDX image: header for {@code type} and {@code shape}, then {@code body} as given. */
  static byte[] idx(int type, int[] shape, byte[] body) throws IOException {
    var bytes = new ByteArrayOutputStream();
    var out = new DataOutputStream(bytes);
    out.write(new byte[] {0, 0, (byte) type, (byte) shape.length});
    for (int d : shape) {
      out.writeInt(d);
    }
    out.write(body);
    return bytes.toByteArray();
  }

  /** Unsigned bytes 0..n-1 (mod 256). */
  static byte[] ramp(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) i;
    }
    return b;
  }

  private Path write(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (OutputStream z = new GZIPOutputStream(bytes)) {
      z.write(raw);
    }
    return bytes.toByteArray();
  }

  @Test
  void readsUnsignedBytesPlainAndGzipped() throws IOException {
    byte[] body = ramp(2 * 3 * 4);
    body[5] = (byte) 200; // unsigned: 200, not -56
    byte[] raw = idx(0x08, new int[] {2, 3, 4}, body);
    for (Path p : new Path[] {write("a", raw), write("a.gz", gzip(raw))}) {
      Idx.Array a = Idx.read(p);
      assertArrayEquals(new int[] {2, 3, 4}, a.shape());
      assertEquals(2, a.count());
      assertEquals(12, a.itemSize());
      assertEquals(200f, a.values()[5]);
      assertEquals(23f, a.values()[23]);
    }
  }

  @Test
  void readsEveryTypeBigEndian() throws IOException {
    var b = new ByteArrayOutputStream();
    var d = new DataOutputStream(b);
    d.writeShort(-300);
    d.writeShort(7);
    assertArrayEquals(new float[] {-300, 7},
        Idx.read(write("s", idx(0x0B, new int[] {2}, b.toByteArray()))).values());
    b.reset();
    d.writeInt(-70000);
    d.writeInt(5);
    assertArrayEquals(new float[] {-70000, 5},
        Idx.read(write("i", idx(0x0C, new int[] {2}, b.toByteArray()))).values());
    b.reset();
    d.writeFloat(1.5f);
    d.writeFloat(-2.25f);
    assertArrayEquals(new float[] {1.5f, -2.25f},
        Idx.read(write("f", idx(0x0D, new int[] {2}, b.toByteArray()))).values());
    b.reset();
    d.writeDouble(0.1);
    d.writeDouble(3);
    assertArrayEquals(new float[] {0.1f, 3},
        Idx.read(write("d", idx(0x0E, new int[] {2}, b.toByteArray()))).values());
    assertArrayEquals(new float[] {-1, 127},
        Idx.read(write("b", idx(0x09, new int[] {2}, new byte[] {-1, 127}))).values());
  }

  /** Each malformed file: an IllegalArgumentException starting with the path, saying why. */
  @Test
  void malformedFilesAreRejectedWithThePathAndTheProblem() throws IOException {
    byte[] good = idx(0x08, new int[] {2, 2}, ramp(4));
    String[][] cases = {
        {"empty", "", "not an IDX file (only 0 bytes)"},
        {"magic", "x", "not an IDX file (first bytes 50 4b, expected 00 00)"},
        {"type", "t", "unknown IDX type code 0x07"},
        {"rank0", "r", "IDX header gives 0 dimensions"},
        {"header", "h", "truncated IDX header: 2 dimensions need 8 bytes, file has 5"},
        {"short", "s", "IDX data holds 3 bytes, but shape [2, 2] needs 4 (truncated file?)"},
        {"long", "l", "IDX data holds 5 bytes, but shape [2, 2] needs 4"},
        {"negative", "n", "dimension 0 is negative (-1)"},
    };
    for (String[] c : cases) {
      byte[] content = switch (c[1]) {
        case "" -> new byte[0];
        case "x" -> new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0};
        case "t" -> idx(0x07, new int[] {1}, new byte[1]);
        case "r" -> new byte[] {0, 0, 8, 0};
        case "h" -> Arrays.copyOf(good, 9);
        case "s" -> Arrays.copyOf(good, good.length - 1);
        case "l" -> Arrays.copyOf(good, good.length + 1);
        default -> idx(0x08, new int[] {-1, 2}, new byte[0]);
      };
      Path p = write(c[0], content);
      var e = assertThrows(IllegalArgumentException.class, () -> Idx.read(p), c[0]);
      assertTrue(e.getMessage().startsWith(p + ": " + c[2]), e.getMessage());
    }
  }

  @Test
  void truncatedGzipIsReportedAsCorrupt() throws IOException {
    byte[] z = gzip(idx(0x08, new int[] {100}, ramp(100)));
    Path p = write("cut.gz", Arrays.copyOf(z, z.length - 12));
    var e = assertThrows(IllegalArgumentException.class, () -> Idx.read(p));
    assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("corrupt gzip") || e.getMessage().contains("truncated"),
        e.getMessage());
  }

  @Test
  void missingFilesAndDirectoriesAreIoErrorsNamingThePath() {
    Path missing = dir.resolve("nope");
    var e = assertThrows(IOException.class, () -> Idx.read(missing));
    assertTrue(e.getMessage().startsWith(missing + ": cannot read"), e.getMessage());
    e = assertThrows(IOException.class, () -> Idx.read(dir));
    assertEquals(dir + ": cannot read an IDX file: is a directory", e.getMessage());
  }

  @Test
  void labelledImagesCheckShapesCountsAndLabels() throws IOException {
    Path images = write("img", idx(0x08, new int[] {3, 2, 2}, ramp(12)));
    Path labels = write("lab", idx(0x08, new int[] {3}, new byte[] {2, 0, 1}));
    LabelledImages set = LabelledImages.read(images, labels);
    assertEquals(3, set.size());
    assertEquals(3, set.classes());
    float[] x = new float[8];
    int[] y = new int[2];
    set.batchInto(new int[] {2, 0}, 0, 2, 0.5f, 1f, 2f, x, y);
    assertArrayEquals(new int[] {1, 2}, y);
    assertEquals((8 * 0.5f - 1f) * 0.5f, x[0]); // image 2's first pixel is 8
    assertEquals((0 * 0.5f - 1f) * 0.5f, x[4]);

    Path fewer = write("lab2", idx(0x08, new int[] {2}, new byte[] {1, 1}));
    var e = assertThrows(IllegalArgumentException.class,
        () -> LabelledImages.read(images, fewer));
    assertEquals(fewer + ": 2 labels for 3 images in " + images, e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LabelledImages.read(labels, labels));
    assertEquals(labels + ": expected images [count, rows, cols], got IDX shape [3]",
        e.getMessage());
    Path negative = write("lab3", idx(0x09, new int[] {3}, new byte[] {1, -1, 0}));
    e = assertThrows(IllegalArgumentException.class,
        () -> LabelledImages.read(images, negative));
    assertEquals(negative + ": label 1 is -1.0, not a class index >= 0", e.getMessage());
  }

  @Test
  void pixelMeanStdIsThatOfTheScaledPixels() {
    LabelledImages set = new LabelledImages(new float[] {0, 255, 51, 102, 0, 0, 255, 255},
        new int[] {0, 1}, 2, 2);
    double[] ms = set.pixelMeanStd(1f / 255);
    double[] v = {0, 1, 51f / 255, 102f / 255, 0, 0, 1, 1};
    double mean = Arrays.stream(v).sum() / v.length;
    double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length;
    assertEquals(mean, ms[0], 1e-7);
    assertEquals(Math.sqrt(var), ms[1], 1e-6);
  }
}
