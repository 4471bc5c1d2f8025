package org.vconv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code vconv demo} prints exactly what the seed notebook printed (the blocks below are
 * copied from its output cells), and its computed comparisons all come out equal.
 */
class DemoTest {
  // In [5]: print(x_grad); print(k_grad)
  static final String IN_5 = """
      [[ 1  3  3  2]
       [ 4 10 10  6]
       [ 4 10 10  6]
       [ 3  7  7  4]]
      [[54 63]
       [90 99]]
      """;

  // In [15]: res
  static final String IN_15 = """
      array([[[[ 2060,  2138,  2216],
               [ 2372,  2450,  2528],
               [ 2684,  2762,  2840]],

              [[ 4868,  5090,  5312],
               [ 5756,  5978,  6200],
               [ 6644,  6866,  7088]]],


             [[[ 5804,  5882,  5960],
               [ 6116,  6194,  6272],
               [ 6428,  6506,  6584]],

              [[15524, 15746, 15968],
               [16412, 16634, 16856],
               [17300, 17522, 17744]]]])
      """;

  // In [30]/[31]: x_grad, '*' * 50, k_grad
  static final String IN_30 = """
      [[[[ 14  30  30  16]
         [ 32  68  68  36]
         [ 32  68  68  36]
         [ 18  38  38  20]]

        [[ 22  46  46  24]
         [ 48 100 100  52]
         [ 48 100 100  52]
         [ 26  54  54  28]]

        [[ 30  62  62  32]
         [ 64 132 132  68]
         [ 64 132 132  68]
         [ 34  70  70  36]]]


       [[[ 14  30  30  16]
         [ 32  68  68  36]
         [ 32  68  68  36]
         [ 18  38  38  20]]

        [[ 22  46  46  24]
         [ 48 100 100  52]
         [ 48 100 100  52]
         [ 26  54  54  28]]

        [[ 30  62  62  32]
         [ 64 132 132  68]
         [ 64 132 132  68]
         [ 34  70  70  36]]]]
      **************************************************
      [[[[ 540  558]
         [ 612  630]]

        [[ 828  846]
         [ 900  918]]

        [[1116 1134]
         [1188 1206]]]


       [[[ 540  558]
         [ 612  630]]

        [[ 828  846]
         [ 900  918]]

        [[1116 1134]
         [1188 1206]]]]
      """;

  static String demo() {
    CliTest.Result r = CliTest.run(new String[] {"demo"});
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    return r.out();
  }

  @Test
  void printsTheNotebooksArraysAsNumpyDoes() {
    String out = demo();
    assertTrue(out.contains(IN_5), "In [5]");
    assertTrue(out.contains(IN_15), "In [15]");
    // In [30] and In [31] print the same arrays: both must appear
    int first = out.indexOf(IN_30);
    assertTrue(first >= 0, "In [30]");
    assertTrue(out.indexOf(IN_30, first + 1) > first, "In [31]");
  }

  @Test
  void comparisonsAreComputedAndAgree() {
    String out = demo();
    long equal = out.lines().filter(l -> l.contains("equal: true")).count();
    assertEquals(6, equal, out);
    assertFalse(out.contains("equal: false"), out);
    // the notebook's pad-1 formula gives a 3x3 gradient for a 5x5 input
    assertTrue(out.contains("shape (3, 3) for an input of shape (5, 5)"), out);
  }
}
