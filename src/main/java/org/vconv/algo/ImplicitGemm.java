package org.vconv.algo;

import java.util.Arrays;
import org.vconv.im2col.PaddedWindows;
import org.vconv.plan.ConvGeometry;
import org.vconv.plan.ExecContext;
import org.vconv.plan.ScratchPool;
import org.vconv.simd.ArrayKernels;
import org.vconv.simd.GemmKernels;

/**
 * Implicit GEMM for NCHW convolutions (any stride, padding, dilation and groups): per group,
 * {@code y_g^T = cols^T x W_g^T} where the micro-kernel reads the rows of {@code cols^T} in
 * place from a zero-padded, phase-split copy of the input ({@link PaddedWindows}, {@link
 * GemmKernels#windowTile}) and only the weights are packed, once per call. So there is no
 * im2col pass and no packing of the input; each micro-tile ({@code mr} pixels x {@code nr}
 * filters) sums the {@code C/G*R*S} reduction in blocks of {@link #DEPTH_BLOCK} into the
 * scratch after the slab, then is cropped and transposed into {@code y} with the bias added.
 * Where the padded rows are much wider than the output's (LeNet's 14 for 10), the pixels are
 * numbered densely instead ({@link #dense}): each micro-tile reads its pixels at offsets of
 * their own ({@link GemmKernels#windowTileAt}) and no dropped column is computed; the same
 * sums in the same order, so the same bits.
 *
 * <p>The input gradient of a stride-1 convolution is itself a stride-1 convolution: of
 * {@code dy}, padded by {@code (R-1)*dil - pad} on each side, with the weights flipped and
 * their two channel axes swapped. {@link #backwardData} runs it through the same forward,
 * with no col2im scatter. It has no form at other strides or when a pad exceeds
 * {@code (R-1)*dil} (the transposed pad would be negative): the planner does not give it those
 * ({@link #runsBackwardData}); and when a weight is not finite (the transposed convolution
 * would multiply it by {@code dy}'s padding, where col2im computes no product: 0 x Inf = NaN)
 * it declines the values ({@link #backwardDataIfExact}). The weight gradient ({@link
 * ImplicitWeightPass}) reads the slab the same way, with {@code dy} as the packed operand, its
 * copies overlapped with the kernel, and declines a non-finite input the same way; for shallow
 * filters the planner picks {@link WindowDots}, which reads both in place, instead.
 *
 * <p>Tiles are runs of whole images when an image is small (so small layers still give every
 * thread work) or runs of output rows of one image, sized like {@link TilePlan}; they run one
 * after another, and the micro-tiles of each are split among the threads. Every output is
 * one micro-kernel's full reduction, so results are bitwise independent of the thread count
 * and of the budget. Scratch within the budget ({@link Plan}; at least one output row): one
 * slab plus the forward's results, or the weight pass's ring of slabs and packed {@code dy}
 * ({@link ImplicitWeightPass#SLOTS} tiles, each planned for that share). Outside it, about
 * one weight's size: the packed weights, or the weight pass's micro-tile sums of {@code dW}.
 */
public final class ImplicitGemm implements ConvAlgorithm {
  /**
   * Depth of a reduction block: its slice of a weight panel (256 x 32 floats, 32 KiB) and the
   * input rows it reads stay in L1 while the block sweeps over a task's micro-tiles. The
   * reduction is cut at fixed places, so it changes no result across threads or budgets.
   */
  private static final int DEPTH_BLOCK = 256;

  /** Micro-tiles in flight per thread: a few, so a thread slowed by a neighbour is caught up. */
  private static final int TASKS_PER_THREAD = 4;

  /**
   * Micro-tiles stored at once, filter by filter: 8 KiB of results that stay in L1 while each
   * filter's pixels are written in address order. Pixel by pixel, the writes to VGG's 224x224
   * planes (200704 bytes apart: 4 KiB aliasing) contend for the same L1 sets; filter by filter
   * over a whole task's results, the reads of the results miss L1.
   */
  private static final int STORE_TILES = 8;

  /** Slab copies split into about this many tasks. */
  private static final int FILL_TASKS = 8;

  private final int denseRowWastePercent;

  /**
   * An implicit GEMM whose micro-tiles skip the padded columns where the padded rows are more
   * than {@code denseRowWastePercent}% wider than the output's (a tuned number).
   */
  public ImplicitGemm(int denseRowWastePercent) {
    this.denseRowWastePercent = denseRowWastePercent;
  }

  /**
   * Whether the forward pass of {@code g} numbers its pixels densely (row by row, the padded
   * columns skipped, each micro-tile's pixels at offsets of their own: {@link
   * GemmKernels#windowTileAt}) rather than along padded rows: when the padded rows waste more
   * than {@code denseRowWastePercent}% of the output's. Both give the same bits.
   */
  public static boolean dense(ConvGeometry g, int denseRowWastePercent) {
    return (long) (PaddedWindows.rowPitch(g) - g.q()) * 100 > (long) denseRowWastePercent * g.q();
  }

  /** Whether this algorithm runs {@code g}'s forward pass itself. */
  public static boolean supports(ConvGeometry g) {
    return PaddedWindows.supports(g) && !g.isPointwise();
  }

  /** Whether this algorithm runs {@code g}'s input gradient: stride 1, with a transpose. */
  public static boolean runsBackwardData(ConvGeometry g) {
    return supports(g) && g.strideH() == 1 && g.strideW() == 1 && transposed(g) != null;
  }

  @Override
  public void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
      ExecContext ctx) {
    assert Outputs.sized(g, x, w, y) && (bias == null || bias.length == g.k()) : "sizes";
    assert supports(g) : "planned elsewhere";
    run(g, x, w, false, bias, y, ctx);
  }

  /**
   * The forward pass of {@code g}; {@code flipped}: {@code w} holds the weights of the
   * convolution {@code g} is the {@link #transposed} of, read flipped and transposed.
   */
  private void run(ConvGeometry g, float[] x, float[] w, boolean flipped, float[] bias,
      float[] y, ExecContext ctx) {
    boolean dense = dense(g, denseRowWastePercent);
    GemmKernels kernels = ctx.kernels().gemm();
    assert kernels.nr() <= Plan.MAX_NR && kernels.mr() <= Plan.COLUMN_SLACK;
    Plan plan = Plan.of(g, ctx.workspaceFloats());
    PaddedWindows windows = new PaddedWindows(g, plan.rows());
    int panels = Math.ceilDiv(g.kg(), kernels.nr());
    int panelFloats = kernels.nr() * g.crs();
    int packedFloats = g.groups() * panels * panelFloats;
    try (ScratchPool.Lease lease = ScratchPool.lease(packedFloats);
        Workspace ws = Workspace.reusing(1, Tiling.arrayLength(plan.tileFloats()))) {
      float[] packed = lease.array();
      ArrayKernels arrays = ctx.kernels().arrays();
      ctx.parallelFor(g.groups() * panels, t -> packPanel(g, w, flipped, t / panels, t % panels,
          kernels.nr(), packed, t * panelFloats, arrays));
      float[] slab = ws.take();
      windows.clearSlack(plan.images(), slab);
      for (int tile = 0; tile < plan.tiles(); tile++) {
        for (int grp = 0; grp < g.groups(); grp++) {
          forwardTile(g, plan, windows, dense, tile, grp, x, packed, grp * panels * panelFloats,
              bias, y, slab, ctx);
        }
      }
    }
  }

  private static void forwardTile(ConvGeometry g, Plan plan, PaddedWindows windows,
      boolean dense, int tile, int grp, float[] x, float[] packed, int packedOff, float[] bias,
      float[] y, float[] slab, ExecContext ctx) {
    int n0 = plan.firstImage(tile);
    int images = plan.imagesIn(tile);
    int p0 = plan.firstRow(tile);
    int rows = plan.rowsIn(tile);
    fillSlab(g, windows, x, grp, n0, images, p0, rows, slab, ctx);
    GemmKernels kernels = ctx.kernels().gemm();
    int mr = kernels.mr();
    int nr = kernels.nr();
    int perImage = dense ? rows * g.q() : PaddedWindows.columnsPerImage(g, rows);
    int pixelTiles = Math.ceilDiv(perImage, mr);
    int[] at = dense ? denseColumns(g, perImage, pixelTiles * mr) : null;
    int panels = Math.ceilDiv(g.kg(), nr);
    int jobs = panels * images * pixelTiles; // filter panel outermost: it stays in L2
    int tasks = Math.min(jobs, TASKS_PER_THREAD * ctx.threads());
    int crs = g.crs();
    int depthBlocks = Math.ceilDiv(crs, DEPTH_BLOCK);
    int kcMax = Math.ceilDiv(crs, depthBlocks); // balanced, fixed by the geometry alone
    int accAt = (int) windows.slabFloats(plan.images()); // job j's results: accAt + j*mr*nr
    ctx.parallelFor(tasks, task -> {
      int first = (int) ((long) jobs * task / tasks);
      int end = (int) ((long) jobs * (task + 1) / tasks);
      // depth blocks outermost: a block's weights and input rows stay in L1 across the jobs
      for (int k0 = 0; k0 < crs; k0 += kcMax) {
        int kc = Math.min(kcMax, crs - k0);
        for (int job = first; job < end; job++) {
          int panel = job / (images * pixelTiles);
          int i = job / pixelTiles % images;
          int col0 = job % pixelTiles * mr;
          int bOff = packedOff + panel * nr * crs + k0 * nr;
          if (at != null) {
            kernels.windowTileAt(kc, slab, i * windows.imageFloats(), at, col0, windows.delta(),
                k0, packed, bOff, slab, accAt + job * mr * nr, k0 > 0);
          } else {
            kernels.windowTile(kc, slab, i * windows.imageFloats() + col0, windows.delta(), k0,
                packed, bOff, slab, accAt + job * mr * nr, k0 > 0);
          }
        }
      }
      for (int run = first; run < end; ) { // runs of jobs of one panel and image
        int panel = run / (images * pixelTiles);
        int i = run / pixelTiles % images;
        int runEnd = Math.min(end, (run / pixelTiles + 1) * pixelTiles);
        int k0 = grp * g.kg() + panel * nr;
        int kLive = Math.min(nr, g.kg() - panel * nr);
        for (int b = run; b < runEnd; b += STORE_TILES) { // a block's tiles stay in L1
          int bEnd = Math.min(runEnd, b + STORE_TILES);
          int col1 = Math.min(perImage, (bEnd - 1) % pixelTiles * mr + mr);
          int tOff = accAt + b * mr * nr;
          int col0 = b % pixelTiles * mr;
          if (dense) {
            storeDense(g, slab, tOff, nr, n0 + i, p0, col0, col1, k0, kLive, bias, y,
                ctx.kernels().arrays());
          } else {
            store(g, slab, tOff, nr, n0 + i, p0, col0, col1, k0, kLive, bias, y,
                ctx.kernels().arrays());
          }
        }
        run = runEnd;
      }
    });
  }

  /**
   * The slab columns of a tile's first {@code pixels} output pixels numbered densely (pixel
   * {@code t} is output row {@code t / Q}, column {@code t % Q}), then the last one again up to
   * {@code length}: the micro-tiles past the last pixel read it and are dropped.
   */
  private static int[] denseColumns(ConvGeometry g, int pixels, int length) {
    int pitch = PaddedWindows.rowPitch(g);
    int q = g.q();
    int[] at = new int[length];
    for (int t = 0; t < length; t++) {
      int u = Math.min(t, pixels - 1);
      at[t] = u / q * pitch + u % q;
    }
    return at;
  }

  /**
   * Packs filters {@code [panel*nr, panel*nr + nr)} of group {@code grp} as B of the micro-kernel:
   * {@code dst[off + d*nr + j] = w_g[panel*nr + j][d]}, zeros past the last filter. A transpose
   * ({@link ArrayKernels#transpose}, in vector blocks: at batch 1 with hundreds of channels
   * this copy takes as long as the products).
   * {@code flipped}: {@code w} is the OIHW weight of the convolution whose transpose {@code g}
   * is, so {@code w_g[f][(k*R + r)*S + s] = w[grp*C/G + k][f][R-1-r][S-1-s]} (here {@code g}'s
   * C/G is the original K/G and its K/G the original C/G); that is read in address order, one
   * original filter's run of the panel's taps at a time (in depth order, the reads jumped a
   * filter's size at every step and missed the prefetchers).
   */
  private static void packPanel(ConvGeometry g, float[] w, boolean flipped, int grp, int panel,
      int nr, float[] dst, int off, ArrayKernels arrays) {
    int crs = g.crs();
    int rs = g.r() * g.s();
    int live = Math.min(nr, g.kg() - panel * nr);
    if (live < nr) { // zero filters past the end first; the loops below fill the others
      for (int d = 0; d < crs; d++) {
        Arrays.fill(dst, off + d * nr + live, off + d * nr + nr, 0f);
      }
    }
    if (flipped) {
      for (int k = 0; k < g.cg(); k++) { // original filter k: taps of filters f in a row
        int src = ((grp * g.cg() + k) * g.kg() + panel * nr) * rs;
        int at = off + (k * rs + rs - 1) * nr;
        for (int j = 0; j < live; j++, src += rs) {
          for (int tap = 0; tap < rs; tap++) {
            dst[at + j - tap * nr] = w[src + tap];
          }
        }
      }
      return;
    }
    arrays.transpose(w, (grp * g.kg() + panel * nr) * crs, crs, 1, live, crs, dst, off, nr);
  }

  /** Fills the slab of a tile, split over images and channel ranges. */
  private static void fillSlab(ConvGeometry g, PaddedWindows windows, float[] x, int grp,
      int n0, int images, int p0, int rows, float[] slab, ExecContext ctx) {
    int chunks = fillChunks(g, images);
    ArrayKernels arrays = ctx.kernels().arrays();
    ctx.parallelFor(images * chunks, t -> fillPart(g, windows, x, grp, n0, p0, rows, t / chunks,
        t % chunks, chunks, slab, false, arrays));
  }

  /** Channel ranges per image of a slab fill: about {@link #FILL_TASKS} tasks in all. */
  static int fillChunks(ConvGeometry g, int images) {
    return Math.min(g.cg(), Math.ceilDiv(FILL_TASKS, images));
  }

  /**
   * Part {@code part} of {@code chunks} of image slot {@code i}'s slab fill; with
   * {@code testFinite}, whether its input values were all finite (else true).
   */
  static boolean fillPart(ConvGeometry g, PaddedWindows windows, float[] x, int grp,
      int n0, int p0, int rows, int i, int part, int chunks, float[] slab, boolean testFinite,
      ArrayKernels arrays) {
    int cg = g.cg();
    return windows.fill(x, grp, n0 + i, p0, rows, i, cg * part / chunks,
        cg * (part + 1) / chunks, slab, arrays, testFinite);
  }

  /**
   * Stores the micro-tiles of columns {@code [col0, col1)} of one image ({@code col0} starts a
   * tile), held tile after tile from {@code t[tOff]} (so column {@code col0 + i}, filter j at
   * {@code t[tOff + i*nr + j]}), into filters
   * {@code [k0, k0 + kLive)} of {@code y} with the bias added; the padded columns {@code q >= Q}
   * are dropped. A row's run is one {@link ArrayKernels#transpose} (lane gathers down the
   * tiles on the SIMD provider, each filter's plane written in address order on the scalar
   * one), then the bias is added: the same one rounding of t + b as adding it while storing.
   */
  private static void store(ConvGeometry g, float[] t, int tOff, int nr, int n, int p0,
      int col0, int col1, int k0, int kLive, float[] bias, float[] y, ArrayKernels arrays) {
    int wp = PaddedWindows.rowPitch(g);
    int q = g.q();
    int planes = g.yIndex(n, k0, p0, 0);
    for (int pp = col0 / wp; pp * wp < col1; pp++) { // one output row's run per step
      int from = Math.max(col0, pp * wp);
      int to = Math.min(col1, pp * wp + q);
      if (from >= to) {
        continue; // the block starts in this row's padded columns
      }
      int dst = planes + pp * q - pp * wp + from;
      arrays.transpose(t, tOff + (from - col0) * nr, nr, 1, to - from, kLive, y, dst, g.pq());
      if (bias != null) {
        addBias(g, bias, k0, kLive, y, dst, to - from);
      }
    }
  }

  /**
   * {@link #store} for densely numbered pixels: columns {@code [col0, col1)} are the run of
   * output pixels from {@code p0*Q + col0} of each filter's plane, one transpose.
   */
  private static void storeDense(ConvGeometry g, float[] t, int tOff, int nr, int n, int p0,
      int col0, int col1, int k0, int kLive, float[] bias, float[] y, ArrayKernels arrays) {
    int dst = g.yIndex(n, k0, p0, 0) + col0;
    arrays.transpose(t, tOff, nr, 1, col1 - col0, kLive, y, dst, g.pq());
    if (bias != null) {
      addBias(g, bias, k0, kLive, y, dst, col1 - col0);
    }
  }

  /** Adds filter {@code k0 + j}'s bias to the run of {@code len} outputs of its plane at dst. */
  private static void addBias(ConvGeometry g, float[] bias, int k0, int kLive, float[] y,
      int dst, int len) {
    for (int j = 0; j < kLive; j++) {
      float b = bias[k0 + j];
      for (int at = dst + j * g.pq(), end = at + len; at < end; at++) {
        y[at] += b;
      }
    }
  }

  @Override
  public void backwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, ExecContext ctx) {
    if (!backwardDataIfExact(g, dy, w, dx, ctx)) {
      throw new IllegalStateException("non-finite weights: the plan runs its exact path");
    }
  }

  @Override
  public boolean backwardDataIfExact(ConvGeometry g, float[] dy, float[] w, float[] dx,
      ExecContext ctx) {
    assert Outputs.sized(g, dx, w, dy) : "sizes";
    assert runsBackwardData(g) : "planned elsewhere";
    if (!ctx.kernels().arrays().allFinite(w, 0, w.length)) {
      return false;
    }
    run(transposed(g), dy, w, true, null, dx, ctx);
    return true;
  }

  @Override
  public void backwardWeight(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    if (!backwardWeightIfExact(g, dy, x, dw, ctx)) {
      throw new IllegalStateException("non-finite input: the plan runs its exact path");
    }
  }

  /**
   * {@code dW_g = dy_g x cols^T}, per group, reading {@code cols} in place from the slab
   * ({@link ImplicitWeightPass}, pipelined). When the input is not all finite, false: nothing
   * is written to {@code dw} before the end.
   */
  @Override
  public boolean backwardWeightIfExact(ConvGeometry g, float[] dy, float[] x, float[] dw,
      ExecContext ctx) {
    assert Outputs.sized(g, x, dw, dy) : "sizes";
    assert supports(g) : "planned elsewhere";
    return ImplicitWeightPass.run(g, dy, x, dw, ctx);
  }

  /**
   * The stride-1 convolution whose forward pass is {@code g}'s input gradient: input
   * {@code dy} (K channels, P x Q), output {@code dx} (C channels, H x W), pads
   * {@code (R-1)*dil - pad}; null when one of those would be negative.
   */
  public static ConvGeometry transposed(ConvGeometry g) {
    assert g.strideH() == 1 && g.strideW() == 1;
    int spanH = (g.r() - 1) * g.dilH();
    int spanW = (g.s() - 1) * g.dilW();
    int top = spanH - g.padTop();
    int bottom = spanH - g.padBottom();
    int left = spanW - g.padLeft();
    int right = spanW - g.padRight();
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      return null;
    }
    return new ConvGeometry(g.layout(), g.n(), g.k(), g.p(), g.q(), g.c(), g.r(), g.s(),
        g.h(), g.w(), 1, 1, top, bottom, left, right, g.dilH(), g.dilW(), g.groups());
  }

  /**
   * Tiles of {@code images} whole images, or (when one image is too large) of {@code rows}
   * output rows of one image, sized like {@link TilePlan}; {@code tileFloats} is a tile's
   * scratch: the slab, then per GEMM column the forward's micro-tile results or the weight
   * pass's packed output gradient.
   */
  record Plan(ConvGeometry g, int images, int rows, int tiles, long tileFloats) {

    /** Columns of scratch per image beyond its own: micro-tiles round them up to {@code mr}. */
    static final int COLUMN_SLACK = 16;

    /** The widest micro-tile of any kernels ({@code nr}): AVX-512's 2 vectors. */
    static final int MAX_NR = 32;

    /**
     * The plan for {@code g}: per column, room for {@code K/G} rounded up to any kernels'
     * {@code nr} (the forward's results, the weight pass's packed {@code dy}), so that the
     * tiling depends on the geometry and the budget only.
     */
    static Plan of(ConvGeometry g, long budgetFloats) {
      return of(g, budgetFloats, g.kg() + MAX_NR - 1, Tiling.TARGET_PIXELS);
    }

    /** {@link ImplicitWeightPass}' plan: tiles of up to {@code target} columns. */
    static Plan weight(ConvGeometry g, long budgetFloats, int target) {
      return of(g, budgetFloats, g.kg() + MAX_NR - 1, target);
    }

    /** {@link WindowDots}' plan: tiles of up to {@link #WEIGHT_TARGET} columns, slab only. */
    static Plan dots(ConvGeometry g, long budgetFloats) {
      return of(g, budgetFloats, 0, WEIGHT_TARGET);
    }

    /**
     * Columns per tile {@link WindowDots} aims at. Its tiles end in barriers and the kernel
     * sums the same columns for every micro-tile, so it wants fewer, longer ones: each
     * barrier and each pass over a tile's columns is paid once per tile.
     */
    static final int WEIGHT_TARGET = 4 * Tiling.TARGET_PIXELS;

    private static Plan of(ConvGeometry g, long budgetFloats, int perColumn, int target) {
      long perTile = budgetFloats / Tiling.PLANNED_WORKERS;
      int imageCols = PaddedWindows.columnsPerImage(g, g.p());
      if (imageCols <= target) {
        int images = Math.min(g.n(), target / imageCols);
        while (images > 1 && floats(g, images, g.p(), perColumn) > perTile) {
          images--;
        }
        if (floats(g, images, g.p(), perColumn) <= perTile || g.p() == 1) {
          return new Plan(g, images, g.p(), Math.ceilDiv(g.n(), images),
              floats(g, images, g.p(), perColumn));
        }
      }
      int rows = Math.max(1, Math.min(g.p(), target / PaddedWindows.rowPitch(g)));
      while (rows > 1 && floats(g, 1, rows, perColumn) > perTile) {
        rows--;
      }
      return new Plan(g, 1, rows, g.n() * Math.ceilDiv(g.p(), rows),
          floats(g, 1, rows, perColumn));
    }

    private static long floats(ConvGeometry g, int images, int rows, int perColumn) {
      return PaddedWindows.slabFloats(g, images, rows) + (long) perColumn * images
          * (PaddedWindows.columnsPerImage(g, rows) + COLUMN_SLACK);
    }

    private int tilesPerImage() {
      return Math.ceilDiv(g.p(), rows);
    }

    int firstImage(int tile) {
      return rows == g.p() ? tile * images : tile / tilesPerImage();
    }

    int imagesIn(int tile) {
      return rows == g.p() ? Math.min(images, g.n() - tile * images) : 1;
    }

    int firstRow(int tile) {
      return rows == g.p() ? 0 : tile % tilesPerImage() * rows;
    }

    int rowsIn(int tile) {
      return Math.min(rows, g.p() - firstRow(tile));
    }
  }
}
