package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.simd.GemmKernels;
import org.vconv.simd.VectorProvider;

/**
 * {@link GemmKernels#dotTileAdd} alone: bitwise against its documented order (each partial one
 * chain over rows, then columns, from its value before the call), within a rigorous bound of a
 * double reference, nothing outside the tile written and nothing read past a row's length
 * (NaN there); the same split over two calls; then under C2, thousands of calls compared
 * bitwise.
 */
class DotTileTest {

  /** Row counts: none, one, a few, and more than a vector of them. */
  private static final int[] ROWS = {0, 1, 2, 5, 17};

  private record DotCall(String what, int rows, int len, float[] a, int aOff, int aPitch,
      int[] aRows, int aRow, float[] b, int bOff, int bPitch, int[] bRows, int bRow,
      float[] acc, int accOff, float[] expected) {

    float[] run(GemmKernels g) {
      float[] out = acc.clone();
      g.dotTileAdd(rows, len, a, aOff, aPitch, aRows, aRow, b, bOff, bPitch, bRows, bRow, out,
          accOff);
      return out;
    }

    /** The first {@code split} rows in one call, the rest in a second. */
    float[] runSplit(GemmKernels g, int split) {
      float[] out = acc.clone();
      g.dotTileAdd(split, len, a, aOff, aPitch, aRows, aRow, b, bOff, bPitch, bRows, bRow, out,
          accOff);
      g.dotTileAdd(rows - split, len, a, aOff + split * aPitch, aPitch, aRows, aRow, b,
          bOff + split * bPitch, bPitch, bRows, bRow, out, accOff);
      return out;
    }

    float at(float[] m, int off, int[] rowsOf, int row, int p, int pitch, int q) {
      return m[off + rowsOf[row] + p * pitch + q];
    }
  }

  /**
   * Operands with the tile's rows at offsets that overlap (taps of one channel) or repeat, row
   * pitches at least the length, random values where the definition reads and NaN elsewhere.
   */
  private static DotCall dotCall(VectorProvider p, int rows, int len, Random rnd) {
    GemmKernels g = p.gemm();
    int mr = g.dotMr();
    int nr = g.dotNr();
    int lanes = g.dotLanes();
    int aPitch = len + rnd.nextInt(4);
    int bPitch = len + rnd.nextInt(3);
    int aRow = 1 + rnd.nextInt(3);
    int[] aRows = new int[aRow + mr + 1];
    Arrays.fill(aRows, -(1 << 24)); // used outside the tile: an exception
    for (int i = 0; i < mr; i++) {
      aRows[aRow + i] = i % 2 == 0 ? i / 2 * (aPitch + 1) + 1 : rnd.nextInt(3 * len + 4);
    }
    int bRow = rnd.nextInt(2);
    int[] bRows = new int[bRow + nr];
    for (int j = 0; j < nr; j++) {
      bRows[bRow + j] = j == nr - 1 ? bRows[bRow + j - 1] : j * (rows * bPitch + 2); // repeat
    }
    int aOff = 1 + rnd.nextInt(5);
    int bOff = 1 + rnd.nextInt(5);
    float[] a = readRegion(aOff, aRows, aRow, mr, rows, aPitch, len, rnd);
    float[] b = readRegion(bOff, bRows, bRow, nr, rows, bPitch, len, rnd);
    int accOff = 1 + rnd.nextInt(4);
    float[] acc = GemmCheck.nanArray(accOff + mr * nr * lanes + 3);
    System.arraycopy(GemmCheck.random(mr * nr * lanes, rnd), 0, acc, accOff, mr * nr * lanes);
    DotCall call = new DotCall(p.name() + " dotTileAdd rows " + rows + " len " + len, rows, len,
        a, aOff, aPitch, aRows, aRow, b, bOff, bPitch, bRows, bRow, acc, accOff, null);
    return new DotCall(call.what(), rows, len, a, aOff, aPitch, aRows, aRow, b, bOff, bPitch,
        bRows, bRow, acc, accOff, expected(g, GemmCheck.fused(p), call));
  }

  private static float[] readRegion(int off, int[] rowsOf, int row0, int count, int rows,
      int pitch, int len, Random rnd) {
    int end = off;
    for (int i = 0; i < count; i++) {
      end = Math.max(end, off + rowsOf[row0 + i] + Math.max(0, rows - 1) * pitch + len);
    }
    float[] m = GemmCheck.nanArray(end + 2);
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < rows; p++) {
        for (int q = 0; q < len; q++) {
          int at = off + rowsOf[row0 + i] + p * pitch + q;
          if (Float.isNaN(m[at])) { // rows may overlap: a slot keeps its first value
            m[at] = rnd.nextFloat() * 2 - 1;
          }
        }
      }
    }
    return m;
  }

  /** The documented order: each partial from its value, rows then columns, in turn. */
  private static float[] expected(GemmKernels g, boolean fused, DotCall c) {
    float[] out = c.acc().clone();
    int lanes = g.dotLanes();
    for (int i = 0; i < g.dotMr(); i++) {
      for (int j = 0; j < g.dotNr(); j++) {
        int entry = c.accOff() + (i * g.dotNr() + j) * lanes;
        for (int p = 0; p < c.rows(); p++) {
          for (int q = 0; q < c.len(); q++) {
            float x = c.at(c.a(), c.aOff(), c.aRows(), c.aRow() + i, p, c.aPitch(), q);
            float y = c.at(c.b(), c.bOff(), c.bRows(), c.bRow() + j, p, c.bPitch(), q);
            int at = entry + g.dotLane(q, c.len());
            out[at] = fused ? Math.fma(x, y, out[at]) : out[at] + x * y;
          }
        }
      }
    }
    return out;
  }

  /** Each entry's partials summed, within the bound of rows*len products and lanes adds. */
  private static void assertWithinBound(String what, GemmKernels g, DotCall c, float[] got) {
    int lanes = g.dotLanes();
    long terms = (long) c.rows() * c.len() + lanes;
    double gamma = terms * 0x1p-24 / (1 - terms * 0x1p-24);
    for (int i = 0; i < g.dotMr(); i++) {
      for (int j = 0; j < g.dotNr(); j++) {
        int entry = c.accOff() + (i * g.dotNr() + j) * lanes;
        double sum = 0;
        double abs = 0;
        float total = 0f;
        for (int l = 0; l < lanes; l++) {
          sum += c.acc()[entry + l];
          abs += Math.abs(c.acc()[entry + l]);
          total += got[entry + l];
        }
        for (int p = 0; p < c.rows(); p++) {
          for (int q = 0; q < c.len(); q++) {
            double t = (double) c.at(c.a(), c.aOff(), c.aRows(), c.aRow() + i, p, c.aPitch(), q)
                * c.at(c.b(), c.bOff(), c.bRows(), c.bRow() + j, p, c.bPitch(), q);
            sum += t;
            abs += Math.abs(t);
          }
        }
        if (!(Math.abs(total - sum) <= 2 * gamma * abs)) {
          fail(what + " [" + i + "][" + j + "] = " + total + ", expected " + sum);
        }
      }
    }
  }

  private static List<DotCall> dotCalls(VectorProvider p, Random rnd) {
    List<DotCall> calls = new ArrayList<>();
    for (int rows : ROWS) {
      for (int len : GemmCheck.tailSizes()) {
        calls.add(dotCall(p, rows, len, rnd));
      }
    }
    calls.add(dotCall(p, 9, 112, rnd)); // the stem's rows, as the convolution calls it
    return calls;
  }

  @Test
  void dotTileMatchesTheReference() {
    Random rnd = new Random(47);
    int ran = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      for (DotCall call : dotCalls(p, rnd)) {
        float[] got = call.run(g);
        GemmCheck.assertBitwise(call.what(), call.expected(), got);
        assertWithinBound(call.what(), g, call, got);
        if (call.rows() >= 2) {
          GemmCheck.assertBitwise(call.what() + " in two calls", call.expected(),
              call.runSplit(g, call.rows() / 2));
        }
        ran++;
      }
    }
    int perProvider = ROWS.length * GemmCheck.tailSizes().length + 1;
    assertEquals(GemmCheck.providers().size() * perProvider, ran);
  }

  /** The same calls cycled until C2 has compiled {@code dotTileAdd}, bitwise every time. */
  @Test
  void compiledDotTileGivesTheDocumentedBits() {
    Random rnd = new Random(48);
    int calls = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      List<DotCall> cycle = dotCalls(p, rnd);
      for (int it = 0; it < 12_000; it++, calls++) {
        DotCall call = cycle.get(it % cycle.size());
        float[] got = call.run(g);
        if (!Arrays.equals(call.expected(), got)) {
          GemmCheck.assertBitwise(call.what() + ", call " + it, call.expected(), got);
        }
      }
    }
    assertEquals(GemmCheck.providers().size() * 12_000, calls);
  }
}
