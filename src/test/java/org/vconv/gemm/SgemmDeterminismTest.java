package org.vconv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.vconv.gemm.GemmCheck.Layout;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProvider;

/**
 * Results are bitwise the same for any thread count (1-4), any workspace budget (which
 * shrinks MC/NC) and any packing path: only KC fixes the reduction order.
 */
class SgemmDeterminismTest {

  /** Hides the StridedMatrix type, so Sgemm must use the generic {@link PackSource#pack}. */
  private record Opaque(StridedMatrix v) implements PackSource {
    @Override
    public void pack(int row0, int rows, int k0, int kc, int width, float[] dst, int off) {
      v.pack(row0, rows, k0, kc, width, dst, off);
    }
  }

  @Test
  void sameBitsForEveryThreadCountBudgetAndPackingPath() {
    Random rnd = new Random(31);
    int ran = 0;
    for (VectorProvider p : GemmCheck.providers()) {
      boolean sawShared = false;
      boolean sawPrivate = false;
      int mr = p.gemm().mr();
      int nr = p.gemm().nr();
      int[][] shapes = {{150, 9 * nr + 5, 2 * Blocking.KC + 3}, {2 * mr + 1, 20 * nr + 1001, 300},
          {Blocking.MC + 2 * mr + 5, 4 * nr + 99, 257}};
      for (int[] s : shapes) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        StridedMatrix a = GemmCheck.view(m, k, Layout.ROW_MAJOR, rnd);
        StridedMatrix b = GemmCheck.view(k, n, Layout.ROW_MAJOR, rnd);
        GemmCheck.COut out = GemmCheck.cOut(m, n, true, rnd);
        float[] c0 = out.data();
        int cOff = out.off();
        int ldc = out.ldc();
        float[] first = null;
        for (int threads = 1; threads <= 4; threads++) {
          for (long budget : new long[] {ExecContext.DEFAULT_WORKSPACE_BYTES, 64 << 10}) {
            ExecContext ctx = new ExecContext(threads, budget, p);
            String what = p.name() + " " + m + "x" + n + "x" + k + " threads " + threads
                + " budget " + budget;
            assertTrue(threads == 1 || TaskGrid.plan(m, n, k, mr, nr, ctx, false).tasks() > 1,
                "the shape must be split among threads, or this test proves nothing: " + what);
            if (threads > 1) { // A packed once for all tasks, or by every task
              sawShared |= Sgemm.sharesA(m, n, k, ctx);
              sawPrivate |= !Sgemm.sharesA(m, n, k, ctx);
            }
            float[] c = c0.clone();
            Sgemm.multiplyAdd(m, n, k, a, b, c, cOff, ldc, ctx);
            float[] d = c0.clone(); // the generic packing path
            Sgemm.multiplyAdd(m, n, k, new Opaque(a), new Opaque(b.transpose()), d, cOff, ldc,
                ctx);
            GemmCheck.assertBitwise(what + " generic packing", c, d);
            if (first == null) {
              first = c;
            } else {
              GemmCheck.assertBitwise(what, first, c);
            }
            ran++;
          }
        }
      }
      assertTrue(sawShared && sawPrivate, p.name() + ": both ways of packing A must run");
    }
    assertEquals(GemmCheck.providers().size() * 3 * 4 * 2, ran);
  }

  @Test
  void smallBudgetReallyShrinksTheBlocks() {
    for (VectorProvider p : GemmCheck.providers()) {
      Blocking full = Blocking.of(p.gemm(), ExecContext.DEFAULT_WORKSPACE_BYTES / 4);
      Blocking small = Blocking.of(p.gemm(), (64 << 10) / 4);
      assertEquals(Blocking.KC, small.kc(), "KC fixes the reduction: it must never shrink");
      assertTrue(small.nc() < full.nc(), p.name() + " " + small);
      assertEquals(full.workspaceFloats(),
          Sgemm.workspaceFloatsPerWorker(new ExecContext(1, ExecContext.DEFAULT_WORKSPACE_BYTES,
              p)));
    }
  }
}
