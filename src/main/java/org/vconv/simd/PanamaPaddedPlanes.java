package org.vconv.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ArrayKernels#planeSums} through a zero-padded copy of the source plane, for undilated
 * kernels: the copy's rows are {@code dstW + s - 1} floats, so every tap of every result lane
 * is one plain load, with no column masks and no masked edge paths (in place, the edge rows'
 * and edge vectors' masked taps cost most of a 5x5 plane's time). Four result rows run
 * together two vectors across, or eight one vector across (eight sums in flight either way):
 * each source row is loaded once per kernel column and feeds the kernel rows of every result
 * row that reads it, as the window slides down by one row per kernel row. The sums are those
 * of the in-place kernels, in their order (per kernel column, kernel rows fused in order from
 * zero, then the columns added to the bias in order): a padded zero adds {@code 0 * w}, which
 * leaves a partial sum's bits unchanged for a finite {@code w}, as the in-place kernels'
 * masked loads do.
 *
 * <p>Lanes past the row's end compute garbage from the next row's values and are never
 * stored; so are the rows past {@code dstH} in the last block.
 */
final class PanamaPaddedPlanes {
  private PanamaPaddedPlanes() {}

  private static final VectorSpecies<Float> SPECIES = PanamaProvider.SPECIES;
  private static final int VL = SPECIES.length();
  /** Result rows per step: a block of four rows of two vectors, or eight of one. */
  private static final int ROWS = 8;

  /**
   * Whether {@code pt} runs padded: undilated; a kernel of two rows or more (with one, no
   * source row is shared and every row is whole in place, so the copy buys little); at least
   * one whole block of four rows (shorter planes, as 1-D convolution's single row, would
   * mostly compute rows that are dropped); rows
   * that fill at least half of their vectors (narrower ones leave most lanes empty, where the
   * in-place flat run uses them all); and not the in-place kernels' sliding 3x3 on rows wider
   * than two vectors: it loads each source vector once without a copy, and only its masked
   * edge vectors cost more.
   */
  static boolean fits(PlaneTaps pt) {
    int vectors = (pt.dstW() + VL - 1) / VL;
    return pt.dilH() == 1 && pt.dilW() == 1 && pt.r() >= 2 && pt.dstH() >= 4
        && 2 * pt.dstW() >= vectors * VL
        && (vectors <= 2 || !PanamaPlaneKernels.slides3x3(pt));
  }

  /**
   * Floats of the padded copy: rows for whole blocks, and a tail for the last reads; 0 (in
   * place) when it does not fit or would not fit in an array.
   */
  static int scratchFloats(PlaneTaps pt) {
    long floats = (long) copyRows(pt) * pitch(pt) + 2 * VL;
    return fits(pt) && floats <= Integer.MAX_VALUE - 8 ? (int) floats : 0;
  }

  private static int pitch(PlaneTaps pt) {
    return pt.dstW() + pt.s() - 1;
  }

  private static int copyRows(PlaneTaps pt) {
    return (pt.dstH() + ROWS - 1) / ROWS * ROWS + pt.r() - 1;
  }

  static void sums(float[] src, int sOff, PlaneTaps pt, float[] w, int wOff, float bias,
      float[] dst, int dOff, float[] buf) {
    assert scratchFloats(pt) > 0 && buf.length >= scratchFloats(pt);
    copy(src, sOff, pt, buf);
    int pitch = pitch(pt);
    int width = pt.dstW();
    for (int q = 0; q < width; q += 2 * VL) {
      if (q + VL < width) {
        for (int p = 0; p < pt.dstH(); p += 4) {
          rows4x2(buf, p * pitch + q, pitch, pt.r(), pt.s(), w, wOff, bias, dst,
              dOff + p * width + q, width, Math.min(4, pt.dstH() - p), width - q - VL);
        }
      } else {
        for (int p = 0; p < pt.dstH(); p += 8) {
          rows8x1(buf, p * pitch + q, pitch, pt.r(), pt.s(), w, wOff, bias, dst,
              dOff + p * width + q, width, Math.min(8, pt.dstH() - p), width - q);
        }
      }
    }
  }

  /**
   * The padded copy: row y, column x is source (y - padTop, x - padLeft), else zero. Vector
   * stores and masked row copies: on small planes, a call per row cost as much as the sums.
   */
  private static void copy(float[] src, int sOff, PlaneTaps pt, float[] buf) {
    int pitch = pitch(pt);
    int end = copyRows(pt) * pitch;
    FloatVector zero = FloatVector.zero(SPECIES);
    int f = 0;
    for (; f + VL <= end; f += VL) {
      zero.intoArray(buf, f);
    }
    zero.intoArray(buf, f, PanamaMasks.first(end - f));
    int x0 = Math.max(0, pt.padLeft()); // columns [x0, x1) come from the source
    int x1 = Math.min(pitch, pt.srcW() + pt.padLeft());
    int y0 = Math.max(0, pt.padTop()); // and rows [y0, y1)
    int y1 = Math.min(copyRows(pt), pt.srcH() + pt.padTop());
    for (int y = y0; y < y1; y++) {
      int from = sOff + (y - pt.padTop()) * pt.srcW() - pt.padLeft();
      for (int x = x0; x < x1; x += VL) {
        VectorMask<Float> m = PanamaMasks.first(x1 - x);
        FloatVector.fromArray(SPECIES, src, from + x, m).intoArray(buf, y * pitch + x, m);
      }
    }
  }

  /**
   * Rows {@code [0, rows)} of a block of four, two vectors from the block's first result:
   * the second vector's first {@code tail} lanes are stored.
   */
  private static void rows4x2(float[] b, int s0, int pitch, int r, int s, float[] w, int wOff,
      float bias, float[] d, int d0, int width, int rows, int tail) {
    FloatVector a00 = FloatVector.broadcast(SPECIES, bias);
    FloatVector a01 = a00;
    FloatVector a10 = a00;
    FloatVector a11 = a00;
    FloatVector a20 = a00;
    FloatVector a21 = a00;
    FloatVector a30 = a00;
    FloatVector a31 = a00;
    FloatVector zero = FloatVector.zero(SPECIES);
    for (int j = 0; j < s; j++) {
      int o = s0 + j;
      // source rows 0-2 of the window; row 3 is loaded per kernel row, and the window slides
      FloatVector l00 = FloatVector.fromArray(SPECIES, b, o);
      FloatVector l01 = FloatVector.fromArray(SPECIES, b, o + VL);
      FloatVector l10 = FloatVector.fromArray(SPECIES, b, o + pitch);
      FloatVector l11 = FloatVector.fromArray(SPECIES, b, o + pitch + VL);
      FloatVector l20 = FloatVector.fromArray(SPECIES, b, o + 2 * pitch);
      FloatVector l21 = FloatVector.fromArray(SPECIES, b, o + 2 * pitch + VL);
      FloatVector p00 = zero;
      FloatVector p01 = zero;
      FloatVector p10 = zero;
      FloatVector p11 = zero;
      FloatVector p20 = zero;
      FloatVector p21 = zero;
      FloatVector p30 = zero;
      FloatVector p31 = zero;
      for (int i = 0; i < r; i++) {
        int o3 = o + (i + 3) * pitch;
        FloatVector l30 = FloatVector.fromArray(SPECIES, b, o3);
        FloatVector l31 = FloatVector.fromArray(SPECIES, b, o3 + VL);
        FloatVector c = FloatVector.broadcast(SPECIES, w[wOff + i * s + j]);
        p00 = l00.fma(c, p00);
        p01 = l01.fma(c, p01);
        p10 = l10.fma(c, p10);
        p11 = l11.fma(c, p11);
        p20 = l20.fma(c, p20);
        p21 = l21.fma(c, p21);
        p30 = l30.fma(c, p30);
        p31 = l31.fma(c, p31);
        l00 = l10;
        l01 = l11;
        l10 = l20;
        l11 = l21;
        l20 = l30;
        l21 = l31;
      }
      a00 = a00.add(p00);
      a01 = a01.add(p01);
      a10 = a10.add(p10);
      a11 = a11.add(p11);
      a20 = a20.add(p20);
      a21 = a21.add(p21);
      a30 = a30.add(p30);
      a31 = a31.add(p31);
    }
    VectorMask<Float> m = PanamaMasks.first(tail);
    a00.intoArray(d, d0);
    a01.intoArray(d, d0 + VL, m);
    if (rows > 1) {
      a10.intoArray(d, d0 + width);
      a11.intoArray(d, d0 + width + VL, m);
    }
    if (rows > 2) {
      a20.intoArray(d, d0 + 2 * width);
      a21.intoArray(d, d0 + 2 * width + VL, m);
    }
    if (rows > 3) {
      a30.intoArray(d, d0 + 3 * width);
      a31.intoArray(d, d0 + 3 * width + VL, m);
    }
  }

  /**
   * As {@link #rows4x2} for a block of eight rows, one vector across (eight sums in flight, as
   * the 4x2 block has), its first {@code tail} lanes stored.
   */
  private static void rows8x1(float[] b, int s0, int pitch, int r, int s, float[] w, int wOff,
      float bias, float[] d, int d0, int width, int rows, int tail) {
    FloatVector a0 = FloatVector.broadcast(SPECIES, bias);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    FloatVector a4 = a0;
    FloatVector a5 = a0;
    FloatVector a6 = a0;
    FloatVector a7 = a0;
    FloatVector zero = FloatVector.zero(SPECIES);
    for (int j = 0; j < s; j++) {
      int o = s0 + j;
      FloatVector l0 = FloatVector.fromArray(SPECIES, b, o);
      FloatVector l1 = FloatVector.fromArray(SPECIES, b, o + pitch);
      FloatVector l2 = FloatVector.fromArray(SPECIES, b, o + 2 * pitch);
      FloatVector l3 = FloatVector.fromArray(SPECIES, b, o + 3 * pitch);
      FloatVector l4 = FloatVector.fromArray(SPECIES, b, o + 4 * pitch);
      FloatVector l5 = FloatVector.fromArray(SPECIES, b, o + 5 * pitch);
      FloatVector l6 = FloatVector.fromArray(SPECIES, b, o + 6 * pitch);
      FloatVector p0 = zero;
      FloatVector p1 = zero;
      FloatVector p2 = zero;
      FloatVector p3 = zero;
      FloatVector p4 = zero;
      FloatVector p5 = zero;
      FloatVector p6 = zero;
      FloatVector p7 = zero;
      for (int i = 0; i < r; i++) {
        FloatVector l7 = FloatVector.fromArray(SPECIES, b, o + (i + 7) * pitch);
        FloatVector c = FloatVector.broadcast(SPECIES, w[wOff + i * s + j]);
        p0 = l0.fma(c, p0);
        p1 = l1.fma(c, p1);
        p2 = l2.fma(c, p2);
        p3 = l3.fma(c, p3);
        p4 = l4.fma(c, p4);
        p5 = l5.fma(c, p5);
        p6 = l6.fma(c, p6);
        p7 = l7.fma(c, p7);
        l0 = l1;
        l1 = l2;
        l2 = l3;
        l3 = l4;
        l4 = l5;
        l5 = l6;
        l6 = l7;
      }
      a0 = a0.add(p0);
      a1 = a1.add(p1);
      a2 = a2.add(p2);
      a3 = a3.add(p3);
      a4 = a4.add(p4);
      a5 = a5.add(p5);
      a6 = a6.add(p6);
      a7 = a7.add(p7);
    }
    VectorMask<Float> m = PanamaMasks.first(tail);
    a0.intoArray(d, d0, m);
    if (rows > 1) {
      a1.intoArray(d, d0 + width, m);
    }
    if (rows > 2) {
      a2.intoArray(d, d0 + 2 * width, m);
    }
    if (rows > 3) {
      a3.intoArray(d, d0 + 3 * width, m);
    }
    if (rows > 4) {
      a4.intoArray(d, d0 + 4 * width, m);
    }
    if (rows > 5) {
      a5.intoArray(d, d0 + 5 * width, m);
    }
    if (rows > 6) {
      a6.intoArray(d, d0 + 6 * width, m);
    }
    if (rows > 7) {
      a7.intoArray(d, d0 + 7 * width, m);
    }
  }
}
