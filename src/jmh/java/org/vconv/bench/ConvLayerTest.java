package org.vconv.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.Conv2d;

/**
 * Keeps the benchmark harness from rotting between benchmark runs: the shipped suites parse,
 * their shapes agree with the library's, and every layer's cut-down correctness check (the one
 * ConvLayerBenchmark runs before timing) is a valid problem that passes. Times nothing.
 */
class ConvLayerTest {

  @Test
  void shippedSuitesParseAndMatchTheLibrarysShapes() {
    for (String suite : List.of(ConvLayer.DEFAULT_SUITE, "src/jmh/resources/smoke.csv",
        ZOO)) {
      for (ConvLayer l : ConvLayer.load(suite)) {
        int[] out = Conv2d.of(l.spec()).outputShape(l.inputShape(), l.weightShape());
        assertArrayEquals(out, l.outputShape(), l.name());
      }
    }
    assertEquals(14, ConvLayer.load(ConvLayer.DEFAULT_SUITE).size());
  }

  static final String ZOO = "src/jmh/resources/zoo.csv";

  @Test
  void zooRowsKeepPerAxisGeometryAndCounts() {
    List<ConvLayer> zoo = ConvLayer.load(ZOO);
    // Inception-v3's 1x7 convolution pads only its width
    ConvLayer oneBySeven = zoo.stream().filter(l -> l.r() == 1 && l.s() == 7).findFirst()
        .orElseThrow();
    assertEquals(0, oneBySeven.padH());
    assertEquals(3, oneBySeven.padW());
    assertEquals(oneBySeven.h(), oneBySeven.p());
    assertEquals(oneBySeven.w(), oneBySeven.q());
    // every network's rows come at batch 1 and 8, and ResNet-50 has 53 convolutions
    assertEquals(zoo.stream().filter(l -> l.n() == 1).count(),
        zoo.stream().filter(l -> l.n() == 8).count());
    assertEquals(53, zoo.stream().filter(l -> l.name().startsWith("resnet50.") && l.n() == 1)
        .mapToInt(ConvLayer::count).sum());
    // the plain suite has no count column: every row counts once
    assertTrue(ConvLayer.load(ConvLayer.DEFAULT_SUITE).stream().allMatch(l -> l.count() == 1));
  }

  @Test
  void flopsCountTheForwardMultiplyAdds() {
    ConvLayer l = ConvLayer.find(ConvLayer.DEFAULT_SUITE, "resnext_g32");
    assertEquals(2.0 * 8 * 128 * 56 * 56 * (128 / 32) * 3 * 3, l.flops());
  }

  @Test
  void correctnessCheckRunsOnEveryLayerAndPass() {
    for (ConvLayer l : ConvLayer.load(ConvLayer.DEFAULT_SUITE)) {
      for (String pass : List.of("fwd", "bwd_data", "bwd_weight")) {
        ConvLayerBenchmark.checkSimdMatchesScalar(l, pass, 2, Algorithm.AUTO);
      }
    }
  }

  @Test
  void badRowsAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> new ConvLayer("x", 1, 6, 8, 8, 4, 3, 3, 1, 1, 1, 4));
    assertThrows(IllegalArgumentException.class,
        () -> new ConvLayer("x", 1, 4, 2, 2, 4, 5, 5, 1, 0, 1, 1));
    assertThrows(IllegalArgumentException.class,
        () -> ConvLayer.find(ConvLayer.DEFAULT_SUITE, "no_such_layer"));
  }
}
