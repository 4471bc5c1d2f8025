package org.vconv.im2col;

import org.vconv.Layout;
import org.vconv.gemm.PackSource;
import org.vconv.plan.ConvGeometry;

/**
 * The im2col matrix of one group over a tile of output rows, as a self-packing GEMM operand:
 * {@code rows} are the tile's pixels and {@code depth} is the reduction index ({@code (c*R +
 * r)*S + s} for NCHW, {@code (r*S + s)*C/G + c} for NHWC), i.e. the transpose of NCHW's
 * {@code cols} and NHWC's {@code rows} matrix of {@link Im2col} itself. That is B transposed
 * in {@code y_g = W_g x cols} (NCHW) and A in {@code y = rows x W_g} (NHWC): the GEMM packs
 * micro-panels straight from the image and no column buffer is ever built.
 *
 * <p>Immutable; {@link #pack} keeps its scratch local, so concurrent packs are safe.
 */
public final class Im2colPackSource implements PackSource {
  private final ConvGeometry g;
  private final float[] x;
  private final int group;
  private final int row0;
  private final int pixels;

  /** The tile of global output rows {@code [row0, row1)} of group {@code group}. */
  public Im2colPackSource(ConvGeometry g, float[] x, int group, int row0, int row1) {
    assert 0 <= group && group < g.groups() : "group";
    assert 0 <= row0 && row0 < row1 && row1 <= g.n() * g.p() : "tile rows";
    this.g = g;
    this.x = x;
    this.group = group;
    this.row0 = row0;
    this.pixels = (row1 - row0) * g.q();
  }

  /** Rows of the operand: the tile's pixels. */
  public int rows() {
    return pixels;
  }

  /** Depth of the operand: {@code C/G * R * S}. */
  public int depth() {
    return g.crs();
  }

  @Override
  public void pack(int rowStart, int rows, int k0, int kc, int width, float[] dst, int off) {
    assert rowStart >= 0 && rows >= 0 && rowStart + rows <= pixels : "rows";
    assert k0 >= 0 && kc >= 0 && k0 + kc <= depth() : "depth";
    assert width > 0 && off >= 0 : "panel";
    if (g.layout() == Layout.NCHW && g.strideW() == 1) {
      packNchwUnitStride(rowStart, rows, k0, kc, width, dst, off);
      return;
    }
    boolean nchw = g.layout() == Layout.NCHW;
    int rs = g.r() * g.s();
    int cg = g.cg();
    // per pixel of a panel: where its image starts and its window's top-left corner
    int[] base = new int[width];
    int[] ih0 = new int[width];
    int[] iw0 = new int[width];
    for (int t = 0, panels = Math.ceilDiv(rows, width); t < panels; t++) {
      int live = Math.min(width, rows - t * width);
      for (int i = 0; i < live; i++) {
        int gp = row0 * g.q() + rowStart + t * width + i;
        int gr = gp / g.q();
        int n = gr / g.p();
        base[i] = g.xIndex(n, group * cg, 0, 0);
        ih0[i] = ValidRange.input(gr - n * g.p(), g.padTop(), 0, g.strideH());
        iw0[i] = ValidRange.input(gp - gr * g.q(), g.padLeft(), 0, g.strideW());
      }
      int panel = off + t * width * kc;
      for (int kk = 0; kk < kc; kk++) {
        int d = k0 + kk;
        int ci = nchw ? d / rs : d % cg;
        int tap = nchw ? d % rs : d / cg;
        int dh = tap / g.s() * g.dilH();
        int dw = tap % g.s() * g.dilW();
        int chan = g.xIndex(0, ci, 0, 0); // channel offset inside an image
        int at = panel + kk * width;
        for (int i = 0; i < live; i++) {
          int ih = ih0[i] + dh;
          int iw = iw0[i] + dw;
          boolean inside = ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w();
          dst[at + i] = inside ? x[base[i] + chan + offsetOf(ih, iw)] : 0f;
        }
        for (int i = live; i < width; i++) {
          dst[at + i] = 0f;
        }
      }
    }
  }

  /**
   * NCHW at stride 1 along W: the pixels of a panel that share an output row read one
   * contiguous run of an input row per reduction index, so each packed row is a few copies
   * and zero fills instead of a bounds check per element.
   */
  private void packNchwUnitStride(int rowStart, int rows, int k0, int kc, int width,
      float[] dst, int off) {
    int rs = g.r() * g.s();
    int q = g.q();
    for (int t = 0, panels = Math.ceilDiv(rows, width); t < panels; t++) {
      int first = row0 * q + rowStart + t * width; // global pixel of the panel's first column
      int live = Math.min(width, rows - t * width);
      int panel = off + t * width * kc;
      for (int kk = 0; kk < kc; kk++) {
        int d = k0 + kk;
        int ci = group * g.cg() + d / rs;
        int tap = d % rs;
        int dh = tap / g.s() * g.dilH();
        int dw = tap % g.s() * g.dilW() - g.padLeft();
        int at = panel + kk * width;
        for (int i = 0; i < live; ) { // one output-row segment per iteration
          int gp = first + i;
          int gr = gp / q;
          int qi = gp - gr * q;
          int len = Math.min(live - i, q - qi);
          int n = gr / g.p();
          int ih = (gr - n * g.p()) * g.strideH() - g.padTop() + dh;
          if (ih < 0 || ih >= g.h()) {
            java.util.Arrays.fill(dst, at + i, at + i + len, 0f);
          } else {
            int iw = qi + dw; // input column of the segment's first pixel
            int lo = Math.min(len, Math.max(0, -iw));           // leading pad
            int hi = Math.max(lo, Math.min(len, g.w() - iw));   // end of the valid run
            java.util.Arrays.fill(dst, at + i, at + i + lo, 0f);
            if (hi > lo) { // even an empty copy checks its start index
              System.arraycopy(x, ((n * g.c() + ci) * g.h() + ih) * g.w() + iw + lo, dst,
                  at + i + lo, hi - lo);
            }
            java.util.Arrays.fill(dst, at + i + hi, at + i + len, 0f);
          }
          i += len;
        }
        java.util.Arrays.fill(dst, at + live, at + width, 0f);
      }
    }
  }

  /** Offset of spatial position (ih, iw) from channel 0 of an image. */
  private int offsetOf(int ih, int iw) {
    return g.layout() == Layout.NCHW ? ih * g.w() + iw : (ih * g.w() + iw) * g.c();
  }
}
