package org.vconv.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.PaddingMode;

/** The N-d suite parses into valid problems: every family the suite promises is there. */
class NdLayerTest {
  static final String FAMILIES = "src/jmh/resources/families.csv";

  @Test
  void familiesSuiteHasEveryFamilyAndValidShapes() {
    List<NdLayer> rows = NdLayer.load(FAMILIES);
    for (NdLayer l : rows) {
      int[] y = l.outputShape(); // validates the row as ConvNd would
      assertEquals(l.k(), y[1], l.name());
      assertTrue(l.flops() > 0, l.name());
    }
    assertTrue(rows.stream().anyMatch(l -> l.spec().rank() == 1 && !l.spec().transposed()));
    assertTrue(rows.stream().anyMatch(l -> l.spec().rank() == 3 && !l.spec().transposed()));
    for (int rank = 1; rank <= 3; rank++) {
      int r = rank;
      assertTrue(rows.stream().anyMatch(l -> l.spec().rank() == r && l.spec().transposed()),
          "a transposed row of rank " + rank);
    }
    for (PaddingMode m : PaddingMode.values()) {
      assertTrue(rows.stream().anyMatch(l -> l.spec().paddingMode() == m), m.toString());
    }
  }

  @Test
  void rowsKeepTheirGeometry() {
    NdLayer w2v = NdLayer.find(FAMILIES, "w2v_conv0");
    assertArrayEquals(new int[] {4, 512, 3199}, w2v.outputShape());
    assertEquals(2.0 * 4 * 512 * 3199 * 1 * 10, w2v.flops());
    NdLayer tcn = NdLayer.find(FAMILIES, "tcn_d8");
    assertArrayEquals(new int[] {16, 0}, tcn.spec().padding()); // causal: all pads before
    assertArrayEquals(new int[] {16, 64, 1024}, tcn.outputShape());
    NdLayer up = NdLayer.find(FAMILIES, "dcgan_g2");
    assertArrayEquals(new int[] {64, 256, 8, 8}, up.outputShape());
    // the transposed row counts the products of the plain convolution it runs
    assertEquals(2.0 * 64 * 512 * 4 * 4 * 256 * 16, up.flops());
  }
}
