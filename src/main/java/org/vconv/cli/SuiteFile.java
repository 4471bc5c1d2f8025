package org.vconv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vconv.ConvSpec;

/**
 * A 2-D benchmark suite CSV (NCHW): {@code name,n,c,h,w,k,r,s,stride,pad,dilation,groups}
 * and an optional {@code count}; stride, pad and dilation are one value or {@code HxW}. Read by
 * {@code vconv tune} and by the benchmarks.
 */
public final class SuiteFile {
  private SuiteFile() {}

  /** The header of a suite without counts. */
  public static final String HEADER = "name,n,c,h,w,k,r,s,stride,pad,dilation,groups";

  /**
   * One row: an NCHW layer, its symmetric pads per axis, and how many convolutions of its
   * network share it.
   */
  public record Row(String name, int n, int c, int h, int w, int k, int r, int s, int strideH,
      int strideW, int padH, int padW, int dilationH, int dilationW, int groups, int count) {

    /** The row's convolution. */
    public ConvSpec spec() {
      return ConvSpec.builder().stride(strideH, strideW).padding(padH, padW)
          .dilation(dilationH, dilationW).groups(groups).build();
    }

    /** {@code [N, C, H, W]}. */
    public int[] inputShape() {
      return new int[] {n, c, h, w};
    }

    /** {@code [K, C/groups, R, S]}. */
    public int[] weightShape() {
      return new int[] {k, c / groups, r, s};
    }
  }

  /**
   * Every row of {@code file}.
   *
   * @throws IOException if it cannot be read
   * @throws IllegalArgumentException naming the file and the line that is malformed
   */
  public static List<Row> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    String header = lines.isEmpty() ? "" : lines.get(0).strip();
    boolean counted = header.equals(HEADER + ",count");
    if (!counted && !header.equals(HEADER)) {
      throw new IllegalArgumentException(file + ": header must be " + HEADER
          + " (optionally followed by ,count)");
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(",");
      if (f.length != (counted ? 13 : 12)) {
        throw new IllegalArgumentException(file + ": line " + (i + 1) + ": expected "
            + (counted ? 13 : 12) + " columns: " + line);
      }
      try {
        int[] v = new int[15];
        for (int j = 0; j < 7; j++) {
          v[j] = Integer.parseInt(f[j + 1].strip());
        }
        for (int j = 0; j < 3; j++) { // stride, pad, dilation: A or HxW
          String[] hw = f[8 + j].strip().split("x", -1);
          if (hw.length > 2) {
            throw new NumberFormatException(f[8 + j]);
          }
          v[7 + 2 * j] = Integer.parseInt(hw[0]);
          v[8 + 2 * j] = Integer.parseInt(hw[hw.length - 1]);
        }
        v[13] = Integer.parseInt(f[11].strip());
        v[14] = counted ? Integer.parseInt(f[12].strip()) : 1;
        rows.add(new Row(f[0].strip(), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
            v[9], v[10], v[11], v[12], v[13], v[14]));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + ": line " + (i + 1) + ": a field is not an"
            + " integer (or HxW for stride, pad and dilation): " + line);
      }
    }
    return rows;
  }
}
