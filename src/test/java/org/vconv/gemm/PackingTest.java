package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.gemm.GemmCheck.Layout;
import org.vconv.simd.GemmKernels;
import org.vconv.simd.VectorProviders;

/**
 * The packing fast paths against the generic {@link StridedMatrix#pack}: same floats, bitwise,
 * in the whole destination (zero padding written, nothing outside the panels touched).
 */
class PackingTest {

  /** On both kernel providers: panels of 16 and more pack through the kernels' transpose. */
  @Test
  void fastPathsMatchTheGenericPack() {
    Random rnd = new Random(21);
    int ran = 0;
    for (GemmKernels kernels : new GemmKernels[] {VectorProviders.get().gemm(),
        VectorProviders.scalar().gemm()}) {
    for (Layout layout : new Layout[] {Layout.ROW_MAJOR, Layout.COL_MAJOR,
        Layout.REVERSED_ROWS, Layout.GENERAL}) {
      for (int width : new int[] {1, 3, 4, 5, 6, 8, 16, 32, 48}) {
        for (int rows : new int[] {1, width - 1, width, width + 1, 3 * width + 2}) {
          if (rows < 1) {
            continue;
          }
          for (int kc : new int[] {1, 5, 16, 37}) {
            int row0 = rnd.nextInt(3);
            int k0 = rnd.nextInt(4);
            StridedMatrix v = GemmCheck.view(row0 + rows, k0 + kc, layout, rnd);
            int off = rnd.nextInt(7);
            int len = off + (rows + width - 1) / width * width * kc + 5;
            float[] expected = GemmCheck.nanArray(len);
            float[] actual = GemmCheck.nanArray(len);
            v.pack(row0, rows, k0, kc, width, expected, off);
            Packing.pack(v, row0, rows, k0, kc, width, actual, off, kernels);
            GemmCheck.assertBitwise(kernels + " " + layout + " w" + width + " rows " + rows
                + " kc " + kc, expected, actual);
            ran++;
          }
        }
      }
    }
    }
    assertEquals(2 * (4 * 9 * 5 * 4 - 4 * 4), ran); // width 1 has no rows = width - 1 = 0
  }

  @Test
  void genericPackWritesThePanelLayout() {
    // 5 x 3 matrix, value 10*i + p; width 2 -> 3 panels, the last half zero
    float[] data = new float[15];
    for (int i = 0; i < 5; i++) {
      for (int p = 0; p < 3; p++) {
        data[i * 3 + p] = 10 * i + p;
      }
    }
    float[] dst = new float[3 * 2 * 2];
    StridedMatrix.rowMajor(data, 0, 3).pack(0, 5, 1, 2, 2, dst, 0);
    float[] expected = {1, 11, 2, 12, 21, 31, 22, 32, 41, 0, 42, 0};
    GemmCheck.assertBitwise("panels", expected, dst);
  }
}
