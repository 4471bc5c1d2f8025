package org.vconv.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format, {@code http://yann.lecun.com/exdb/mnist/}), plain or
 * gzip-compressed (recognised by their first two bytes, not the file name): two zero bytes, a
 * type code, the number of dimensions, each dimension as a big-endian 32-bit integer, then the
 * data in C order, big-endian. All six IDX types are read into floats (unsigned byte 0x08,
 * signed byte 0x09, short 0x0B, int 0x0C, float 0x0D, double 0x0E).
 *
 * <p>A malformed file raises {@link IllegalArgumentException} and an unreadable one
 * {@link IOException}; both messages start with the file's path and say what is wrong.
 */
public final class Idx {
  private Idx() {}

  /** More dimensions than any real IDX file has; guards against reading garbage as a header. */
  static final int MAX_DIMENSIONS = 16;

  /**
   * An IDX array: its dimensions and values in C order.
   *
   * @param shape the dimensions
   * @param values the elements converted to float
   */
  public record Array(int[] shape, float[] values) {
    /**
     * The first dimension (the number of items).
     *
     * @return {@code shape[0]}
     */
    public int count() {
      return shape[0];
    }

    /**
     * Elements per item: the product of the dimensions after the first.
     *
     * @return the elements per item, 1 for a one-dimensional array
     */
    public int itemSize() {
      int n = 1;
      for (int i = 1; i < shape.length; i++) {
        n *= shape[i];
      }
      return n;
    }

    @Override
    public String toString() {
      return "Idx.Array" + Arrays.toString(shape);
    }
  }

  /**
   * Reads {@code file}.
   *
   * @param file an IDX file, plain or gzip-compressed
   * @return its dimensions and values
   * @throws IOException when the file is a directory or cannot be read
   * @throws IllegalArgumentException when the file is malformed or its gzip data corrupt
   */
  public static Array read(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(file + ": cannot read an IDX file: is a directory");
    }
    long size;
    InputStream raw;
    try {
      size = Files.size(file);
      raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    } catch (IOException e) {
      throw new IOException(file + ": cannot read: " + e, e);
    }
    try (InputStream in = raw) {
      in.mark(2);
      int b0 = in.read();
      int b1 = in.read();
      in.reset();
      boolean gzip = b0 == 0x1f && b1 == 0x8b;
      try (InputStream body = gzip ? new GZIPInputStream(in, 1 << 16) : in) {
        return read(file.toString(), body, gzip ? -1 : size);
      }
    } catch (ZipException | EOFException e) { // only GZIPInputStream throws these here
      throw new IllegalArgumentException(file + ": corrupt gzip data (" + e.getMessage() + ")",
          e);
    } catch (IOException e) {
      throw new IOException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Reads an IDX image (uncompressed) from {@code in}, of {@code size} bytes or unknown (-1);
   * errors start with {@code name}.
   */
  static Array read(String name, InputStream in, long size) throws IOException {
    DataInputStream d = new DataInputStream(in);
    byte[] magic = d.readNBytes(4);
    if (magic.length < 4) {
      throw bad(name, "not an IDX file (only " + magic.length + " bytes)");
    }
    if (magic[0] != 0 || magic[1] != 0) {
      throw bad(name, String.format("not an IDX file (first bytes %02x %02x, expected 00 00)",
          magic[0], magic[1]));
    }
    int type = magic[2] & 0xff;
    int width = switch (type) {
      case 0x08, 0x09 -> 1;
      case 0x0B -> 2;
      case 0x0C, 0x0D -> 4;
      case 0x0E -> 8;
      default -> throw bad(name, String.format("unknown IDX type code 0x%02x (expected 08, 09,"
          + " 0b, 0c, 0d or 0e)", type));
    };
    int rank = magic[3] & 0xff;
    if (rank == 0 || rank > MAX_DIMENSIONS) {
      throw bad(name, "IDX header gives " + rank + " dimensions (expected 1 to "
          + MAX_DIMENSIONS + ")");
    }
    byte[] dims = d.readNBytes(4 * rank);
    if (dims.length < 4 * rank) {
      throw bad(name, "truncated IDX header: " + rank + " dimensions need " + 4 * rank
          + " bytes, file has " + dims.length);
    }
    ByteBuffer db = ByteBuffer.wrap(dims);
    int[] shape = new int[rank];
    long count = 1;
    for (int i = 0; i < rank; i++) {
      shape[i] = db.getInt();
      if (shape[i] < 0) {
        throw bad(name, "dimension " + i + " is negative (" + shape[i] + ")");
      }
      count *= shape[i];
      if (count > Integer.MAX_VALUE - 8) {
        throw bad(name, "shape " + Arrays.toString(Arrays.copyOf(shape, i + 1))
            + "... has more elements than a Java array can hold");
      }
    }
    long need = count * width;
    if (size >= 0 && size - 4 - 4L * rank != need) {
      throw sizeMismatch(name, size - 4 - 4L * rank, need, shape);
    }
    float[] values = new float[(int) count];
    byte[] buf = new byte[(int) Math.min(1 << 16, Math.max(width, need))];
    ByteBuffer bb = ByteBuffer.wrap(buf); // big-endian, as IDX is
    for (long done = 0; done < need; ) {
      int len = (int) Math.min(buf.length, need - done);
      int got = d.readNBytes(buf, 0, len);
      if (got < len) {
        throw sizeMismatch(name, done + got, need, shape);
      }
      convert(type, bb, len / width, values, (int) (done / width));
      done += len;
    }
    if (d.read() >= 0) {
      throw bad(name, "data continues after the " + need + " bytes that shape "
          + Arrays.toString(shape) + " needs");
    }
    return new Array(shape, values);
  }

  private static void convert(int type, ByteBuffer b, int n, float[] out, int at) {
    for (int i = 0; i < n; i++) {
      out[at + i] = switch (type) {
        case 0x08 -> b.get(i) & 0xff;
        case 0x09 -> b.get(i);
        case 0x0B -> b.getShort(2 * i);
        case 0x0C -> b.getInt(4 * i);
        case 0x0D -> b.getFloat(4 * i);
        default -> (float) b.getDouble(8 * i);
      };
    }
  }

  private static IllegalArgumentException sizeMismatch(String name, long have, long need,
      int[] shape) {
    return bad(name, "IDX data holds " + have + " bytes, but shape " + Arrays.toString(shape)
        + " needs " + need + (have < need ? " (truncated file?)" : ""));
  }

  private static IllegalArgumentException bad(String name, String why) {
    return new IllegalArgumentException(name + ": " + why);
  }
}
