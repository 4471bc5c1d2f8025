package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.vconv.plan.ExecContext;
import org.vconv.simd.GemmKernels;
import org.vconv.simd.VectorProvider;

/**
 * The micro-kernels alone, on packed panels and (the implicit GEMM's window kernel) on A rows
 * read in place: bitwise against the documented reduction order and within a rigorous bound of
 * a double reference; then the same under C2, many thousands of calls each compared bitwise
 * with the documented order (the interpreter runs the Vector API's Java fallback, C2 the
 * instructions: both must give the same bits).
 */
class GemmKernelsTest {

  /** The tile the documented order gives: see {@link GemmKernels}. */
  private static float[] expectedTile(GemmKernels g, boolean fused, int kc, float[] a, int aOff,
      float[] b, int bOff, float[] c, int cOff, int ldc, boolean add) {
    float[] out = c.clone();
    for (int i = 0; i < g.mr(); i++) {
      for (int j = 0; j < g.nr(); j++) {
        float acc = 0f;
        for (int q = 0; q < kc; q++) {
          float x = a[aOff + q * g.mr() + i];
          float y = b[bOff + q * g.nr() + j];
          acc = fused ? Math.fma(x, y, acc) : acc + x * y;
        }
        int at = cOff + i * ldc + j;
        out[at] = add ? c[at] + acc : acc;
      }
    }
    return out;
  }

  /**
   * {@code c}'s tile within a rigorous bound of the double product ({@code before + A*B} when
   * {@code add}): {@code kc} products and one add of C round at most {@code kc + 1} times (see
   * {@link GemmCheck#assertProduct}).
   */
  private static void assertWithinBound(String what, GemmKernels g, int kc, float[] a, int aOff,
      float[] b, int bOff, float[] before, float[] c, int cOff, int ldc, boolean add) {
    int mr = g.mr();
    int nr = g.nr();
    double gamma = (kc + 1) * 0x1p-24 / (1 - (kc + 1) * 0x1p-24);
    for (int i = 0; i < mr; i++) {
      for (int j = 0; j < nr; j++) {
        int at = cOff + i * ldc + j;
        double sum = add ? before[at] : 0;
        double abs = Math.abs(sum);
        for (int q = 0; q < kc; q++) {
          double x = (double) a[aOff + q * mr + i] * b[bOff + q * nr + j];
          sum += x;
          abs += Math.abs(x);
        }
        if (!(Math.abs(c[at] - sum) <= gamma * abs)) {
          fail(what + " [" + i + "][" + j + "] = " + c[at] + ", expected " + sum);
        }
      }
    }
  }

  @Test
  void tileMatchesTheReference() {
    Random rnd = new Random(41);
    int ran = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      int mr = g.mr();
      int nr = g.nr();
      for (int kc : new int[] {1, 2, 3, 7, 64, Blocking.KC, Blocking.KC + 1}) {
        for (boolean add : new boolean[] {false, true}) {
          int aOff = rnd.nextInt(5);
          int bOff = rnd.nextInt(5);
          float[] a = GemmCheck.random(aOff + kc * mr, rnd);
          float[] b = GemmCheck.random(bOff + kc * nr, rnd);
          int ldc = nr + rnd.nextInt(3);
          int cOff = 1 + rnd.nextInt(3);
          float[] c = GemmCheck.nanArray(cOff + mr * ldc + 2); // NaN: overwrite must not read
          for (int i = 0; i < mr && add; i++) {
            for (int j = 0; j < nr; j++) {
              c[cOff + i * ldc + j] = rnd.nextFloat() * 2 - 1;
            }
          }
          float[] before = c.clone();
          if (add) {
            g.multiplyAddTile(kc, a, aOff, b, bOff, c, cOff, ldc);
          } else {
            g.multiplyTile(kc, a, aOff, b, bOff, c, cOff, ldc);
          }
          String what = p.name() + " kc " + kc + " add " + add;
          GemmCheck.assertBitwise(what, expectedTile(g, GemmCheck.fused(p), kc, a, aOff, b, bOff,
              before, cOff, ldc, add), c); // also: nothing outside the tile written
          assertWithinBound(what, g, kc, a, aOff, b, bOff, before, c, cOff, ldc, add);
          ran++;
        }
      }
    }
    assertEquals(GemmCheck.providers().size() * 7 * 2, ran);
  }

  /**
   * Enough calls for C2 (and OSR of the k loop) to compile the kernel and Sgemm's loops
   * (checked by hand with -XX:+PrintCompilation, this test run alone: tile8x2, tile3x3 under
   * -XX:UseAVX=2, and the scalar tile4x4 reach tier 4 well before the calls run out); every
   * result is compared bitwise with the documented order, so the interpreted, C1 and C2
   * versions are all checked.
   */
  @Test
  void compiledCodeGivesTheDocumentedBits() {
    Random rnd = new Random(42);
    int calls = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      boolean fused = GemmCheck.fused(p);
      int mr = g.mr();
      int nr = g.nr();
      int kc = 48;
      float[] a = GemmCheck.random(kc * mr, rnd);
      float[] b = GemmCheck.random(kc * nr, rnd);
      float[] c0 = GemmCheck.random(mr * nr, rnd);
      float[] set = expectedTile(g, fused, kc, a, 0, b, 0, GemmCheck.nanArray(mr * nr), 0, nr,
          false);
      float[] add = expectedTile(g, fused, kc, a, 0, b, 0, c0, 0, nr, true);
      for (int it = 0; it < 12_000; it++, calls++) {
        float[] c = GemmCheck.nanArray(mr * nr);
        g.multiplyTile(kc, a, 0, b, 0, c, 0, nr);
        float[] d = c0.clone();
        g.multiplyAddTile(kc, a, 0, b, 0, d, 0, nr);
        if (!Arrays.equals(set, c) || !Arrays.equals(add, d)) {
          GemmCheck.assertBitwise(p.name() + " multiplyTile call " + it, set, c);
          GemmCheck.assertBitwise(p.name() + " multiplyAddTile call " + it, add, d);
        }
      }
      // the whole engine on a small shape with edge tiles in m and n and two depth blocks
      int m = mr + 3;
      int n = nr + 5;
      int k = Blocking.KC + 9;
      StridedMatrix sa = StridedMatrix.rowMajor(GemmCheck.random(m * k, rnd), 0, k);
      StridedMatrix sb = StridedMatrix.rowMajor(GemmCheck.random(k * n, rnd), 0, n);
      float[] expected = new float[m * n];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          expected[i * n + j] = GemmCheck.exactOrder(sa, sb, i, j, k, Float.NaN, true, fused);
        }
      }
      ExecContext ctx = GemmCheck.ctx(p, 1);
      for (int it = 0; it < 3_000; it++, calls++) {
        float[] c = GemmCheck.nanArray(m * n);
        Sgemm.multiply(m, n, k, sa, sb, c, 0, n, ctx);
        if (!Arrays.equals(expected, c)) {
          GemmCheck.assertBitwise(p.name() + " Sgemm call " + it, expected, c);
        }
      }
    }
    assertEquals(GemmCheck.providers().size() * 15_000, calls);
  }

  /** How the A rows of a window or stream tile lie in the source, by their offsets. */
  enum Rows {
    /** A 3x3 convolution's taps channel after channel: increasing, overlapping rows. */
    CONVOLUTION,
    /** Runs of four equal offsets: the same row read again and again. */
    REPEATED,
    /** Offsets that fall as p grows. */
    DECREASING,
    /** Random offsets in no order. */
    SCATTERED
  }

  private static int[] rowOffsets(Rows rows, int kc, int mr, Random rnd) {
    int wp = mr + 5; // a padded image row, longer than a tile
    int plane = 4 * wp;
    int[] d = new int[kc];
    for (int p = 0; p < kc; p++) {
      d[p] = switch (rows) {
        case CONVOLUTION -> p / 9 * plane + p % 9 / 3 * wp + p % 3;
        case REPEATED -> p / 4 * 7;
        case DECREASING -> (kc - 1 - p) * 3;
        case SCATTERED -> rnd.nextInt(4 * kc + mr);
      };
    }
    return d;
  }

  /**
   * One {@link GemmKernels#windowTile} call, with {@code a}, the packed A its definition reads
   * ({@code a[p*mr + i] = src[srcOff + delta[dOff + p] + i]}), and the whole tile array the
   * documented order gives.
   */
  private record WindowCall(String what, int kc, float[] src, int srcOff, int[] delta,
      int dOff, float[] b, int bOff, float[] tile, int tOff, boolean add, float[] a,
      float[] expected) {

    /** Runs the call on a copy of the tile array and returns the copy. */
    float[] run(GemmKernels g) {
      float[] t = tile.clone();
      g.windowTile(kc, src, srcOff, delta, dOff, b, bOff, t, tOff, add);
      return t;
    }
  }

  /**
   * Operands at nonzero offsets, sized to exactly what the definition reads: every slot of
   * src and b it does not read is NaN, and so is the tile unless {@code add} (overwriting must
   * not read it); the entries of delta around the call's hold an offset that throws if used.
   */
  private static WindowCall windowCall(VectorProvider p, int kc, Rows rows, boolean add,
      Random rnd) {
    int mr = p.gemm().mr();
    WindowOperands w = windowOperands(kc, rows, IntStream.range(0, mr).toArray(), rnd);
    TileOperands t = tileOperands(p, kc, w.a(), add, rnd);
    return new WindowCall(p.name() + " windowTile kc " + kc + " " + rows + " add " + add, kc,
        w.src(), w.srcOff(), w.delta(), w.dOff(), t.b(), t.bOff(), t.tile(), t.tOff(), add,
        w.a(), t.expected());
  }

  /**
   * A window call's A side: row offsets of the given kind in {@code delta} (its other entries
   * an offset that throws if used), {@code src} sized to exactly what pixel i at
   * {@code pixels[i]} reads, NaN in every slot it does not, and the packed A the definition
   * reads ({@code a[p*mr + i] = src[srcOff + pixels[i] + delta[dOff + p]]}).
   */
  private record WindowOperands(float[] src, int srcOff, int[] delta, int dOff, float[] a) {}

  private static WindowOperands windowOperands(int kc, Rows rows, int[] pixels, Random rnd) {
    int mr = pixels.length;
    int[] offsets = rowOffsets(rows, kc, mr, rnd);
    int dOff = 1 + rnd.nextInt(4);
    int[] delta = new int[dOff + kc + 2];
    Arrays.fill(delta, -(1 << 24));
    System.arraycopy(offsets, 0, delta, dOff, kc);
    int srcOff = 1 + rnd.nextInt(6);
    float[] src = GemmCheck.nanArray(srcOff + Arrays.stream(pixels).max().getAsInt()
        + Arrays.stream(offsets).max().getAsInt() + 1);
    float[] a = new float[kc * mr];
    for (int q = 0; q < kc; q++) {
      for (int i = 0; i < mr; i++) {
        int at = srcOff + pixels[i] + offsets[q];
        if (Float.isNaN(src[at])) { // rows may overlap: a slot keeps its first value
          src[at] = rnd.nextFloat() * 2 - 1;
        }
        a[q * mr + i] = src[at];
      }
    }
    return new WindowOperands(src, srcOff, delta, dOff, a);
  }

  /**
   * A window call's B panel and tile, at nonzero offsets with NaN around them (and in the tile
   * unless {@code add}), and the tile the documented order gives for the packed A {@code a}.
   */
  private record TileOperands(float[] b, int bOff, float[] tile, int tOff, float[] expected) {}

  private static TileOperands tileOperands(VectorProvider p, int kc, float[] a, boolean add,
      Random rnd) {
    GemmKernels g = p.gemm();
    int mr = g.mr();
    int nr = g.nr();
    int bOff = 1 + rnd.nextInt(5);
    float[] b = GemmCheck.nanArray(bOff + kc * nr);
    float[] packed = GemmCheck.random(kc * nr, rnd);
    System.arraycopy(packed, 0, b, bOff, packed.length);
    int tOff = 1 + rnd.nextInt(5);
    float[] tile = GemmCheck.nanArray(tOff + mr * nr + 3);
    if (add) {
      float[] c0 = GemmCheck.random(mr * nr, rnd);
      System.arraycopy(c0, 0, tile, tOff, c0.length);
    }
    float[] expected = expectedTile(g, GemmCheck.fused(p), kc, a, 0, b, bOff, tile, tOff, nr,
        add);
    return new TileOperands(b, bOff, tile, tOff, expected);
  }

  /** Every call of {@link #windowTileMatchesTheReference} on provider {@code p}. */
  private static List<WindowCall> windowCalls(VectorProvider p, Random rnd) {
    List<WindowCall> calls = new ArrayList<>();
    for (int kc : GemmCheck.tailSizes()) {
      for (Rows rows : Rows.values()) {
        for (boolean add : new boolean[] {false, true}) {
          calls.add(windowCall(p, kc, rows, add, rnd));
        }
      }
    }
    for (boolean add : new boolean[] {false, true}) { // a full depth block of ImplicitGemm
      calls.add(windowCall(p, Blocking.KC, Rows.CONVOLUTION, add, rnd));
    }
    return calls;
  }

  /**
   * {@link GemmKernels#windowTile} is {@link GemmKernels#multiplyTile} on the A rows it reads in
   * place: bitwise the documented order, within the rigorous bound of the double product,
   * nothing outside the tile written, on depths that hit every tail (1, lanes-1, lanes, lanes+1,
   * mr and nr +-1, primes) and offsets that rise, repeat, fall or scatter.
   */
  @Test
  void windowTileMatchesTheReference() {
    Random rnd = new Random(43);
    int ran = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      for (WindowCall call : windowCalls(p, rnd)) {
        float[] got = call.run(g);
        GemmCheck.assertBitwise(call.what(), call.expected(), got);
        assertWithinBound(call.what(), g, call.kc(), call.a(), 0, call.b(), call.bOff(),
            call.tile(), got, call.tOff(), g.nr(), call.add());
        ran++;
      }
    }
    int perProvider = GemmCheck.tailSizes().length * Rows.values().length * 2 + 2;
    assertEquals(GemmCheck.providers().size() * perProvider, ran);
  }

  /**
   * The same calls, cycled until C2 has compiled {@code windowTile} (window8x2, window3x3 under
   * -XX:UseAVX=2 and the scalar kernel reach tier 4 within the first few thousand calls,
   * checked by hand with -XX:+PrintCompilation), every result bitwise against the documented
   * order: the interpreted, C1 and C2 versions give the same bits.
   */
  @Test
  void compiledWindowTileGivesTheDocumentedBits() {
    Random rnd = new Random(44);
    int calls = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      List<WindowCall> cycle = windowCalls(p, rnd);
      for (int it = 0; it < 12_000; it++, calls++) {
        WindowCall call = cycle.get(it % cycle.size());
        float[] got = call.run(g);
        if (!Arrays.equals(call.expected(), got)) {
          GemmCheck.assertBitwise(call.what() + ", call " + it, call.expected(), got);
        }
      }
    }
    assertEquals(GemmCheck.providers().size() * 12_000, calls);
  }

  /**
   * One {@link GemmKernels#windowTileAt} call: pixel i of the tile at {@code at[atOff + i]},
   * offsets that repeat, fall or scatter (as the dense numbering's jumps over padded columns,
   * and the repeated last pixel of a short tile), with the packed A its definition reads
   * ({@code a[p*mr + i] = src[srcOff + at[atOff + i] + delta[dOff + p]]}) and the tile the
   * documented order gives. Slots it does not read are NaN, as in {@link #windowCall}.
   */
  private record WindowAtCall(String what, int kc, float[] src, int srcOff, int[] at, int atOff,
      int[] delta, int dOff, float[] b, int bOff, float[] tile, int tOff, boolean add,
      float[] a, float[] expected) {

    float[] run(GemmKernels g) {
      float[] t = tile.clone();
      g.windowTileAt(kc, src, srcOff, at, atOff, delta, dOff, b, bOff, t, tOff, add);
      return t;
    }
  }

  private static WindowAtCall windowAtCall(VectorProvider p, int kc, Rows rows, boolean add,
      Random rnd) {
    int mr = p.gemm().mr();
    int atOff = 1 + rnd.nextInt(3);
    int[] at = new int[atOff + mr + 2];
    Arrays.fill(at, -(1 << 24));
    for (int i = 0, col = 0; i < mr; i++) { // rows of 3 pixels, 2 padded columns skipped
      at[atOff + i] = i == mr - 1 && mr > 1 ? at[atOff + i - 1] : col;
      col += i % 3 == 2 ? 3 : 1;
    }
    WindowOperands w = windowOperands(kc, rows, Arrays.copyOfRange(at, atOff, atOff + mr),
        rnd);
    TileOperands t = tileOperands(p, kc, w.a(), add, rnd);
    return new WindowAtCall(p.name() + " windowTileAt kc " + kc + " " + rows + " add " + add,
        kc, w.src(), w.srcOff(), at, atOff, w.delta(), w.dOff(), t.b(), t.bOff(), t.tile(),
        t.tOff(), add, w.a(), t.expected());
  }

  /**
   * {@link GemmKernels#windowTileAt} is {@link GemmKernels#multiplyTile} on the A it reads at
   * its pixels' own offsets: bitwise the documented order (so the same bits as {@link
   * GemmKernels#windowTile} where the pixels are adjacent), within the rigorous bound,
   * nothing outside the tile written, at every depth tail; then cycled until C2 has compiled
   * it, still bitwise.
   */
  @Test
  void windowTileAtMatchesTheReference() {
    Random rnd = new Random(47);
    int ran = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      List<WindowAtCall> calls = new ArrayList<>();
      for (int kc : GemmCheck.tailSizes()) {
        for (Rows rows : Rows.values()) {
          for (boolean add : new boolean[] {false, true}) {
            calls.add(windowAtCall(p, kc, rows, add, rnd));
          }
        }
      }
      calls.add(windowAtCall(p, Blocking.KC, Rows.CONVOLUTION, true, rnd));
      for (WindowAtCall call : calls) {
        float[] got = call.run(g);
        GemmCheck.assertBitwise(call.what(), call.expected(), got);
        assertWithinBound(call.what(), g, call.kc(), call.a(), 0, call.b(), call.bOff(),
            call.tile(), got, call.tOff(), g.nr(), call.add());
        ran++;
      }
      for (int it = 0; it < 12_000; it++) {
        WindowAtCall call = calls.get(it % calls.size());
        float[] got = call.run(g);
        if (!Arrays.equals(call.expected(), got)) {
          GemmCheck.assertBitwise(call.what() + ", call " + it, call.expected(), got);
        }
      }
    }
    int perProvider = GemmCheck.tailSizes().length * Rows.values().length * 2 + 1;
    assertEquals(GemmCheck.providers().size() * perProvider, ran);
  }

  /**
   * One {@link GemmKernels#streamTileAdd} call, with {@code a}, the packed A its definition
   * reads ({@code a[p*mr + i] = src[srcOff + base[baseOff + i] + p]}), and the whole tile array
   * the documented order gives ({@code tile + sum}).
   */
  private record StreamCall(String what, int kc, float[] src, int srcOff, int[] base,
      int baseOff, float[] b, int bOff, float[] tile, int tOff, float[] a, float[] expected) {

    float[] run(GemmKernels g) {
      float[] t = tile.clone();
      g.streamTileAdd(kc, src, srcOff, base, baseOff, b, bOff, t, tOff);
      return t;
    }
  }

  /**
   * Operands at nonzero offsets, sized to exactly what the definition reads (NaN everywhere
   * else; base entries around the call's throw if used). Row offsets follow {@code rows} over
   * the mr rows: a convolution's taps, repeated, falling or scattered, so runs overlap.
   */
  private static StreamCall streamCall(VectorProvider p, int kc, Rows rows, Random rnd) {
    GemmKernels g = p.gemm();
    int mr = g.mr();
    int nr = g.nr();
    int[] offsets = rowOffsets(rows, mr, kc, rnd);
    int baseOff = 1 + rnd.nextInt(4);
    int[] base = new int[baseOff + mr + 2];
    Arrays.fill(base, -(1 << 24));
    System.arraycopy(offsets, 0, base, baseOff, mr);
    int srcOff = 1 + rnd.nextInt(6);
    float[] src = GemmCheck.nanArray(srcOff + Arrays.stream(offsets).max().getAsInt() + kc);
    float[] a = new float[kc * mr];
    for (int i = 0; i < mr; i++) {
      for (int q = 0; q < kc; q++) {
        int at = srcOff + offsets[i] + q;
        if (Float.isNaN(src[at])) { // runs may overlap: a slot keeps its first value
          src[at] = rnd.nextFloat() * 2 - 1;
        }
        a[q * mr + i] = src[at];
      }
    }
    int bOff = 1 + rnd.nextInt(5);
    float[] b = GemmCheck.nanArray(bOff + kc * nr);
    System.arraycopy(GemmCheck.random(kc * nr, rnd), 0, b, bOff, kc * nr);
    int tOff = 1 + rnd.nextInt(5);
    float[] tile = GemmCheck.nanArray(tOff + mr * nr + 3);
    System.arraycopy(GemmCheck.random(mr * nr, rnd), 0, tile, tOff, mr * nr);
    float[] expected = expectedTile(g, GemmCheck.fused(p), kc, a, 0, b, bOff, tile, tOff, nr,
        true);
    return new StreamCall(p.name() + " streamTileAdd kc " + kc + " " + rows, kc, src, srcOff,
        base, baseOff, b, bOff, tile, tOff, a, expected);
  }

  private static List<StreamCall> streamCalls(VectorProvider p, Random rnd) {
    List<StreamCall> calls = new ArrayList<>();
    for (int kc : GemmCheck.tailSizes()) {
      for (Rows rows : Rows.values()) {
        calls.add(streamCall(p, kc, rows, rnd));
      }
    }
    calls.add(streamCall(p, Blocking.KC, Rows.CONVOLUTION, rnd)); // a full block of pixels
    return calls;
  }

  /**
   * {@link GemmKernels#streamTileAdd} is {@link GemmKernels#multiplyAddTile} on the A rows it
   * reads in place: bitwise the documented order, within the rigorous bound, nothing outside
   * the tile written, on depths that hit every tail and row offsets of every kind.
   */
  @Test
  void streamTileMatchesTheReference() {
    Random rnd = new Random(45);
    int ran = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      for (StreamCall call : streamCalls(p, rnd)) {
        float[] got = call.run(g);
        GemmCheck.assertBitwise(call.what(), call.expected(), got);
        assertWithinBound(call.what(), g, call.kc(), call.a(), 0, call.b(), call.bOff(),
            call.tile(), got, call.tOff(), g.nr(), true);
        ran++;
      }
    }
    int perProvider = GemmCheck.tailSizes().length * Rows.values().length + 1;
    assertEquals(GemmCheck.providers().size() * perProvider, ran);
  }

  /** The same calls cycled until C2 has compiled {@code streamTileAdd}, bitwise every time. */
  @Test
  void compiledStreamTileGivesTheDocumentedBits() {
    Random rnd = new Random(46);
    int calls = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      GemmKernels g = p.gemm();
      List<StreamCall> cycle = streamCalls(p, rnd);
      for (int it = 0; it < 12_000; it++, calls++) {
        StreamCall call = cycle.get(it % cycle.size());
        float[] got = call.run(g);
        if (!Arrays.equals(call.expected(), got)) {
          GemmCheck.assertBitwise(call.what() + ", call " + it, call.expected(), got);
        }
      }
    }
    assertEquals(GemmCheck.providers().size() * 12_000, calls);
  }
}
