package org.vconv.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vconv.Tensor;

/**
 * NumPy {@code .npy} files: reads versions 1, 2 and 3 in C order, little-endian float32,
 * float64, int32 or int64 (converted to float32 as {@code astype(np.float32)} does: rounded to
 * nearest, out-of-range float64 becomes infinity); writes little-endian float32 in C order,
 * version 1 (version 2 only if the header needs it). Data is converted in 1 MiB chunks, so
 * files up to the largest Java array (2^31 - 9 elements) work without a second copy.
 *
 * <p>Malformed files raise {@link IllegalArgumentException} and unreadable ones
 * {@link IOException}, with a one-line message that starts with the name given (the path, or
 * the command line option that named it).
 */
public final class Npy {
  private Npy() {}

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
  /** Largest Java array, and so the largest tensor. */
  private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
  /** NumPy writes headers of a few hundred bytes; refuse absurd lengths before allocating. */
  private static final long MAX_HEADER = 1 << 20;
  /** Bytes converted at a time. */
  private static final int CHUNK = 1 << 20;

  /** Reads {@code file} as a float32 tensor; errors are labelled with the path. */
  public static Tensor read(Path file) throws IOException {
    return read(file.toString(), file);
  }

  /** Reads {@code file} as a float32 tensor; errors start with {@code name}. */
  public static Tensor read(String name, Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(name + ": cannot read: is a directory");
    }
    InputStream in;
    long size;
    try {
      in = Files.newInputStream(file);
      size = Files.isRegularFile(file) ? Files.size(file) : -1; // pipes: unknown
    } catch (IOException e) {
      throw new IOException(name + ": cannot read: " + StagedFiles.describe(e), e);
    }
    try (in) {
      return read(name, in, size);
    } catch (IOException e) {
      throw new IOException(name + ": cannot read: " + StagedFiles.describe(e), e);
    }
  }

  /** Reads an .npy image from a stream (for tests and pipes). */
  public static Tensor read(String name, InputStream in) throws IOException {
    return read(name, in, -1);
  }

  /** Reads an .npy image held in memory; errors start with {@code name}. */
  public static Tensor parse(String name, byte[] all) {
    try {
      return read(name, new ByteArrayInputStream(all), all.length);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
  }

  /**
   * Reads an .npy image from {@code in}, whose length is {@code size} bytes or unknown (-1).
   * A known size is checked against the header before the tensor is allocated.
   */
  static Tensor read(String name, InputStream in, long size) throws IOException {
    byte[] pre = in.readNBytes(10);
    if (pre.length < 10) {
      throw bad(name, "not an .npy file (only " + pre.length + " bytes)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (pre[i] != MAGIC[i]) {
        throw bad(name, "not an .npy file (bad magic)");
      }
    }
    int major = pre[6] & 0xff;
    long headerLen;
    int headerStart;
    if (major == 1) {
      headerLen = (pre[8] & 0xff) | (pre[9] & 0xff) << 8;
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      byte[] more = in.readNBytes(2);
      if (more.length < 2) {
        throw bad(name, "truncated header");
      }
      headerLen = ByteBuffer.wrap(new byte[] {pre[8], pre[9], more[0], more[1]})
          .order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
      headerStart = 12;
    } else {
      throw bad(name, "unsupported .npy version " + major + " (expected 1, 2 or 3)");
    }
    if (headerLen > MAX_HEADER) {
      throw bad(name, "header of " + headerLen + " bytes is implausibly long");
    }
    byte[] h = in.readNBytes((int) headerLen);
    if (h.length < headerLen) {
      throw bad(name, "truncated header (needs " + headerLen + " bytes, file has "
          + h.length + ")");
    }
    String header = new String(h, major == 3 ? StandardCharsets.UTF_8
        : StandardCharsets.ISO_8859_1).strip();
    if (!header.startsWith("{") || !header.endsWith("}")) {
      throw bad(name, "header is not a Python dict literal");
    }
    String descr = find(name, header, DESCR, "descr");
    if (find(name, header, FORTRAN, "fortran_order").equals("True")) {
      throw bad(name, "Fortran-order arrays are not supported (save a C-order array,"
          + " e.g. np.ascontiguousarray)");
    }
    int[] shape = parseShape(name, find(name, header, SHAPE, "shape"));
    int width = dtypeWidth(name, descr);
    long count = 1;
    for (int d : shape) {
      count *= d;
      if (count > MAX_ELEMENTS) {
        throw bad(name, "too many elements for a Java array");
      }
    }
    long need = count * width;
    long dataStart = headerStart + headerLen;
    if (size >= 0 && size - dataStart != need) {
      throw sizeMismatch(name, size - dataStart, need, shape, descr);
    }
    float[] out = new float[(int) count];
    byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(need, width))];
    ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (long done = 0; done < need; ) {
      int len = (int) Math.min(chunk.length, need - done);
      int got = in.readNBytes(chunk, 0, len);
      if (got < len) {
        throw sizeMismatch(name, done + got, need, shape, descr);
      }
      convert(descr, buf, len / width, out, (int) (done / width));
      done += len;
    }
    long extra = in.transferTo(OutputStream.nullOutputStream());
    if (extra > 0) {
      throw sizeMismatch(name, need + extra, need, shape, descr);
    }
    return Tensor.of(out, shape);
  }

  /** Converts {@code n} little-endian elements at the start of {@code buf} into {@code out}. */
  private static void convert(String descr, ByteBuffer buf, int n, float[] out, int at) {
    switch (descr) {
      case "<f4" -> buf.asFloatBuffer().get(out, at, n);
      case "<f8" -> {
        var d = buf.asDoubleBuffer();
        for (int i = 0; i < n; i++) {
          out[at + i] = (float) d.get(i);
        }
      }
      case "<i4" -> {
        var d = buf.asIntBuffer();
        for (int i = 0; i < n; i++) {
          out[at + i] = d.get(i);
        }
      }
      default -> {
        var d = buf.asLongBuffer();
        for (int i = 0; i < n; i++) {
          out[at + i] = d.get(i);
        }
      }
    }
  }

  private static int dtypeWidth(String name, String descr) {
    return switch (descr) {
      case "<f4", "<i4" -> 4;
      case "<f8", "<i8" -> 8;
      default -> {
        if (descr.matches(">[fi][48]")) {
          throw bad(name, "big-endian dtype '" + descr + "' is not supported (save with"
              + " arr.astype('<" + descr.substring(1) + "'))");
        }
        throw bad(name, "unsupported dtype '" + descr
            + "' (expected little-endian float32, float64, int32 or int64)");
      }
    };
  }

  private static String dtypeName(String descr) {
    return switch (descr) {
      case "<f4" -> "float32";
      case "<f8" -> "float64";
      case "<i4" -> "int32";
      default -> "int64";
    };
  }

  private static IllegalArgumentException sizeMismatch(String name, long have, long need,
      int[] shape, String descr) {
    return bad(name, "data holds " + have + " bytes, but shape " + shapeText(shape) + " of "
        + dtypeName(descr) + " needs " + need + (have < need ? " (truncated file?)" : ""));
  }

  /** Python's tuple notation: (), (5,), (2, 3). */
  static String shapeText(int[] shape) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return b.append(shape.length == 1 ? ",)" : ")").toString();
  }

  private static String find(String name, String header, Pattern p, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw bad(name, "header has no valid '" + key + "'"
          + (key.equals("descr") ? " (structured dtypes are not supported)" : ""));
    }
    return m.group(1);
  }

  private static int[] parseShape(String name, String s) {
    String[] parts = s.split(",", -1);
    List<Integer> dims = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      String t = parts[i].strip();
      // only a trailing comma may leave an empty part: "()", "(5,)"
      if (t.isEmpty() && i == parts.length - 1 && (i > 0 || s.isBlank())) {
        continue;
      }
      if (!t.matches("[0-9]{1,10}L?")) {
        throw bad(name, "shape '(" + s + ")' is not a tuple of non-negative integers");
      }
      long d = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
      if (d > Integer.MAX_VALUE) {
        throw bad(name, "dimension " + t + " is too large");
      }
      dims.add((int) d);
    }
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  private static IllegalArgumentException bad(String name, String why) {
    return new IllegalArgumentException(name + ": " + why);
  }

  /** The .npy image (little-endian float32, C order) of {@code t}; for small tensors. */
  public static byte[] toBytes(Tensor t) {
    var out = new ByteArrayOutputStream();
    try {
      writeTo(out, t);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return out.toByteArray();
  }

  /** Streams the .npy image of {@code t} to {@code out}. */
  public static void writeTo(OutputStream out, Tensor t) throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText(t.shape())
        + ", }";
    // version 1 stores the header length in 2 bytes; a longer header needs version 2
    boolean v2 = dict.length() + 11 + 64 > 0xffff;
    int prefix = v2 ? 12 : 10;
    int unpadded = prefix + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64; // NumPy aligns the data to 64 bytes
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer pre = ByteBuffer.allocate(prefix).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
    if (v2) {
      pre.putInt(header.length());
    } else {
      pre.putShort((short) header.length());
    }
    out.write(pre.array());
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    float[] d = t.data();
    byte[] chunk = new byte[(int) Math.min(CHUNK, 4L * Math.max(1, d.length))];
    ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at < d.length; ) {
      int n = Math.min(chunk.length / 4, d.length - at);
      buf.asFloatBuffer().put(d, at, n);
      out.write(chunk, 0, n * 4);
      at += n;
    }
  }

  /**
   * Writes {@code t} to {@code file} atomically: to a temporary file beside it, then renamed,
   * so a failure never leaves a partial or changed file behind.
   */
  public static void write(Path file, Tensor t) throws IOException {
    try (StagedFiles out = new StagedFiles()) {
      out.stage(file.toString(), file, o -> writeTo(o, t));
      out.commit();
    }
  }
}
