package org.vconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MEASURE planning and wisdom: a measured plan picks one of the paths that accept the shape
 * and says so; its wisdom exports, imports and then plans the same paths, and so the same
 * bits, under ESTIMATE; malformed wisdom is refused whole, and wisdom naming a path that
 * declines its shape is ignored.
 */
class WisdomTest {
  @TempDir Path dir;

  // a shape whose forward two AUTO paths accept: the implicit GEMM and im2col
  static final int[] X = {2, 16, 12, 12};
  static final int[] W = {16, 16, 3, 3};
  static final ConvSpec SPEC = ConvSpec.builder().padding(1).build();

  @AfterEach
  void forgetWisdom() {
    Wisdom.forget(); // the store is process-wide: leave none for other tests
  }

  @Test
  void measureChoosesAnAcceptingPathAndRecordsIt() {
    Wisdom.forget();
    ConvPlan estimate = Conv2d.of(SPEC).withThreads(2).plan(X, W);
    assertTrue(estimate.steps().stream().noneMatch(s -> s.reason().startsWith("wisdom")),
        estimate.toString());
    assertEquals(0, Wisdom.size(), "ESTIMATE records nothing");
    Conv2d measured = Conv2d.of(SPEC).withThreads(2).withPlanning(PlanningMode.MEASURE);
    ConvPlan plan = measured.plan(X, W);
    for (ConvPlan.Step s : plan.steps()) {
      if (s.reason().startsWith("the only path that accepts: ")) {
        continue; // nothing to choose from, nothing timed
      }
      assertTrue(s.reason().startsWith("measured fastest of "), s.toString());
      // every path timed is named with its time, the chosen one among them
      assertTrue(s.reason().contains(s.path() + " "), s + ": the chosen path was timed");
      assertTrue(s.reason().contains("im2col-gemm "), s + ": im2col accepts every shape");
    }
    assertTrue(plan.forward().reason().startsWith("measured fastest of implicit-gemm "),
        "the forward has two paths, implicit first: " + plan.forward());
    assertEquals(3, Wisdom.size(), "single paths are wisdom too");
  }

  @Test
  void exportedWisdomReplansTheSamePathsAndBitsUnderEstimate() throws Exception {
    Wisdom.forget();
    Conv2d measured = Conv2d.of(SPEC).withThreads(2).withPlanning(PlanningMode.MEASURE);
    ConvPlan plan = measured.plan(X, W);
    SplittableRandom rnd = new SplittableRandom(5);
    Tensor x = random(rnd, X);
    Tensor w = random(rnd, W);
    Tensor y = measured.forward(x, w);
    Tensor dy = random(rnd, y.shape());
    Gradients g = measured.backward(dy, x, w);
    Path file = dir.resolve("w.wisdom");
    Wisdom.exportTo(file);
    Wisdom.forget();
    assertEquals(3, Wisdom.importFrom(file));
    Conv2d later = Conv2d.of(SPEC).withThreads(2); // ESTIMATE, a new instance: plans anew
    ConvPlan replanned = later.plan(X, W);
    for (int i = 0; i < 3; i++) {
      assertEquals(plan.steps().get(i).path(), replanned.steps().get(i).path());
      assertTrue(replanned.steps().get(i).reason().startsWith("wisdom: "),
          replanned.steps().get(i).toString());
    }
    assertArrayEquals(y.data(), later.forward(x, w).data());
    Gradients g2 = later.backward(dy, x, w);
    assertArrayEquals(g.input().data(), g2.input().data());
    assertArrayEquals(g.weight().data(), g2.weight().data());
  }

  @Test
  void wisdomIsForItsKernelsThreadsAndBudgetOnly() {
    Wisdom.forget();
    Conv2d.of(SPEC).withThreads(2).withPlanning(PlanningMode.MEASURE).plan(X, W);
    ConvPlan other = Conv2d.of(SPEC).withThreads(1).plan(X, W);
    assertTrue(other.steps().stream().noneMatch(s -> s.reason().startsWith("wisdom")),
        other.toString());
  }

  @Test
  void wisdomNamingADecliningPathIsIgnored() {
    Wisdom.forget();
    String text = Wisdom.exportText();
    assertEquals("vconv-wisdom 1\n", text);
    Conv2d conv = Conv2d.of(SPEC).withThreads(2).withPlanning(PlanningMode.MEASURE);
    conv.plan(X, W);
    // point every entry at a path that never takes a 3x3 shape
    String exported = Wisdom.exportText();
    int body = exported.indexOf('\n') + 1; // entries after the header line
    String edited = exported.substring(0, body)
        + exported.substring(body).replaceAll(" [a-z0-9-]+\n", " pointwise-gemm\n");
    Wisdom.forget();
    assertEquals(3, Wisdom.importText(edited));
    ConvPlan plan = Conv2d.of(SPEC).withThreads(2).plan(X, W);
    for (ConvPlan.Step s : plan.steps()) {
      assertNotEquals("pointwise-gemm", s.path());
      assertTrue(!s.reason().startsWith("wisdom"), s.toString());
    }
  }

  @Test
  void malformedWisdomIsRefusedWholeWithItsLine() {
    Wisdom.forget();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Wisdom.importText("not wisdom\n"));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    Conv2d.of(SPEC).withThreads(2).withPlanning(PlanningMode.MEASURE).plan(X, W);
    String good = Wisdom.exportText();
    Wisdom.forget();
    String bad = good + "panama-512 threads=2 fwd implicit-gemm\n";
    e = assertThrows(IllegalArgumentException.class, () -> Wisdom.importText(bad));
    assertTrue(e.getMessage().contains("line 5"), e.getMessage());
    assertEquals(0, Wisdom.size(), "nothing imported from a text with a bad line");
    assertEquals(3, Wisdom.importText(good + "# a comment\n\n"));
  }

  @Test
  void planningModePropertyIsChecked() {
    String old = System.getProperty("vconv.planning");
    try {
      System.setProperty("vconv.planning", "guess");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          Conv2d::defaultPlanning);
      assertTrue(e.getMessage().contains("estimate or measure"), e.getMessage());
      System.setProperty("vconv.planning", "MEASURE");
      assertEquals(PlanningMode.MEASURE, Conv2d.defaultPlanning());
    } finally {
      if (old == null) {
        System.clearProperty("vconv.planning");
      } else {
        System.setProperty("vconv.planning", old);
      }
    }
    assertEquals(List.of(PlanningMode.ESTIMATE, PlanningMode.MEASURE),
        List.of(PlanningMode.values()));
  }

  private static Tensor random(SplittableRandom rnd, int... shape) {
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.size(); i++) {
      t.data()[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return t;
  }
}
