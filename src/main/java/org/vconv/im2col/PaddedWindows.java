package org.vconv.im2col;

import java.util.Arrays;
import org.vconv.Layout;
import org.vconv.plan.ConvGeometry;
import org.vconv.simd.ArrayKernels;

/**
 * The im2col matrix of an NCHW convolution, read in place from a zero-padded, phase-split copy
 * of the input (a slab) instead of gathered: the "padded-row" form of implicit GEMM.
 *
 * <p>At stride 1, output pixels are numbered along rows of the padded width {@code Wp = W +
 * padLeft + padRight}: pixel {@code (p, q)} of a tile is column {@code p*Wp + q}, and the
 * columns with {@code q >= Q} are computed but discarded. With that numbering, row
 * {@code d = (c*R + r)*S + s} of the im2col matrix is the slab shifted by {@link #delta
 * delta[d]} {@code = c*plane + r*dilH*Wp + s*dilW}: {@code cols[d][col] = slab[image +
 * delta[d] + col]}. Adjacent pixels are adjacent floats, so a GEMM micro-kernel can read its
 * A rows straight from the slab (see {@code GemmKernels#windowTile}). The price is
 * {@code Wp / Q - 1} extra columns (7% on a 28x28 3x3 layer, 29% on 7x7); where that is
 * much, the implicit GEMM numbers the pixels densely instead, each micro-tile pixel at its own
 * column ({@code GemmKernels#windowTileAt}).
 *
 * <p>At stride {@code (sh, sw)} each padded channel is first split into {@code sh*sw} phase
 * planes, {@code phase(a, b)[i][j] = padded[i*sh + a][j*sw + b]}, of width {@code ceil(Wp /
 * sw)} (the row pitch): tap {@code (r, s)} of output {@code (p, q)} is {@code phase(r*dilH %
 * sh, s*dilW % sw)[p + r*dilH / sh][q + s*dilW / sw]}, a stride-1 window again, and the same
 * numbering applies with the row pitch for {@code Wp}.
 *
 * <p>A tile is up to {@code images} whole images, or {@code rows} output rows of one image,
 * of one group. An image's slab is {@code C/G * sh*sw} planes of {@code rows + (R-1)*dilH/sh}
 * rows (the plane size is fixed by the largest tile, so {@code delta} holds for every tile);
 * {@link #SLACK} zeros at the end let the last pixel tile run past the last column.
 */
public final class PaddedWindows {
  /** Floats after the last slab: a micro-tile may read this far past its last column. */
  public static final int SLACK = 64;

  private final ConvGeometry g;
  private final int pitch;
  private final int maxRows;
  private final int slabRows;
  private final int[] delta;

  /** The layout for tiles of at most {@code rows} output rows. */
  public PaddedWindows(ConvGeometry g, int rows) {
    assert supports(g) : "NCHW only";
    assert rows >= 1 && rows <= g.p();
    this.g = g;
    this.pitch = rowPitch(g);
    this.maxRows = rows;
    this.slabRows = slabRows(g, rows);
    this.delta = new int[g.crs()];
    int rs = g.r() * g.s();
    for (int d = 0; d < delta.length; d++) {
      int c = d / rs;
      int dh = d % rs / g.s() * g.dilH();
      int dw = d % g.s() * g.dilW();
      int phase = dh % g.strideH() * g.strideW() + dw % g.strideW();
      delta[d] = (c * phases() + phase) * plane() + dh / g.strideH() * pitch
          + dw / g.strideW();
    }
  }

  /** Whether the layout applies: NCHW (any stride, padding, dilation and groups). */
  public static boolean supports(ConvGeometry g) {
    return g.layout() == Layout.NCHW;
  }

  /** Floats per row of a plane: {@code ceil((W + padLeft + padRight) / strideW)}. */
  public static int rowPitch(ConvGeometry g) {
    return Math.ceilDiv(g.w() + g.padLeft() + g.padRight(), g.strideW());
  }

  /** Columns one image of a tile of {@code rows} output rows takes: up to its last Q. */
  public static int columnsPerImage(ConvGeometry g, int rows) {
    return (rows - 1) * rowPitch(g) + g.q();
  }

  private int phases() {
    return g.strideH() * g.strideW();
  }

  /** Floats of one phase plane of one channel of the slab. */
  public int plane() {
    return slabRows * pitch;
  }

  /** Floats of one image's slab. */
  public int imageFloats() {
    return g.cg() * phases() * plane();
  }

  /** Floats of a slab of {@code images} images, slack included. */
  public long slabFloats(int images) {
    return slabFloats(g, images, maxRows);
  }

  /**
   * Floats of a slab of {@code images} images for tiles of at most {@code rows} output rows,
   * slack included, without building the layout (its offsets are {@code C/G*R*S} ints).
   */
  public static long slabFloats(ConvGeometry g, int images, int rows) {
    long plane = (long) slabRows(g, rows) * rowPitch(g);
    return images * g.cg() * g.strideH() * g.strideW() * plane + SLACK;
  }

  /** Padded input rows that {@code rows} output rows read, per phase plane. */
  private static int slabRows(ConvGeometry g, int rows) {
    return rows + (g.r() - 1) * g.dilH() / g.strideH();
  }

  /** Offsets of the im2col rows from a column's slab position (shared: do not modify). */
  public int[] delta() {
    return delta;
  }

  /**
   * {@link #delta} as a new array of {@code length} entries, those past the last row repeating
   * it: row offsets for micro-tiles that round the rows up (their extra rows are discarded).
   */
  public int[] deltaPadded(int length) {
    assert length >= delta.length;
    int[] out = Arrays.copyOf(delta, length);
    Arrays.fill(out, delta.length, length, delta[delta.length - 1]);
    return out;
  }

  /**
   * Copies channels {@code [c0, c1)} of group {@code grp} of image {@code n}, the padded rows
   * that output rows {@code [p0, p0 + rows)} read, phase by phase, into slot {@code slot} of
   * {@code slab}: zeros where rows or columns are padding. Disjoint slots or channels may be
   * filled from several threads at once. With {@code testFinite}, returns whether every value
   * copied is finite (NaN and infinity are copied all the same; the test reads each phase
   * plane again while it is in L1); without, returns true.
   */
  public boolean fill(float[] x, int grp, int n, int p0, int rows, int slot, int c0, int c1,
      float[] slab, ArrayKernels arrays, boolean testFinite) {
    assert p0 >= 0 && p0 + rows <= g.p() && slabRows(g, rows) <= slabRows;
    assert 0 <= c0 && c0 <= c1 && c1 <= g.cg();
    int used = slabRows(g, rows);
    int sh = g.strideH();
    int sw = g.strideW();
    boolean finite = true;
    for (int c = c0; c < c1; c++) {
      int src = g.xIndex(n, grp * g.cg() + c, 0, 0);
      for (int a = 0; a < sh; a++) {
        for (int b = 0; b < sw; b++) {
          // phase b of a padded row: columns j with iw = j*sw + b - padLeft, valid in
          // [jLo, jHi) (at stride 1, the row's padLeft zeros, W inputs, padRight zeros)
          int jLo = ValidRange.first(g.padLeft(), b, sw, pitch);
          int jHi = ValidRange.end(g.w(), g.padLeft(), b, sw, pitch);
          int iwLo = ValidRange.input(jLo, g.padLeft(), b, sw);
          int planeAt = slot * imageFloats() + (c * phases() + a * sw + b) * plane();
          int at = planeAt;
          int srLo = used; // the rows inside the image: [srLo, srHi)
          int srHi = 0;
          for (int sr = 0; sr < used; sr++, at += pitch) {
            int ih = (p0 + sr) * sh + a - g.padTop();
            if (ih < 0 || ih >= g.h()) {
              Arrays.fill(slab, at, at + pitch, 0f);
              continue;
            }
            srLo = Math.min(srLo, sr);
            srHi = sr + 1;
            Arrays.fill(slab, at, at + jLo, 0f);
            Arrays.fill(slab, at + jHi, at + pitch, 0f);
          }
          if (jLo < jHi && srLo < srHi) { // else all padding: iwLo may be out of the row
            int ih = (p0 + srLo) * sh + a - g.padTop();
            arrays.gatherStrided(x, src + ih * g.w() + iwLo, sh * g.w(), sw, slab,
                planeAt + srLo * pitch + jLo, pitch, jHi - jLo, srHi - srLo);
          }
          if (testFinite && finite) { // the plane at once: row by row, short rows ran scalar
            finite = arrays.allFinite(slab, planeAt, used * pitch);
          }
        }
      }
    }
    return finite;
  }

  /** Zeroes the slack after {@code images} slots, once per slab. */
  public void clearSlack(int images, float[] slab) {
    int end = images * imageFloats();
    Arrays.fill(slab, end, end + SLACK, 0f);
  }
}
