package org.vconv.im2col;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.algo.ConvCase;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.VectorProviders;

/**
 * The array kernels (Col2im's, and the finiteness scan), both providers, every length around
 * the vector widths and unaligned offsets; repeated until C2 has compiled the SIMD body
 * (Vector API code is interpreted at first, and C2 has had Vector API miscompiles).
 */
class ArrayKernelsTest {

  @Test
  void addIntoAddsExactlyTheRangeOnBothProvidersAfterWarmUp() {
    int checked = 0;
    float[] src = ConvCase.integers(200, 1);
    float[] base = ConvCase.integers(200, 2);
    for (ArrayKernels k : List.of(VectorProviders.get().arrays(),
        VectorProviders.scalar().arrays())) {
      for (int round = 0; round < 300; round++) { // ~ 10^5 calls: enough for C2
        for (int len = 0; len <= 67; len++) {
          int sOff = len % 5;
          int dOff = 3 + len % 7;
          float[] dst = base.clone();
          k.addInto(src, sOff, dst, dOff, len);
          if (round == 0 || round == 299) {
            for (int i = 0; i < dst.length; i++) {
              boolean inside = i >= dOff && i < dOff + len;
              float want = inside ? base[i] + src[sOff + i - dOff] : base[i];
              assertEquals(want, dst[i], "len " + len + " index " + i);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(2 * 2 * 68, checked);
  }

  /**
   * allFinite over every length around two vector widths and unaligned offsets: true on
   * extreme finite values (largest, smallest subnormal, -0), false for a NaN, +Inf or -Inf at
   * any position of the range, vector body or scalar tail, and blind to bad values just
   * outside it; under C2 as well.
   */
  @Test
  void allFiniteFindsEveryNonFiniteValueInTheRangeOnly() {
    float[] finite = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 1f, 0f};
    float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    int checked = 0;
    for (ArrayKernels k : List.of(VectorProviders.get().arrays(),
        VectorProviders.scalar().arrays())) {
      for (int round = 0; round < 40; round++) { // ~ 10^5 calls: enough for C2
        for (int len = 0; len <= 67; len++) {
          int off = 1 + len % 5;
          float[] a = new float[off + len + 1];
          for (int i = 0; i < a.length; i++) {
            a[i] = finite[i % finite.length];
          }
          a[off - 1] = Float.NaN; // just outside, both sides
          a[off + len] = Float.POSITIVE_INFINITY;
          boolean ok = k.allFinite(a, off, len);
          for (int at = 0; at < len; at++) {
            float keep = a[off + at];
            a[off + at] = bad[(at + round) % bad.length];
            boolean found = !k.allFinite(a, off, len);
            a[off + at] = keep;
            if (round == 0 || round == 39) {
              assertTrue(found, "len " + len + " bad at " + at);
            }
          }
          if (round == 0 || round == 39) {
            assertTrue(ok, "len " + len + ": all finite");
            checked++;
          }
        }
      }
    }
    assertEquals(2 * 2 * 68, checked);
  }

  /**
   * sumDouble over every length around two vector widths (the two-vector body, the scalar
   * tail) and unaligned offsets, on integers, so that every order gives the exact sum: each
   * element of the range counts once (a large marker at any position adds exactly itself),
   * none just outside it does; under C2 as well.
   */
  @Test
  void sumDoubleAddsEveryElementOfTheRangeOnceOnBothProviders() {
    float marker = 1 << 20;
    int checked = 0;
    for (ArrayKernels k : List.of(VectorProviders.get().arrays(),
        VectorProviders.scalar().arrays())) {
      for (int round = 0; round < 40; round++) { // ~ 10^5 calls: enough for C2
        boolean check = round == 0 || round == 39;
        for (int len = 0; len <= 67; len++) {
          int off = 1 + len % 5;
          float[] a = new float[off + len + 1];
          double want = 0;
          for (int i = 0; i < a.length; i++) {
            a[i] = (i * 7919) % 1001 - 500;
            want += i >= off && i < off + len ? a[i] : 0;
          }
          a[off - 1] = 1 << 30; // just outside, both sides
          a[off + len] = 1 << 30;
          double got = k.sumDouble(a, off, len);
          for (int at = 0; at < len; at++) {
            a[off + at] += marker;
            double marked = k.sumDouble(a, off, len);
            a[off + at] -= marker;
            if (check) {
              assertEquals(want + marker, marked, "len " + len + " marker at " + at);
            }
          }
          if (check) {
            assertEquals(want, got, "len " + len);
            checked++;
          }
        }
      }
    }
    assertEquals(2 * 2 * 68, checked);
  }
}
