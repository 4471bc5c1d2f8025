package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProviders;

/** The task grid tiles C exactly, in whole panels, big column blocks first. */
class TaskGridTest {

  @Test
  void guidedCutsTileTheColumnsLargestFirst() {
    int ran = 0;
    for (int unit : new int[] {1, 4, 48}) {
      for (int len : new int[] {1, 5, 47, 48, 49, 1024, 6272}) {
        int panels = (len + unit - 1) / unit;
        for (int blocks = 1; blocks <= Math.min(panels, 40); blocks++) {
          int[] cuts = TaskGrid.guidedCuts(len, unit, blocks);
          assertEquals(blocks + 1, cuts.length);
          assertEquals(0, cuts[0]);
          assertEquals(len, cuts[blocks]);
          for (int b = 1; b <= blocks; b++) {
            assertTrue(cuts[b] > cuts[b - 1], "empty block " + b);
            assertTrue(b == blocks || cuts[b] % unit == 0, "block " + b + " not panel-aligned");
          }
          // sizes never grow, except by the rounding of one panel
          for (int b = 2; b < blocks; b++) {
            assertTrue(cuts[b] - cuts[b - 1] <= cuts[b - 1] - cuts[b - 2] + unit,
                len + "/" + unit + " in " + blocks + ": block " + b + " grew");
          }
          ran++;
        }
      }
    }
    assertTrue(ran > 300, "ran " + ran);
  }

  @Test
  void bigProblemsGetSeveralTasksPerWorkerSmallOnesOne() {
    ExecContext two = new ExecContext(2, ExecContext.DEFAULT_WORKSPACE_BYTES,
        VectorProviders.get());
    assertEquals(8, TaskGrid.plan(1024, 1024, 1024, 8, 48, two, true).tasks());
    assertEquals(1, TaskGrid.plan(32, 32, 32, 8, 48, two, true).tasks());
    assertEquals(1, TaskGrid.plan(1024, 1024, 1024, 8, 48, ExecContext.sequential(), true)
        .tasks());
    // m = channels, n = pixels: column strips over all of m
    TaskGrid conv = TaskGrid.plan(128, 6272, 1152, 8, 48, two, false);
    for (int t = 0; t < conv.tasks(); t++) {
      assertEquals(0, conv.rowStart(t));
      assertEquals(128, conv.rowEnd(t));
    }
    // A prepacked and larger than B (ResNet-50's 7x7 forward): column strips would each read
    // all of the packed A, so the grid halves m and reads it twice, not eight times
    TaskGrid deep = TaskGrid.plan(512, 392, 4608, 8, 32, two, true);
    assertEquals(8, deep.tasks());
    assertEquals(256, deep.rowEnd(0) - deep.rowStart(0));
    assertEquals(conv.tasks(), TaskGrid.plan(128, 6272, 1152, 8, 48, two, true).tasks());
    // tasks cover C exactly once
    TaskGrid g = TaskGrid.plan(4000, 100, 500, 8, 48, new ExecContext(3,
        ExecContext.DEFAULT_WORKSPACE_BYTES, VectorProviders.get()), false);
    int[] hits = new int[4000 * 100];
    for (int t = 0; t < g.tasks(); t++) {
      for (int i = g.rowStart(t); i < g.rowEnd(t); i++) {
        for (int j = g.colStart(t); j < g.colEnd(t); j++) {
          hits[i * 100 + j]++;
        }
      }
    }
    for (int h : hits) {
      assertEquals(1, h);
    }
    assertTrue(g.tasks() >= 12, "tasks " + g.tasks());
  }

  @Test
  void nestedCallsRunOnOneTask() {
    ExecContext two = new ExecContext(2, ExecContext.DEFAULT_WORKSPACE_BYTES,
        VectorProviders.get());
    AtomicInteger inner = new AtomicInteger();
    two.parallelFor(2, i -> inner.addAndGet(TaskGrid.plan(1024, 1024, 1024, 8, 48, two, true)
        .tasks()));
    assertEquals(2, inner.get());
  }
}
