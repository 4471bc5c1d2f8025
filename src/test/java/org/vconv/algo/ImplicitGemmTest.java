package org.vconv.algo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.vconv.Padding;
import org.vconv.im2col.PaddedWindows;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;
import org.vconv.simd.VectorProviders;

/**
 * {@link ImplicitGemm}'s forward pass and input gradient against {@link DirectReference}, on
 * shapes that hit every micro-tile tail of every provider: filters per group (of the forward,
 * and of the transposed convolution the input gradient runs, i.e. C/G) 1, 3, 4, 5, 7, 15..17,
 * 23..25, 31..33 (nr = 4, 24, 32, +-1); output widths 1, 7, 8, 9, 17 (mr = 3, 4, 8 in one-row
 * tiles); reductions of one and of two depth blocks; dilation, asymmetric and zero padding,
 * and pads beyond the kernel (1x1 padded too: the input gradient then falls back to
 * {@link Im2colGemm}); groups 2 and 3 with C/G = 33. Four budgets give whole-image tiles,
 * several images with a partial last tile, row tiles with a short last one, and one-row
 * tiles: forward and input gradient must be bitwise the same across budgets and threads (1, 2
 * and 3), the weight gradient across threads. Strided shapes have a test of their own.
 */
class ImplicitGemmTest {
  /** The implicit GEMM as chosen: the planner runs im2col where it declines, as before. */
  private static final Planned ALGO = new Planned(org.vconv.Algorithm.IMPLICIT_GEMM);

  /** The default budget (whole images), 80 and 32 KiB (the tilings below), 1 KiB (one row). */
  private static final long[] BUDGETS = {64L << 20, 80L << 10, 32L << 10, 1L << 10};

  /** At 80 KiB: tiles of 2 of the 5 images (the last holds one). */
  private static final String PARTIAL_IMAGES = "kg24 partial image tile";
  /** At 32 KiB: tiles of 3 of the 11 output rows (the last holds two). */
  private static final String SHORT_ROWS = "kg5 short row tile";
  /** Pads beyond (R-1)*dil: the transposed convolution does not exist. */
  private static final Set<String> FALLBACKS = Set.of("kg25 pad beyond kernel", "1x1 padded");

  static List<ConvCase> cases() {
    return List.of(
        ConvCase.of("kg1 q1").x(2, 3, 1, 1).kernel(1, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("kg7 q7").x(1, 5, 6, 7).kernel(7, 3, 3).pad(Padding.of(1)).bias().build(),
        ConvCase.of("kg15 q8").x(2, 4, 5, 8).kernel(15, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("kg16 q9").x(1, 24, 4, 9).kernel(16, 3, 3).pad(Padding.of(1)).bias()
            .build(),
        ConvCase.of("kg17 q17").x(1, 17, 3, 17).kernel(17, 3, 3).pad(Padding.of(1)).build(),
        ConvCase.of("kg31 dilation 2").x(1, 25, 9, 11).kernel(31, 3, 3).dilation(2, 2)
            .pad(Padding.of(2)).bias().build(),
        ConvCase.of("kg32 asymmetric").x(1, 31, 6, 9).kernel(32, 3, 3)
            .pad(Padding.of(0, 2, 1, 2)).build(),
        ConvCase.of("kg33 valid").x(2, 33, 5, 10).kernel(33, 3, 2).build(),
        ConvCase.of("kg23 dilation 1,2 asymmetric").x(1, 3, 8, 9).kernel(23, 3, 3)
            .dilation(1, 2).pad(Padding.of(1, 0, 3, 2)).bias().build(),
        ConvCase.of("kg25 pad beyond kernel").x(1, 3, 5, 6).kernel(25, 2, 3)
            .pad(Padding.of(3, 0, 1, 2)).build(),
        ConvCase.of("1x1 padded").x(2, 4, 3, 5).kernel(6, 1, 1).pad(Padding.of(1, 0, 2, 1))
            .bias().build(),
        ConvCase.of("groups 2 cg33").x(1, 66, 4, 5).kernel(34, 3, 3).groups(2)
            .pad(Padding.of(1)).build(),
        ConvCase.of("groups 3 cg33").x(2, 99, 3, 4).kernel(12, 3, 3).groups(3)
            .pad(Padding.of(1)).bias().build(),
        ConvCase.of(PARTIAL_IMAGES).x(5, 2, 4, 4).kernel(24, 3, 3).pad(Padding.of(1)).bias()
            .build(),
        ConvCase.of(SHORT_ROWS).x(2, 3, 11, 9).kernel(5, 3, 3).pad(Padding.of(1)).build());
  }

  private static ConvCase named(String name) {
    return cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /** The list holds what the class comment claims. */
  @Test
  void casesHitEveryTail() {
    Set<Integer> filters = new TreeSet<>();
    Set<Integer> widths = new TreeSet<>();
    Set<Integer> depthBlocks = new TreeSet<>();
    for (ConvCase cs : cases()) {
      ConvGeometry g = cs.geometry();
      assertTrue(ImplicitGemm.supports(g), cs + " runs its forward pass itself");
      filters.add(g.kg());
      widths.add(g.q());
      depthBlocks.add(Math.ceilDiv(g.crs(), 256)); // ImplicitGemm.DEPTH_BLOCK
      ConvGeometry t = ImplicitGemm.transposed(g);
      assertEquals(FALLBACKS.contains(cs.name()), t == null, cs + ": input gradient fallback");
      if (t != null) {
        assertTrue(ImplicitGemm.supports(t), cs + " runs its input gradient itself");
        filters.add(t.kg());
        depthBlocks.add(Math.ceilDiv(t.crs(), 256));
      }
    }
    assertTrue(filters.containsAll(List.of(1, 3, 4, 5, 7, 15, 16, 17, 23, 24, 25, 31, 32, 33)),
        "filters per group " + filters);
    assertTrue(widths.containsAll(List.of(1, 7, 8, 9, 17)), "widths " + widths);
    assertEquals(Set.of(1, 2), depthBlocks);
    Checks.assertHitsEveryPanelTail(filters);
  }

  /**
   * All three passes against the reference on both providers; y and dx bitwise the same for
   * every thread count and budget, dw for every thread count (its sums follow the tiles).
   */
  @Test
  void matchesTheReferenceBitwiseIndependentOfThreadsAndBudget() {
    int checked = 0;
    for (ConvCase cs : cases()) {
      Problem pb = new Problem(cs, cs.toString().hashCode());
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        float[] y = null;
        float[] dx = null;
        for (long budget : BUDGETS) {
          float[] dw = null; // its sums follow the tiles, so the budget: fixed per budget only
          for (int threads = 1; threads <= 3; threads++) {
            ExecContext ctx = new ExecContext(threads, budget, kp);
            String what = cs.running(threads, budget) + " on " + kp.name();
            float[] gotY = pb.forward(ALGO, ctx);
            assertEquals(plan(pb.g, budget).tileFloats() * Float.BYTES,
                Workspace.lastCallBytes(), what + ": the scratch is the plan's");
            float[] gotDx = pb.backwardData(ALGO, ctx);
            float[] gotDw = pb.backwardWeight(ALGO, ctx);
            if (dw == null) {
              pb.checkBackwardWeight(what, gotDw);
              dw = gotDw;
            } else {
              Checks.assertBitwise(what + " dw", dw, gotDw);
            }
            if (y == null) {
              pb.checkForward(what, gotY);
              pb.checkBackwardData(what, gotDx);
              y = gotY;
              dx = gotDx;
            } else { // neither the budget nor the thread count may change a bit
              Checks.assertBitwise(what + " y", y, gotY);
              Checks.assertBitwise(what + " dx", dx, gotDx);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(cases().size() * 2 * BUDGETS.length * 3, checked);
  }

  /**
   * Numbering the pixels densely (skipping the padded columns, {@link
   * org.vconv.simd.GemmKernels#windowTileAt}) or along the padded rows gives the same bits,
   * forward and input gradient, on both providers, in row tiles and partial image tiles too.
   */
  @Test
  void denseAndPaddedNumberingGiveTheSameBits() {
    ImplicitGemm dense = new ImplicitGemm(0);
    ImplicitGemm padded = new ImplicitGemm(1_000_000);
    int densePasses = 0;
    for (ConvCase cs : cases()) {
      Problem pb = new Problem(cs, cs.toString().hashCode());
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        for (long budget : new long[] {BUDGETS[0], BUDGETS[1], BUDGETS[2]}) {
          ExecContext ctx = new ExecContext(2, budget, kp);
          String what = cs.running(2, budget) + " on " + kp.name();
          Checks.assertBitwise(what + " y", pb.forward(padded, ctx), pb.forward(dense, ctx));
          densePasses += ImplicitGemm.dense(pb.g, 0) ? 1 : 0;
          ConvGeometry t = ImplicitGemm.runsBackwardData(pb.g) ? ImplicitGemm.transposed(pb.g)
              : null;
          if (t != null) {
            Checks.assertBitwise(what + " dx", pb.backwardData(padded, ctx),
                pb.backwardData(dense, ctx));
            densePasses += ImplicitGemm.dense(t, 0) ? 1 : 0;
          }
        }
      }
    }
    assertTrue(densePasses >= cases().size() * 2 * 3, "passes with padded columns to skip: "
        + densePasses);
  }

  private static ImplicitGemm.Plan plan(ConvGeometry g, long budgetBytes) {
    return ImplicitGemm.Plan.of(g, budgetBytes / Float.BYTES);
  }

  /** The budgets above give the tilings the cases are named for. */
  @Test
  void budgetsGiveTheIntendedTilings() {
    ConvGeometry images = named(PARTIAL_IMAGES).geometry();
    ImplicitGemm.Plan p = plan(images, 80L << 10);
    assertEquals(2, p.images(), "images per tile");
    assertEquals(images.p(), p.rows());
    assertEquals(3, p.tiles());
    assertEquals(1, p.imagesIn(2), "the last tile is partial");
    ConvGeometry rows = named(SHORT_ROWS).geometry();
    p = plan(rows, 32L << 10);
    assertEquals(1, p.images());
    assertEquals(3, p.rows(), "rows per tile");
    assertEquals(2 * 4, p.tiles());
    assertEquals(2, p.rowsIn(3), "the last tile of an image is short");
    for (ConvCase cs : cases()) {
      ConvGeometry g = cs.geometry();
      ImplicitGemm.Plan whole = plan(g, BUDGETS[0]);
      assertEquals(List.of(g.n(), g.p(), 1), List.of(whole.images(), whole.rows(), whole.tiles()),
          cs + ": one tile of every image at the default budget");
      ImplicitGemm.Plan oneRow = plan(g, BUDGETS[3]);
      assertEquals(List.of(1, 1), List.of(oneRow.images(), oneRow.rows()), cs + " at 1 KiB");
      // the weight pass's ring: at 1 KiB, slots are reused while other units are in flight
      ImplicitGemm.Plan units = ImplicitWeightPass.plan(g, BUDGETS[3] / Float.BYTES);
      assertTrue(units.tiles() * g.groups() > ImplicitWeightPass.SLOTS || g.n() * g.p() <= 3,
          cs + ": weight pass units at 1 KiB " + units);
    }
  }

  /**
   * Tiles cover every (image, output row) exactly once, are whole images when they hold several,
   * and the scratch is the slab {@link PaddedWindows} needs plus room for K/G results per column,
   * within the budget's share unless it is the minimum (one row of one image): forward and
   * transposed geometries, budgets 256 B..64 MiB.
   */
  @Test
  void tilesCoverEveryImageAndRowExactlyOnce() {
    int plans = 0;
    for (ConvCase cs : cases()) {
      ConvGeometry g = cs.geometry();
      ConvGeometry t = ImplicitGemm.transposed(g);
      for (ConvGeometry geo : t == null ? List.of(g) : List.of(g, t)) {
        for (long budget = 256; budget <= (64L << 20); budget *= 2) {
          ImplicitGemm.Plan p = plan(geo, budget);
          String what = cs + (geo == g ? "" : " transposed") + ", budget " + budget + ": " + p;
          int[][] seen = new int[geo.n()][geo.p()];
          for (int tile = 0; tile < p.tiles(); tile++) {
            int n0 = p.firstImage(tile);
            int images = p.imagesIn(tile);
            int p0 = p.firstRow(tile);
            int rows = p.rowsIn(tile);
            assertTrue(images >= 1 && images <= p.images() && rows >= 1 && rows <= p.rows(),
                what + ", tile " + tile);
            assertTrue(images == 1 || rows == geo.p(), what + ": several images, whole");
            for (int i = n0; i < n0 + images; i++) {
              for (int r = p0; r < p0 + rows; r++) {
                seen[i][r]++;
              }
            }
          }
          for (int i = 0; i < geo.n(); i++) {
            for (int r = 0; r < geo.p(); r++) {
              assertEquals(1, seen[i][r], what + ": image " + i + " row " + r);
            }
          }
          long perColumn = geo.kg() + ImplicitGemm.Plan.MAX_NR - 1; // results or packed dy
          long columns = PaddedWindows.columnsPerImage(geo, p.rows())
              + ImplicitGemm.Plan.COLUMN_SLACK;
          assertEquals(new PaddedWindows(geo, p.rows()).slabFloats(p.images())
              + perColumn * p.images() * columns, p.tileFloats(), what);
          assertTrue(p.tileFloats() <= budget / Float.BYTES / Tiling.PLANNED_WORKERS
              || p.images() == 1 && p.rows() == 1, what + ": over the budget");
          plans++;
        }
      }
    }
    assertEquals((2 * cases().size() - FALLBACKS.size()) * 19, plans);
  }

  /**
   * A non-finite weight makes the implicit input gradient decline, and the plan runs its exact
   * path, {@link Im2colGemm}: the transposed
   * convolution would multiply it by dy's padding (0 x Inf = NaN) where col2im, like PyTorch's
   * input gradient, takes no product. So the result is Im2colGemm's bit for bit, and non-finite
   * exactly where the reference is (pad 1 and asymmetric pads: some inputs meet the bad taps
   * only through padding).
   */
  @Test
  void nonFiniteWeightsGiveIm2colGemmsInputGradient() {
    int checked = 0;
    for (String name : List.of("kg7 q7", "kg32 asymmetric", "groups 3 cg33")) {
      ConvCase cs = named(name);
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        ExecContext ctx = new ExecContext(2, 64L << 20, kp);
        Problem pb = new Problem(cs, 5);
        assertNotNull(ImplicitGemm.transposed(pb.g), "the transposed convolution exists");
        pb.w[1] = Float.POSITIVE_INFINITY;
        pb.w[pb.w.length - 2] = Float.NaN;
        float[] ref = pb.backwardData(new DirectReference(), ctx);
        int finite = 0;
        for (float v : ref) {
          finite += Float.isFinite(v) ? 1 : 0;
        }
        assertTrue(finite > 0 && finite < ref.length, cs + ": finite and non-finite inputs");
        String what = cs + " on " + kp.name();
        float[] got = pb.backwardData(ALGO, ctx);
        assertEquals(org.vconv.plan.Planner.IM2COL_GEMM, ALGO.ran(), what + ": the exact path");
        Checks.assertBitwise(what, pb.backwardData(Tuned.im2col(), ctx), got);
        Checks.assertSameValues(what, ref, got, 1e-6f * pb.g.kg() * pb.g.r() * pb.g.s());
        checked++;
      }
    }
    assertEquals(3 * 2, checked);
  }

  /**
   * A non-finite input makes the implicit weight gradient decline, and the plan runs its exact
   * path, {@link Im2colGemm}: it would meet dy's
   * zeros in the padded columns (0 x Inf = NaN where no product exists). The result is
   * Im2colGemm's bit for bit, whichever tile holds the bad value.
   */
  @Test
  void nonFiniteInputsGiveIm2colGemmsWeightGradient() {
    int checked = 0;
    for (String name : List.of("kg7 q7", PARTIAL_IMAGES, SHORT_ROWS)) {
      ConvCase cs = named(name);
      for (long budget : BUDGETS) {
        ExecContext ctx = new ExecContext(2, budget, VectorProviders.get());
        Problem pb = new Problem(cs, 7);
        pb.x[pb.x.length - 1] = Float.POSITIVE_INFINITY; // the last tile's
        pb.x[pb.x.length / 2] = Float.NaN;
        float[] got = pb.backwardWeight(ALGO, ctx);
        assertEquals(org.vconv.plan.Planner.IM2COL_GEMM, ALGO.ran(), cs + ": the exact path");
        Checks.assertBitwise(cs.running(2, budget).toString(),
            pb.backwardWeight(Tuned.im2col(), ctx),
            got);
        checked++;
      }
    }
    assertEquals(3 * BUDGETS.length, checked);
  }

  /**
   * Strided shapes (phase-split slabs): forward and weight gradient against the reference on
   * both providers, bitwise across threads (the forward also across budgets); odd and even
   * sizes so phases differ in length, unequal strides, dilation against stride, pads of every
   * side, groups; the input gradient falls back to im2col and still matches.
   */
  @Test
  void stridedShapesMatchTheReference() {
    List<ConvCase> strided = List.of(
        ConvCase.of("s2 3x3").x(2, 5, 9, 11).kernel(17, 3, 3).stride(2, 2).pad(Padding.of(1))
            .bias().build(),
        ConvCase.of("s2,1 asym").x(1, 3, 10, 7).kernel(33, 3, 2).stride(2, 1)
            .pad(Padding.of(2, 0, 1, 1)).build(),
        ConvCase.of("s1,3 dil2").x(1, 4, 8, 13).kernel(8, 2, 3).stride(1, 3).dilation(2, 2)
            .pad(Padding.of(1, 2, 0, 3)).build(),
        ConvCase.of("s3 7x7 stem").x(2, 3, 17, 16).kernel(9, 7, 7).stride(3, 3)
            .pad(Padding.of(3)).bias().build(),
        ConvCase.of("s2 groups 2").x(1, 66, 7, 6).kernel(34, 3, 3).stride(2, 2).groups(2)
            .pad(Padding.of(1)).build());
    int checked = 0;
    for (ConvCase cs : strided) {
      Problem pb = new Problem(cs, cs.toString().hashCode());
      for (VectorProvider kp : List.of(VectorProviders.get(), VectorProviders.scalar())) {
        float[] y = null;
        for (long budget : BUDGETS) {
          float[] dw = null;
          for (int threads = 1; threads <= 3; threads++) {
            ExecContext ctx = new ExecContext(threads, budget, kp);
            String what = cs.running(threads, budget) + " on " + kp.name();
            float[] gotY = pb.forward(ALGO, ctx);
            float[] gotDw = pb.backwardWeight(ALGO, ctx);
            if (y == null) {
              pb.checkForward(what, gotY);
              pb.checkBackwardData(what, pb.backwardData(ALGO, ctx));
              y = gotY;
            } else {
              Checks.assertBitwise(what + " y", y, gotY);
            }
            if (dw == null) {
              pb.checkBackwardWeight(what, gotDw);
              dw = gotDw;
            } else {
              Checks.assertBitwise(what + " dw", dw, gotDw);
            }
            checked++;
          }
        }
      }
    }
    assertEquals(strided.size() * 2 * BUDGETS.length * 3, checked);
  }
}
