package org.vconv.im2col;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.algo.ConvCase;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.VectorProviders;

/**
 * The array kernels Col2im runs on, both providers, every length around the vector widths and
 * unaligned offsets; repeated until C2 has compiled the SIMD body (Vector API code is
 * interpreted at first, and C2 has had Vector API miscompiles).
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
}
