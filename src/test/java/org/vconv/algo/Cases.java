package org.vconv.algo;

import java.util.ArrayList;
import java.util.List;
import org.vconv.Layout;
import org.vconv.Padding;

/** The hand-picked and the seeded random problems every algorithm is checked on. */
final class Cases {
  private Cases() {}

  static final long SEED = 0x5EED_C0DEL;
  static final int RANDOM_CASES = 40;

  /** Hand-picked shapes, each in both layouts. */
  static List<ConvCase> handPicked() {
    List<ConvCase> base = List.of(
        ConvCase.of("pointwise").x(3, 4, 7, 7).kernel(5, 1, 1).bias().build(),
        ConvCase.of("pointwise grouped").x(2, 6, 5, 3).kernel(9, 1, 1).groups(3).build(),
        ConvCase.of("1x1 stride 2").x(1, 3, 9, 8).kernel(4, 1, 1).stride(2, 2).build(),
        ConvCase.of("1x1 padded").x(1, 2, 4, 5).kernel(3, 1, 1).pad(Padding.of(1)).bias().build(),
        ConvCase.of("1x3").x(2, 3, 6, 15).kernel(4, 1, 3).pad(Padding.of(0, 1)).build(),
        ConvCase.of("3x1").x(1, 3, 15, 6).kernel(2, 3, 1).pad(Padding.of(1, 0)).bias().build(),
        ConvCase.of("5x2").x(1, 2, 9, 8).kernel(3, 5, 2).build(),
        ConvCase.of("3x3 same s1").x(3, 3, 16, 16).kernel(4, 3, 3).pad(Padding.SAME).bias()
            .build(),
        ConvCase.of("3x3 same s2").x(1, 3, 17, 15).kernel(2, 3, 3).stride(2, 2)
            .pad(Padding.SAME).build(),
        ConvCase.of("stride 3").x(1, 2, 17, 17).kernel(3, 3, 3).stride(3, 3).pad(Padding.of(1))
            .build(),
        ConvCase.of("stride 1,2").x(2, 2, 9, 16).kernel(3, 3, 3).stride(1, 2).bias().build(),
        ConvCase.of("stride 3,1").x(1, 3, 16, 9).kernel(2, 2, 3).stride(3, 1).build(),
        ConvCase.of("asymmetric pad").x(1, 2, 7, 9).kernel(3, 3, 3)
            .pad(Padding.of(0, 2, 1, 3)).bias().build(),
        ConvCase.of("pad beyond kernel").x(1, 2, 4, 4).kernel(2, 2, 2).pad(Padding.of(3)).build(),
        ConvCase.of("valid 7x7 stem").x(1, 3, 17, 17).kernel(4, 7, 7).stride(2, 2)
            .pad(Padding.of(3)).build(),
        ConvCase.of("dilation 2").x(1, 2, 12, 12).kernel(3, 3, 3).dilation(2, 2)
            .pad(Padding.of(2)).build(),
        ConvCase.of("dilation 1,3").x(2, 2, 8, 17).kernel(2, 3, 3).dilation(1, 3).bias().build(),
        ConvCase.of("groups 2").x(2, 4, 8, 8).kernel(6, 3, 3).groups(2).pad(Padding.of(1))
            .build(),
        ConvCase.of("groups 3").x(1, 6, 7, 9).kernel(3, 3, 2).groups(3).stride(2, 1).bias()
            .build(),
        ConvCase.of("depthwise K=C").x(2, 5, 9, 9).kernel(5, 3, 3).groups(5).pad(Padding.of(1))
            .build(),
        ConvCase.of("depthwise K=2C").x(1, 4, 8, 7).kernel(8, 3, 3).groups(4).stride(2, 2)
            .pad(Padding.SAME).bias().build(),
        ConvCase.of("width 1").x(3, 2, 6, 1).kernel(3, 3, 1).pad(Padding.of(1, 0)).build(),
        ConvCase.of("width 15").x(1, 16, 4, 15).kernel(3, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("width 16").x(1, 17, 3, 16).kernel(2, 3, 3).pad(Padding.of(1)).bias()
            .build(),
        ConvCase.of("width 17").x(3, 3, 5, 17).kernel(17, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("1x1 image").x(3, 4, 1, 1).kernel(2, 1, 1).build(),
        ConvCase.of("depthwise 16 channels, small planes").x(3, 16, 5, 7).kernel(16, 3, 3)
            .groups(16).pad(Padding.of(1)).bias().build(),
        ConvCase.of("depthwise 17 channels, stride 2").x(2, 17, 9, 8).kernel(17, 3, 3)
            .groups(17).stride(2, 2).pad(Padding.SAME).build(),
        ConvCase.of("1x1 image grouped").x(5, 6, 1, 1).kernel(9, 1, 1).groups(3).bias().build(),
        ConvCase.of("kernel covers input").x(2, 3, 5, 4).kernel(3, 5, 4).bias().build(),
        ConvCase.of("kernel covers input, grouped").x(3, 4, 3, 3).kernel(6, 3, 3).groups(2)
            .bias().build(),
        ConvCase.of("kernel covers input, stride 2").x(17, 5, 4, 4).kernel(17, 4, 4)
            .stride(2, 2).build());
    List<ConvCase> out = new ArrayList<>();
    for (ConvCase cs : base) {
      out.add(cs);
      out.add(cs.inLayout(Layout.NHWC));
    }
    return out;
  }

  /** Hand-picked cases (threads and budget varied) followed by the seeded random ones. */
  static List<ConvCase> all() {
    List<ConvCase> out = new ArrayList<>();
    long[] budgets = {64L << 20, 64L << 10, 1L << 10};
    List<ConvCase> picked = handPicked();
    for (int i = 0; i < picked.size(); i++) {
      out.add(picked.get(i).running(1 + i % 3, budgets[i / 2 % budgets.length]));
    }
    out.addAll(ConvCase.randomCases(SEED, RANDOM_CASES));
    return out;
  }
}
