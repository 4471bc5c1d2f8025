package org.vconv.im2col;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.Layout;
import org.vconv.algo.ConvCase;
import org.vconv.gemm.PanelLayout;
import org.vconv.plan.ConvGeometry;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.VectorProviders;

/**
 * {@link Im2col} and {@link Col2im} against the definition of the im2col matrix, element by
 * element, on many geometries and every way of cutting them into tiles (across images too) and
 * parts.
 */
class Im2colTest {

  static final int GUARD = 5; // sentinels before and after each destination

  /** Element (pixel t, depth d) of group grp's matrix of the tile starting at row0. */
  static float definition(ConvGeometry g, float[] x, int grp, int row0, int t, int d) {
    int gr = row0 + t / g.q();
    int n = gr / g.p();
    int p = gr % g.p();
    int q = t % g.q();
    int rs = g.r() * g.s();
    boolean nchw = g.layout() == Layout.NCHW;
    int c = nchw ? d / rs : d % g.cg();
    int tap = nchw ? d % rs : d / g.cg();
    int ih = p * g.strideH() - g.padTop() + tap / g.s() * g.dilH();
    int iw = q * g.strideW() - g.padLeft() + tap % g.s() * g.dilW();
    if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) {
      return 0f;
    }
    return x[g.xIndex(n, grp * g.cg() + c, ih, iw)];
  }

  /** Index of (pixel t, depth d) in Im2col's dense tile matrix. */
  static int at(ConvGeometry g, int pixels, int t, int d) {
    return g.layout() == Layout.NCHW ? d * pixels + t : t * g.crs() + d;
  }

  static List<ConvGeometry> geometries() {
    List<ConvGeometry> out = new ArrayList<>();
    for (ConvCase cs : ConvCase.randomCases(42, 30)) {
      out.add(cs.geometry());
      out.add(cs.inLayout(cs.layout() == Layout.NCHW ? Layout.NHWC : Layout.NCHW).geometry());
    }
    return out;
  }

  @Test
  void gatherWritesTheDefinitionIntoEveryElementOfEveryTileAndPart() {
    for (ArrayKernels arrays : List.of(VectorProviders.get().arrays(),
        VectorProviders.scalar().arrays())) {
      int tiles = checkGather(arrays);
      assertTrue(tiles > 1000, "checked " + tiles + " tiles");
    }
  }

  private static int checkGather(ArrayKernels arrays) {
    int tiles = 0;
    for (ConvGeometry g : geometries()) {
      float[] x = ConvCase.random(g.inputSize(), 7);
      int rows = g.n() * g.p();
      for (int perTile : new int[] {1, 2, g.p(), rows}) {
        for (int row0 = 0; row0 < rows; row0 += perTile) {
          int row1 = Math.min(rows, row0 + perTile);
          int pixels = (row1 - row0) * g.q();
          for (int grp = 0; grp < g.groups(); grp++) {
            for (int parts : new int[] {1, 3}) {
              float[] dst = new float[(int) Im2col.tileFloats(g, row1 - row0) + 2 * GUARD];
              Arrays.fill(dst, Float.NaN);
              for (int part = 0; part < parts; part++) {
                Im2col.gatherInto(g, x, grp, row0, row1, dst, GUARD, part, parts, arrays);
              }
              for (int t = 0; t < pixels; t++) {
                for (int d = 0; d < g.crs(); d++) {
                  assertEquals(definition(g, x, grp, row0, t, d), dst[GUARD + at(g, pixels, t, d)],
                      g + " tile " + row0 + ".." + row1 + " pixel " + t + " depth " + d);
                }
              }
              assertGuardsUntouched(dst);
              tiles++;
            }
          }
        }
      }
    }
    return tiles;
  }

  /**
   * {@link Im2col#gatherPacked} (the forward's B: element {@code (d, t)} at
   * {@code index(d, t)}, zero columns past the tile) and {@link Im2col#gatherPackedTransposed}
   * (the weight gradient's B, the matrix transposed: at {@code index(t, d)}, zero rows past the
   * matrix): the definition in every slot, every slot written (the buffer starts as NaN) and
   * nothing outside; NCHW geometries, tiles across images, several parts, both providers'
   * kernels; narrow panels and short depth blocks, so that runs straddle panels and blocks.
   */
  @Test
  void gatherPackedWritesTheDefinitionIntoThePanels() {
    for (boolean transposed : new boolean[] {false, true}) {
      int tiles = checkPanels(transposed);
      assertTrue(tiles > 300, "transposed " + transposed + ": checked " + tiles + " tiles");
    }
  }

  private static int checkPanels(boolean transposed) {
    int tiles = 0;
    for (ArrayKernels arrays : List.of(VectorProviders.get().arrays(),
        VectorProviders.scalar().arrays())) {
      for (ConvGeometry g : geometries()) {
        if (g.layout() != Layout.NCHW) {
          continue;
        }
        float[] x = ConvCase.random(g.inputSize(), 7);
        int rows = g.n() * g.p();
        for (int perTile : new int[] {1, g.p() + 1, rows}) {
          for (int row0 = 0; row0 < rows; row0 += perTile) {
            int row1 = Math.min(rows, row0 + perTile);
            int pixels = (row1 - row0) * g.q();
            int grp = row0 % g.groups();
            int nr = new int[] {1, 3, 8, 9, 16, 32}[(row0 + tiles) % 6];
            // B is [depth, pixels] for the forward, [pixels, depth] for the weight gradient
            int bRows = transposed ? pixels : g.crs();
            int bCols = transposed ? g.crs() : pixels;
            PanelLayout panels = new PanelLayout(bCols, bRows, nr, 1 + (row0 + tiles) % bRows);
            for (int parts : new int[] {1, 3}) {
              float[] dst = new float[Math.toIntExact(panels.floats()) + 2 * GUARD];
              Arrays.fill(dst, Float.NaN);
              for (int part = 0; part < parts; part++) {
                float[] scratch = new float[nr * pixels + part]; // garbage: written before read
                Arrays.fill(scratch, Float.NaN);
                if (transposed) {
                  Im2col.gatherPackedTransposed(g, x, grp, row0, row1, dst, GUARD, panels, part,
                      parts, scratch, arrays);
                } else {
                  Im2col.gatherPacked(g, x, grp, row0, row1, dst, GUARD, panels, part, parts,
                      scratch, arrays);
                }
              }
              for (int i = 0; i < bRows; i++) {
                for (int j = 0; j < panels.nPad(); j++) {
                  int t = transposed ? i : j;
                  int d = transposed ? j : i;
                  float want = t < pixels && d < g.crs() ? definition(g, x, grp, row0, t, d) : 0f;
                  assertEquals(want, dst[GUARD + panels.index(i, j)], g + " tile " + row0 + ".."
                      + row1 + " " + panels + " pixel " + t + " depth " + d);
                }
              }
              assertGuardsUntouched(dst);
              tiles++;
            }
          }
        }
      }
    }
    return tiles;
  }

  /** Every slot of a packed operand belongs to exactly one (row, column) of the layout. */
  @Test
  void panelLayoutIndexesEverySlotOnce() {
    int checked = 0;
    for (int n : new int[] {1, 7, 32, 33, 392}) {
      for (int k : new int[] {1, 5, 256, 300, 4608}) {
        for (int nr : new int[] {1, 4, 32}) {
          for (int kcMax : new int[] {1, 7, 256, k}) {
            if (kcMax > k || (long) n * k > 200_000) {
              continue;
            }
            PanelLayout l = new PanelLayout(n, k, nr, kcMax);
            boolean[] seen = new boolean[Math.toIntExact(l.floats())];
            for (int r = 0; r < k; r++) {
              for (int j = 0; j < l.nPad(); j++) {
                int i = l.index(r, j);
                assertTrue(!seen[i], l + " slot " + i + " twice");
                seen[i] = true;
              }
            }
            checked++; // nPad * k slots, each seen once: all of them
          }
        }
      }
    }
    assertTrue(checked > 100, "checked " + checked);
  }

  @Test
  void scatterAddIsTheAdjointOfGatherOnBothProviders() {
    int checked = 0;
    for (ArrayKernels arrays : List.of(VectorProviders.get().arrays(),
        VectorProviders.scalar().arrays())) {
      for (ConvGeometry g : geometries()) {
        int rows = g.n() * g.p();
        for (int perTile : new int[] {1, g.p(), rows}) {
          for (int row0 = 0; row0 < rows; row0 += perTile) {
            int row1 = Math.min(rows, row0 + perTile);
            int pixels = (row1 - row0) * g.q();
            int grp = row0 % g.groups();
            // integers: every sum is exact, so any order must give the same bits
            float[] src = ConvCase.integers((int) Im2col.tileFloats(g, row1 - row0) + GUARD, 3);
            float[] dx = ConvCase.integers(g.inputSize(), 4);
            float[] expected = dx.clone();
            for (int t = 0; t < pixels; t++) {
              for (int d = 0; d < g.crs(); d++) {
                int i = inputIndex(g, grp, row0, t, d);
                if (i >= 0) {
                  expected[i] += src[GUARD + at(g, pixels, t, d)];
                }
              }
            }
            Col2im.scatterAdd(g, src, GUARD, grp, row0, row1, dx, arrays);
            assertEquals(Arrays.toString(expected), Arrays.toString(dx), g + " tile " + row0);
            checked++;
          }
        }
      }
    }
    assertTrue(checked > 500, "checked " + checked + " tiles");
  }

  /** Where element (t, d) comes from in x, or -1 for padding. */
  static int inputIndex(ConvGeometry g, int grp, int row0, int t, int d) {
    int gr = row0 + t / g.q();
    int n = gr / g.p();
    int rs = g.r() * g.s();
    boolean nchw = g.layout() == Layout.NCHW;
    int c = nchw ? d / rs : d % g.cg();
    int tap = nchw ? d % rs : d / g.cg();
    int ih = gr % g.p() * g.strideH() - g.padTop() + tap / g.s() * g.dilH();
    int iw = t % g.q() * g.strideW() - g.padLeft() + tap % g.s() * g.dilW();
    if (ih < 0 || ih >= g.h() || iw < 0 || iw >= g.w()) {
      return -1;
    }
    return g.xIndex(n, grp * g.cg() + c, ih, iw);
  }

  @Test
  void validRangeIsExactlyTheOutputsWhoseTapIsInside() {
    int checked = 0;
    for (int in = 1; in <= 9; in++) {
      for (int pad = 0; pad <= 4; pad++) {
        for (int tap = 0; tap <= 8; tap++) {
          for (int stride = 1; stride <= 3; stride++) {
            for (int out = 1; out <= 7; out++) {
              int first = ValidRange.first(pad, tap, stride, out);
              int end = ValidRange.end(in, pad, tap, stride, out);
              assertTrue(0 <= first && first <= end && end <= out);
              for (int o = 0; o < out; o++) {
                int i = ValidRange.input(o, pad, tap, stride);
                assertEquals(i >= 0 && i < in, o >= first && o < end,
                    "in " + in + " pad " + pad + " tap " + tap + " stride " + stride + " o " + o);
              }
              checked++;
            }
          }
        }
      }
    }
    assertEquals(9 * 5 * 9 * 3 * 7, checked);
  }

  private static void assertGuardsUntouched(float[] dst) {
    for (int i = 0; i < GUARD; i++) {
      assertTrue(Float.isNaN(dst[i]) && Float.isNaN(dst[dst.length - 1 - i]), "guard written");
    }
  }
}
