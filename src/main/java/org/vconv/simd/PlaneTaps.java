package org.vconv.simd;

/**
 * A stride-1 correlation of one plane, the shape the plane kernels
 * ({@link ArrayKernels#planeSums}, {@link ArrayKernels#planeDots}) work on: a
 * {@code srcH x srcW} source, a {@code dstH x dstW} result and an {@code r x s} kernel whose
 * tap {@code (i, j)} reads, for result {@code (p, q)}, the source at
 * {@code (p + i*dilH - padTop, q + j*dilW - padLeft)}; taps that fall outside the source are
 * left out (zero padding). Pads may be negative (a crop), as the input gradient's are when the
 * forward padding exceeds the kernel's reach. Immutable; make one per call and share it.
 */
public final class PlaneTaps {
  /** Lanes a kernel reads from {@link #columnMask} at one position: four 16-lane vectors. */
  static final int MASK_READ = 64;

  /**
   * Flat indices a kernel walks from one start through {@link #columnMask} before it takes
   * the start's remainder again: loops stay affine in the index, the table a row's size.
   */
  static final int MASK_RUN = 1024;

  private final int srcH;
  private final int srcW;
  private final int dstH;
  private final int dstW;
  private final int r;
  private final int s;
  private final int padTop;
  private final int padLeft;
  private final int dilH;
  private final int dilW;
  private final int maskPeriod;
  private final boolean[] columnMask;

  public PlaneTaps(int srcH, int srcW, int dstH, int dstW, int r, int s, int padTop,
      int padLeft, int dilH, int dilW) {
    if (srcH < 1 || srcW < 1 || dstH < 1 || dstW < 1 || r < 1 || s < 1 || dilH < 1
        || dilW < 1) {
      throw new IllegalArgumentException("plane sizes, kernel and dilation must be positive: "
          + srcH + "x" + srcW + " -> " + dstH + "x" + dstW + ", kernel " + r + "x" + s
          + ", dilation " + dilH + "x" + dilW);
    }
    this.srcH = srcH;
    this.srcW = srcW;
    this.dstH = dstH;
    this.dstW = dstW;
    this.r = r;
    this.s = s;
    this.padTop = padTop;
    this.padLeft = padLeft;
    this.dilH = dilH;
    this.dilW = dilW;
    this.maskPeriod = dstW * ((MASK_RUN + dstW - 1) / dstW);
    this.columnMask = sameWidth() ? buildColumnMask() : null;
  }

  public int srcH() {
    return srcH;
  }

  public int srcW() {
    return srcW;
  }

  public int dstH() {
    return dstH;
  }

  public int dstW() {
    return dstW;
  }

  public int r() {
    return r;
  }

  public int s() {
    return s;
  }

  public int padTop() {
    return padTop;
  }

  public int padLeft() {
    return padLeft;
  }

  public int dilH() {
    return dilH;
  }

  public int dilW() {
    return dilW;
  }

  /** The number of taps, {@code r * s}. */
  public int taps() {
    return r * s;
  }

  /** First result row that kernel row {@code i} reaches inside the source. */
  public int rowFrom(int i) {
    return Math.max(0, padTop - i * dilH);
  }

  /** One past the last result row that kernel row {@code i} reaches inside the source. */
  public int rowTo(int i) {
    return Math.min(dstH, srcH + padTop - i * dilH);
  }

  /** First result row that every kernel row reaches inside the source. */
  public int fullRowFrom() {
    int from = 0;
    for (int i = 0; i < r; i++) {
      from = Math.max(from, rowFrom(i));
    }
    return from;
  }

  /** One past the last result row every kernel row reaches; fullRowFrom() when none does. */
  public int fullRowTo() {
    int to = dstH;
    for (int i = 0; i < r; i++) {
      to = Math.min(to, rowTo(i));
    }
    return Math.max(fullRowFrom(), to);
  }

  /** First kernel row that reaches the source from result row {@code p}; r() when none does. */
  public int kernelRowFrom(int p) {
    for (int i = 0; i < r; i++) {
      if (rowFrom(i) <= p && p < rowTo(i)) {
        return i;
      }
    }
    return r;
  }

  /** One past the last kernel row that reaches the source from result row {@code p}. */
  public int kernelRowTo(int p) {
    for (int i = r - 1; i >= 0; i--) {
      if (rowFrom(i) <= p && p < rowTo(i)) {
        return i + 1;
      }
    }
    return 0;
  }

  /** First result column that kernel column {@code j} reaches inside the source. */
  public int colFrom(int j) {
    return Math.max(0, padLeft - j * dilW);
  }

  /** One past the last result column that kernel column {@code j} reaches inside the source. */
  public int colTo(int j) {
    return Math.min(dstW, srcW + padLeft - j * dilW);
  }

  /** Offset in the source plane of tap {@code (i, j)} for result {@code (0, 0)}. */
  public int tapOffset(int i, int j) {
    return (i * dilH - padTop) * srcW + j * dilW - padLeft;
  }

  /**
   * Whether source and result rows have the same width: then a tap reads the source at a
   * fixed offset from the result's flat index, and a kernel can run over a plane as one flat
   * run, masking by {@link #columnMask}.
   */
  boolean sameWidth() {
    return srcW == dstW;
  }

  /**
   * For {@link #sameWidth} planes, each kernel column's valid result columns, as a periodic
   * pattern: {@code columnMask()[j * maskStride() + k]} is whether column {@code k mod dstW} is
   * in [colFrom(j), colTo(j)). A run of up to {@link #MASK_RUN} flat indices from f0 reads
   * index f at {@code f0 mod maskPeriod() + (f - f0)}, up to {@link #MASK_READ} lanes on: a
   * few rows' size, not a plane's, whatever the plane. Shared, not to be written.
   */
  boolean[] columnMask() {
    assert columnMask != null : "not a same-width plane";
    return columnMask;
  }

  private boolean[] buildColumnMask() {
    boolean[] m = new boolean[s * maskStride()];
    for (int j = 0; j < s; j++) {
      for (int k = 0; k < maskStride(); k++) {
        int q = k % dstW;
        m[j * maskStride() + k] = q >= colFrom(j) && q < colTo(j);
      }
    }
    return m;
  }

  /** The period of {@link #columnMask}: a multiple of the row, at least MASK_RUN. */
  int maskPeriod() {
    return maskPeriod;
  }

  /** The distance between two kernel columns' patterns in {@link #columnMask}. */
  int maskStride() {
    return maskPeriod + MASK_RUN + MASK_READ;
  }

  @Override
  public String toString() {
    return srcH + "x" + srcW + " -> " + dstH + "x" + dstW + ", kernel " + r + "x" + s
        + ", pad " + padTop + "," + padLeft + ", dilation " + dilH + "x" + dilW;
  }
}
