package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;
import org.vconv.Algorithm;
import org.vconv.algo.ConvAlgorithms.Pass;
import org.vconv.plan.ConvGeometry;

/** Each public choice maps to its class, for every pass. */
class ConvAlgorithmsTest {

  @Test
  void everyChoiceMapsToItsImplementation() {
    // 16x16, valid: rows padded to 16 for 14 outputs, narrow enough for the implicit GEMM
    ConvGeometry g = ConvCase.of("any").x(1, 5, 16, 16).kernel(3, 3, 3).build().geometry();
    // 7x7, same: rows of 9 for 7 outputs, 29% waste: im2col (ImplicitGemm.narrowPadding)
    ConvGeometry padded = ConvCase.of("7x7 same").x(1, 5, 7, 7).kernel(3, 3, 3)
        .pad(org.vconv.Padding.of(1)).build().geometry();
    ConvGeometry large = ConvCase.of("32x32").x(1, 5, 32, 32).kernel(3, 3, 3).build()
        .geometry(); // ~1000 columns per image: enough for the weight gradient
    ConvGeometry stridedLarge = ConvCase.of("s2 64x64").x(1, 5, 64, 64).kernel(3, 3, 3)
        .stride(2, 2).build().geometry(); // 30 rows of 32 columns: enough for the weight pass
    ConvGeometry strided = ConvCase.of("s2").x(1, 5, 6, 6).kernel(3, 3, 3).stride(2, 2).build()
        .geometry();
    ConvGeometry nhwc = ConvCase.of("nhwc").x(1, 5, 6, 6).kernel(3, 3, 3).build()
        .inLayout(org.vconv.Layout.NHWC).geometry();
    ConvGeometry pointwise = ConvCase.of("1x1").x(1, 5, 6, 6).kernel(3, 1, 1).build()
        .geometry();
    int checked = 0;
    for (Pass pass : Pass.values()) {
      assertInstanceOf(DirectReference.class, ConvAlgorithms.select(Algorithm.DIRECT, g, pass));
      assertInstanceOf(Im2colGemm.class, ConvAlgorithms.select(Algorithm.IM2COL_GEMM, g, pass));
      assertInstanceOf(KernelOffsetLoop.class,
          ConvAlgorithms.select(Algorithm.KERNEL_OFFSET, g, pass));
      assertInstanceOf(ImplicitGemm.class,
          ConvAlgorithms.select(Algorithm.IMPLICIT_GEMM, g, pass));
      // AUTO: implicit GEMM for stride-1 NCHW with narrow padding and strided weight gradients,
      // but for the weight gradient of small images
      Class<?> auto = pass == Pass.BACKWARD_WEIGHT ? Im2colGemm.class : ImplicitGemm.class;
      assertEquals(auto, ConvAlgorithms.select(Algorithm.AUTO, g, pass).getClass());
      assertEquals(ImplicitGemm.class, ConvAlgorithms.select(Algorithm.AUTO, large, pass)
          .getClass());
      assertEquals(pass == Pass.BACKWARD_WEIGHT ? ImplicitGemm.class : Im2colGemm.class,
          ConvAlgorithms.select(Algorithm.AUTO, stridedLarge, pass).getClass());
      assertInstanceOf(Im2colGemm.class, ConvAlgorithms.select(Algorithm.AUTO, strided, pass));
      assertInstanceOf(Im2colGemm.class, ConvAlgorithms.select(Algorithm.AUTO, padded, pass));
      assertInstanceOf(Im2colGemm.class, ConvAlgorithms.select(Algorithm.AUTO, nhwc, pass));
      assertInstanceOf(Im2colGemm.class, ConvAlgorithms.select(Algorithm.AUTO, pointwise, pass));
      checked++;
    }
    assertEquals(3, checked);
  }
}
