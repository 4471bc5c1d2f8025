package org.vconv.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vconv.Tensor;

/**
 * NumPy {@code .npy} files: reads versions 1 and 2 (and 3) in C order, little-endian float32,
 * float64, int32 or int64 (converted to float32); writes version 1, little-endian float32.
 * Malformed files raise {@link IllegalArgumentException} naming the file and the problem.
 */
public final class Npy {
  private Npy() {}

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** Reads {@code file} as a float32 tensor. */
  public static Tensor read(Path file) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(file.toString(), all);
  }

  /** Reads an .npy image held in memory; {@code name} is used in error messages. */
  public static Tensor parse(String name, byte[] all) {
    ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    if (all.length < 10) {
      throw bad(name, "too short to be an .npy file");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (all[i] != MAGIC[i]) {
        throw bad(name, "not an .npy file (bad magic)");
      }
    }
    int major = all[6] & 0xff;
    int headerLen;
    int headerStart;
    if (major == 1) {
      headerLen = buf.getShort(8) & 0xffff;
      headerStart = 10;
    } else if (major == 2 || major == 3) {
      if (all.length < 12) {
        throw bad(name, "truncated header");
      }
      long len = buf.getInt(8) & 0xffffffffL;
      if (len > all.length) {
        throw bad(name, "header length " + len + " exceeds the file");
      }
      headerLen = (int) len;
      headerStart = 12;
    } else {
      throw bad(name, "unsupported .npy version " + major);
    }
    if (headerStart + headerLen > all.length) {
      throw bad(name, "truncated header");
    }
    String header = new String(all, headerStart, headerLen,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = find(name, header, DESCR, "descr");
    if (find(name, header, FORTRAN, "fortran_order").equals("True")) {
      throw bad(name, "Fortran-order arrays are not supported (save with C order)");
    }
    int[] shape = parseShape(name, find(name, header, SHAPE, "shape"));
    int width = switch (descr) {
      case "<f4", "<i4" -> 4;
      case "<f8", "<i8" -> 8;
      default -> throw bad(name, "unsupported dtype '" + descr
          + "' (expected little-endian float32, float64, int32 or int64)");
    };
    long count = 1;
    for (int d : shape) {
      count *= d;
      if (count > Integer.MAX_VALUE - 8) {
        throw bad(name, "too many elements");
      }
    }
    int dataStart = headerStart + headerLen;
    long expected = count * width;
    if (all.length - dataStart != expected) {
      throw bad(name, "data holds " + (all.length - dataStart) + " bytes, shape and dtype need "
          + expected);
    }
    float[] out = new float[(int) count];
    for (int i = 0; i < out.length; i++) {
      int at = dataStart + i * width;
      out[i] = switch (descr) {
        case "<f4" -> buf.getFloat(at);
        case "<f8" -> (float) buf.getDouble(at);
        case "<i4" -> (float) buf.getInt(at);
        default -> (float) buf.getLong(at);
      };
    }
    return Tensor.of(out, shape);
  }

  private static String find(String name, String header, Pattern p, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw bad(name, "header has no valid '" + key + "'");
    }
    return m.group(1);
  }

  private static int[] parseShape(String name, String s) {
    List<Integer> dims = new ArrayList<>();
    for (String part : s.split(",")) {
      String t = part.trim();
      if (t.isEmpty()) {
        continue;
      }
      try {
        long d = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
        if (d < 0 || d > Integer.MAX_VALUE) {
          throw bad(name, "dimension " + t + " out of range");
        }
        dims.add((int) d);
      } catch (NumberFormatException e) {
        throw bad(name, "shape '(" + s + ")' is not a tuple of integers");
      }
    }
    return dims.stream().mapToInt(Integer::intValue).toArray();
  }

  private static IllegalArgumentException bad(String name, String why) {
    return new IllegalArgumentException(name + ": " + why);
  }

  /** The .npy (version 1, little-endian float32, C order) image of {@code t}. */
  public static byte[] toBytes(Tensor t) {
    StringBuilder shape = new StringBuilder();
    for (int d : t.shape()) {
      shape.append(d).append(", ");
    }
    if (t.rank() != 1 && shape.length() > 0) {
      shape.setLength(shape.length() - 2);
    } else if (t.rank() == 1) {
      shape.setLength(shape.length() - 1); // "(5,)"
    }
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
    int unpadded = 10 + dict.length() + 1;
    int pad = (64 - unpadded % 64) % 64; // header padded to a multiple of 64 bytes
    String header = dict + " ".repeat(pad) + "\n";
    ByteBuffer buf = ByteBuffer.allocate(10 + header.length() + t.size() * 4)
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
    buf.put(header.getBytes(StandardCharsets.ISO_8859_1));
    for (float v : t.data()) {
      buf.putFloat(v);
    }
    return buf.array();
  }

  /**
   * Writes {@code t} to {@code file} atomically: to a temporary file beside it, then renamed,
   * so a failure never leaves a partial or changed file behind.
   */
  public static void write(Path file, Tensor t) throws IOException {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        out.write(toBytes(t));
      }
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Reads an .npy image from a stream (for tests and pipes). */
  public static Tensor read(String name, InputStream in) throws IOException {
    return parse(name, in.readAllBytes());
  }
}
