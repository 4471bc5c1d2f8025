package org.vconv.nd;

import org.vconv.PaddingMode;
import org.vconv.plan.ExecContext;

/**
 * Reflect, replicate and circular padding as a copy, and its adjoint: the input is viewed as
 * {@code [outer, D, H, W, inner]} (channels first: outer = N*C, inner = 1; channels last:
 * outer = N, inner = C; fewer spatial axes have extent 1), and each padded position copies the
 * input element that an index map names. The outer blocks are split among {@code ctx}'s
 * threads: each block is padded and folded on its own, so the results are the same for any
 * thread count.
 */
public final class PadCopy {
  private PadCopy() {}

  /**
   * For each of the {@code before + n + after} padded positions of an axis of extent
   * {@code n}, the input position it copies.
   */
  static int[] indexMap(PaddingMode mode, int n, int before, int after) {
    int[] map = new int[before + n + after];
    for (int i = 0; i < map.length; i++) {
      int j = i - before;
      map[i] = switch (mode) {
        case REFLECT -> j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
        case REPLICATE -> Math.min(Math.max(j, 0), n - 1);
        case CIRCULAR -> Math.floorMod(j, n);
        case ZEROS -> throw new IllegalArgumentException("zeros padding is not copied");
      };
      assert map[i] >= 0 && map[i] < n;
    }
    return map;
  }

  /**
   * The padded copy of {@code x}.
   *
   * @param dims {@code {outer, D, H, W, inner}} of {@code x}
   * @param pads {@code {dBefore, dAfter, hBefore, hAfter, wBefore, wAfter}}
   */
  public static float[] pad(PaddingMode mode, float[] x, int[] dims, int[] pads,
      ExecContext ctx) {
    int[][] maps = maps(mode, dims, pads);
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(dims[0] * dims[4],
        maps[0].length * maps[1].length), maps[2].length)];
    move(maps, dims, x, out, false, ctx);
    return out;
  }

  /**
   * The adjoint of {@link #pad}: overwrites {@code dx} with, for each input element, the sum
   * of {@code dPadded} over the padded positions that copy it, in padded order.
   */
  public static void foldInto(PaddingMode mode, float[] dPadded, int[] dims, int[] pads,
      float[] dx, ExecContext ctx) {
    move(maps(mode, dims, pads), dims, dx, dPadded, true, ctx);
  }

  /**
   * Copies input to padded positions, or with {@code fold} overwrites the input with their
   * sums, in padded order. A row's padded positions fall into runs that copy consecutive input
   * positions (the whole row in the middle, the wrapped ends of a circular pad), each moved as
   * one block of {@code length * inner} floats.
   */
  private static void move(int[][] maps, int[] dims, float[] x, float[] padded, boolean fold,
      ExecContext ctx) {
    int inner = dims[4];
    int[] wMap = maps[2];
    int[] runs = runs(wMap); // pairs: first padded position, length
    int outerIn = dims[1] * dims[2] * dims[3] * inner;
    int outerOut = maps[0].length * maps[1].length * wMap.length * inner;
    int parts = ctx.workersFor(dims[0]);
    ctx.parallelFor(parts, part -> {
      int b0 = ExecContext.slice(dims[0], part, parts);
      int b1 = ExecContext.slice(dims[0], part + 1, parts);
      if (fold) {
        java.util.Arrays.fill(x, b0 * outerIn, b1 * outerIn, 0f);
      }
      int o = b0 * outerOut;
      for (int b = b0; b < b1; b++) {
        for (int d : maps[0]) {
          for (int h : maps[1]) {
            int row = ((b * dims[1] + d) * dims[2] + h) * dims[3];
            for (int r = 0; r < runs.length; r += 2) {
              int at = (row + wMap[runs[r]]) * inner;
              int len = runs[r + 1] * inner;
              if (fold) {
                ctx.kernels().arrays().addInto(padded, o, x, at, len);
              } else {
                System.arraycopy(x, at, padded, o, len);
              }
              o += len;
            }
          }
        }
      }
    });
  }

  /** The maximal runs of {@code map} that name consecutive positions: (first, length) pairs. */
  static int[] runs(int[] map) {
    int[] out = new int[2 * map.length];
    int n = 0;
    for (int i = 0; i < map.length; ) {
      int j = i + 1;
      while (j < map.length && map[j] == map[j - 1] + 1) {
        j++;
      }
      out[n++] = i;
      out[n++] = j - i;
      i = j;
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static int[][] maps(PaddingMode mode, int[] dims, int[] pads) {
    return new int[][] {indexMap(mode, dims[1], pads[0], pads[1]),
        indexMap(mode, dims[2], pads[2], pads[3]), indexMap(mode, dims[3], pads[4], pads[5])};
  }
}
