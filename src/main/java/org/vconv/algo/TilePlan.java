package org.vconv.algo;

import java.util.function.IntToLongFunction;
import org.vconv.im2col.Im2col;
import org.vconv.plan.ConvGeometry;

/**
 * How the output pixels of a problem are cut into im2col tiles: runs of {@code rowsPerTile}
 * output rows ({@code Q} pixels each), sized by {@link Tiling#unitsPerChunk} from the budget
 * (one output row at the least). Tiles either stay inside one image (tile {@code t} of image
 * {@code n} is plan tile {@code n * tilesPerImage + t}) or, where the GEMM can read and write
 * several images as one matrix (NHWC forward and weight gradient; NCHW forward and weight
 * gradient of small images, the output block or {@code dy} staged), run over the global rows
 * {@code n * P + p} of the whole batch.
 *
 * @param rowsPerTile output rows in a full tile (the last tile of an image or batch may be
 *     shorter)
 * @param tileFloats floats of one group's column matrix for a full tile, plus any staging the
 *     caller asked for per row
 */
record TilePlan(ConvGeometry g, boolean spansImages, int rowsPerTile, int tilesPerImage,
    int tiles, int tileFloats) {

  /** The plan for {@code g} under a budget of {@code budgetFloats}. */
  static TilePlan of(ConvGeometry g, boolean spansImages, long budgetFloats) {
    return of(g, spansImages, 0, budgetFloats);
  }

  /**
   * The plan for {@code g} under a budget of {@code budgetFloats}, with {@code stagingPerRow}
   * more floats per output row in each tile's buffer for tiles that may span images (none for
   * one-row tiles, which never do: the minimum stays one output row's column matrix).
   */
  static TilePlan of(ConvGeometry g, boolean spansImages, int stagingPerRow, long budgetFloats) {
    return of(g, spansImages, stagingPerRow, rows -> Im2col.tileFloats(g, rows), budgetFloats);
  }

  /**
   * As above, for a matrix packed into GEMM panels: {@code matrixFloats} gives a tile's
   * matrix floats, zero padding included, by its output rows (the sizing ignores the padding).
   */
  static TilePlan of(ConvGeometry g, boolean spansImages, int stagingPerRow,
      IntToLongFunction matrixFloats, long budgetFloats) {
    int maxRows = spansImages ? g.n() * g.p() : g.p();
    int target = Math.ceilDiv(Tiling.TARGET_PIXELS, g.q());
    long perRow = Im2col.tileFloats(g, 1) + stagingPerRow;
    int rows = Tiling.unitsPerChunk(perRow, maxRows, target, budgetFloats);
    int perImage = spansImages ? 0 : Math.ceilDiv(g.p(), rows);
    int tiles = spansImages ? Math.ceilDiv(g.n() * g.p(), rows) : g.n() * perImage;
    long staging = rows > 1 ? (long) stagingPerRow * rows : 0;
    return new TilePlan(g, spansImages, rows, perImage, tiles,
        Tiling.arrayLength(matrixFloats.applyAsLong(rows) + staging));
  }

  /** First global output row of tile {@code t}. */
  int row0(int t) {
    if (spansImages) {
      return t * rowsPerTile;
    }
    int n = t / tilesPerImage;
    return n * g.p() + (t - n * tilesPerImage) * rowsPerTile;
  }

  /** One past the last global output row of tile {@code t}. */
  int row1(int t) {
    int end = spansImages ? g.n() * g.p() : (t / tilesPerImage + 1) * g.p();
    return Math.min(end, row0(t) + rowsPerTile);
  }
}
