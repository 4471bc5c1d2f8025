package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProviders;

/** Threads 1..4 give bitwise identical y, dx and dw, for every GEMM algorithm and budget. */
class ThreadDeterminismTest {

  static List<ConvCase> shapes() {
    List<ConvCase> base = List.of(
        ConvCase.of("3x3").x(3, 4, 11, 13).kernel(5, 3, 3).pad(Padding.of(1)).bias().build(),
        ConvCase.of("grouped s2").x(2, 6, 12, 9).kernel(9, 3, 3).groups(3).stride(2, 2)
            .pad(Padding.SAME).build(),
        ConvCase.of("depthwise").x(2, 8, 10, 10).kernel(8, 3, 3).groups(8).pad(Padding.of(1))
            .bias().build(),
        ConvCase.of("depthwise x2 dilated").x(1, 4, 12, 12).kernel(8, 3, 3).groups(4)
            .dilation(2, 2).pad(Padding.of(2)).build(),
        ConvCase.of("pointwise").x(3, 8, 6, 6).kernel(6, 1, 1).build());
    List<ConvCase> out = new ArrayList<>();
    for (ConvCase cs : base) {
      out.add(cs);
      out.add(cs.inLayout(Layout.NHWC));
    }
    return out;
  }

  static List<ConvAlgorithm> algorithms() {
    return List.of(Tuned.im2col(), new Im2colGemm(0), new KernelOffsetLoop());
  }

  @Test
  void resultsDoNotDependOnTheThreadCount() {
    int compared = 0;
    for (ConvCase cs : shapes()) {
      Problem pb = new Problem(cs, cs.toString().hashCode());
      for (ConvAlgorithm algo : algorithms()) {
        for (long budget : new long[] {64L << 20, 4L << 10}) {
          float[][] first = null;
          for (int threads = 1; threads <= 4; threads++) {
            ExecContext ctx = new ExecContext(threads, budget, VectorProviders.get());
            float[][] got = {pb.forward(algo, ctx), pb.backwardData(algo, ctx),
                pb.backwardWeight(algo, ctx)};
            if (first == null) {
              first = got;
              pb.checkForward(cs.toString(), got[0]);
              pb.checkBackwardData(cs.toString(), got[1]);
              pb.checkBackwardWeight(cs.toString(), got[2]);
              continue;
            }
            String what = algo.getClass().getSimpleName() + " " + cs + " budget " + budget
                + ", threads " + threads + " vs 1";
            Checks.assertBitwise(what + " y", first[0], got[0]);
            Checks.assertBitwise(what + " dx", first[1], got[1]);
            Checks.assertBitwise(what + " dw", first[2], got[2]);
            compared++;
          }
        }
      }
    }
    assertEquals(shapes().size() * algorithms().size() * 2 * 3, compared);
  }
}
