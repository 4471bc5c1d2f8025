package org.vconv.cli;

import java.io.IOException;
import java.io.InputStream;
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
 * version 1 (version 2 only if the header needs it).
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

  /** Reads {@code file} as a float32 tensor; errors are labelled with the path. */
  public static Tensor read(Path file) throws IOException {
    return read(file.toString(), file);
  }

  /** Reads {@code file} as a float32 tensor; errors start with {@code name}. */
  public static Tensor read(String name, Path file) throws IOException {
    byte[] all;
    try {
      if (Files.isDirectory(file)) {
        throw new IOException(name + ": cannot read: is a directory");
      }
      if (Files.isRegularFile(file) && Files.size(file) > MAX_ELEMENTS) {
        throw bad(name, "file too large (" + Files.size(file) + " bytes)");
      }
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(name + ": ")) {
        throw e;
      }
      throw new IOException(name + ": cannot read: " + StagedFiles.describe(e), e);
    }
    return parse(name, all);
  }

  /** Reads an .npy image from a stream (for tests and pipes). */
  public static Tensor read(String name, InputStream in) throws IOException {
    return parse(name, in.readAllBytes());
  }

  /** Reads an .npy image held in memory; errors start with {@code name}. */
  public static Tensor parse(String name, byte[] all) {
    if (all.length < 10) {
      throw bad(name, "not an .npy file (only " + all.length + " bytes)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (all[i] != MAGIC[i]) {
        throw bad(name, "not an .npy file (bad magic)");
      }
    }
    ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int major = all[6] & 0xff;
    long headerLen;
    int headerStart;
    if (major == 1) {
      headerLen = buf.getShort(8) & 0xffff;
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (all.length < 12) {
        throw bad(name, "truncated header");
      }
      headerLen = buf.getInt(8) & 0xffffffffL;
      headerStart = 12;
    } else {
      throw bad(name, "unsupported .npy version " + major + " (expected 1, 2 or 3)");
    }
    if (headerStart + headerLen > all.length) {
      throw bad(name, "truncated header (needs " + headerLen + " bytes, file has "
          + (all.length - headerStart) + ")");
    }
    String header = new String(all, headerStart, (int) headerLen,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
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
    int dataStart = headerStart + (int) headerLen;
    long have = all.length - dataStart;
    long need = count * width;
    if (have != need) {
      throw bad(name, "data holds " + have + " bytes, but shape " + shapeText(shape) + " of "
          + dtypeName(descr) + " needs " + need + (have < need ? " (truncated file?)" : ""));
    }
    float[] out = new float[(int) count];
    ByteBuffer data = buf.slice(dataStart, (int) need).order(ByteOrder.LITTLE_ENDIAN);
    switch (descr) {
      case "<f4" -> data.asFloatBuffer().get(out);
      case "<f8" -> {
        var d = data.asDoubleBuffer();
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) d.get(i);
        }
      }
      case "<i4" -> {
        var d = data.asIntBuffer();
        for (int i = 0; i < out.length; i++) {
          out[i] = d.get(i);
        }
      }
      default -> {
        var d = data.asLongBuffer();
        for (int i = 0; i < out.length; i++) {
          out[i] = d.get(i);
        }
      }
    }
    return Tensor.of(out, shape);
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

  /** The .npy image (little-endian float32, C order) of {@code t}. */
  public static byte[] toBytes(Tensor t) {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText(t.shape())
        + ", }";
    // version 1 stores the header length in 2 bytes; a longer header needs version 2
    boolean v2 = dict.length() + 11 + 64 > 0xffff;
    int prefix = v2 ? 12 : 10;
    int unpadded = prefix + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64; // NumPy aligns the data to 64 bytes
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer buf = ByteBuffer.allocate(prefix + header.length() + t.size() * 4)
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) (v2 ? 2 : 1)).put((byte) 0);
    if (v2) {
      buf.putInt(header.length());
    } else {
      buf.putShort((short) header.length());
    }
    buf.put(header.getBytes(StandardCharsets.ISO_8859_1));
    buf.asFloatBuffer().put(t.data());
    return buf.array();
  }

  /**
   * Writes {@code t} to {@code file} atomically: to a temporary file beside it, then renamed,
   * so a failure never leaves a partial or changed file behind.
   */
  public static void write(Path file, Tensor t) throws IOException {
    try (StagedFiles out = new StagedFiles()) {
      out.stage(file.toString(), file, toBytes(t));
      out.commit();
    }
  }
}
