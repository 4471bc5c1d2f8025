package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.Tensor;

/** NumPy-style printing and the demo's array helpers. */
class NumpyFormatTest {

  @Test
  void printsTheNotebooksArraysExactly() {
    // the notebook's own printed text (DemoTest's blocks), formatted from the same values
    Tensor xGrad = Tensor.of(new float[] {1, 3, 3, 2, 4, 10, 10, 6, 4, 10, 10, 6, 3, 7, 7, 4},
        4, 4);
    Tensor kGrad = Tensor.of(new float[] {54, 63, 90, 99}, 2, 2);
    assertEquals(DemoTest.IN_5, NumpyFormat.str(xGrad) + "\n" + NumpyFormat.str(kGrad) + "\n");
    Tensor res = Tensor.of(new float[] {
        2060, 2138, 2216, 2372, 2450, 2528, 2684, 2762, 2840,
        4868, 5090, 5312, 5756, 5978, 6200, 6644, 6866, 7088,
        5804, 5882, 5960, 6116, 6194, 6272, 6428, 6506, 6584,
        15524, 15746, 15968, 16412, 16634, 16856, 17300, 17522, 17744}, 2, 2, 3, 3);
    assertEquals(DemoTest.IN_15, NumpyFormat.repr(res) + "\n");
  }

  @Test
  void smallRanksAndSigns() {
    // as NumPy prints them: print(np.array(7)), print(np.array([-1, 10])), repr of 2-D
    assertEquals("7", NumpyFormat.str(Tensor.of(new float[] {7})));
    assertEquals("[-1 10]", NumpyFormat.str(Tensor.of(new float[] {-1, 10}, 2)));
    assertEquals("array([[ 1, -2],\n       [ 3,  4]])",
        NumpyFormat.repr(Tensor.of(new float[] {1, -2, 3, 4}, 2, 2)));
    assertEquals("[0.5 nan]", NumpyFormat.str(Tensor.of(new float[] {0.5f, Float.NaN}, 2)));
  }

  @Test
  void transposeMovesEveryElementWhereNumpyWould() {
    Tensor t = NdArrays.arange(0, 2, 3, 4, 5);
    int[] axes = {2, 0, 3, 1};
    Tensor r = NdArrays.transpose(t, axes);
    assertArrayEquals(new int[] {4, 2, 5, 3}, r.shape());
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 3; b++) {
        for (int c = 0; c < 4; c++) {
          for (int d = 0; d < 5; d++) {
            // r[i0, i1, i2, i3] = t[i_axes^-1...]: output axis k reads input axis axes[k]
            assertEquals(t.get(a, b, c, d), r.get(c, a, d, b));
          }
        }
      }
    }
    // and the inverse permutation undoes it
    assertArrayEquals(t.data(), NdArrays.transpose(r, 1, 3, 0, 2).data());
  }

  @Test
  void maxAbsDiffSeesEveryElementAndNaN() {
    Random rnd = new Random(3);
    Tensor a = NpyTest.random(rnd.nextLong(), 3, 4);
    Tensor b = a.copy();
    assertEquals(0.0, NdArrays.maxAbsDiff(a, b));
    b.data()[11] += 0.25f;
    assertEquals(0.25, NdArrays.maxAbsDiff(a, b), 1e-6);
    b.data()[0] = Float.NaN;
    assertEquals(Double.POSITIVE_INFINITY, NdArrays.maxAbsDiff(a, b));
  }
}
