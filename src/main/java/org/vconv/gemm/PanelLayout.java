package org.vconv.gemm;

/**
 * Where {@link Sgemm} reads a B operand ({@code k x n}) that its producer wrote already packed,
 * so the GEMM packs no B at all (an im2col gather can write its matrix this way instead of
 * row-major, see {@code Im2col.gatherPacked}). The layout is Sgemm's own packing of all of B:
 * depth block {@code pb} (rows {@code [pc, pc + kc)} of B, {@code pc = pb * kcMax}) starts at
 * {@code pc * nPad}; inside it, panel {@code t} (columns {@code [t*nr, t*nr + nr)}) starts at
 * {@code t * nr * kc} and holds the panel's {@code nr} values of each row in turn. Columns
 * past {@code n} are zeros. Get one from {@link Sgemm#panelLayout}: it is tied to a call's
 * blocking.
 *
 * @param n columns of B
 * @param k rows of B (the reduction)
 * @param nr columns of a micro-panel
 * @param kcMax rows of every depth block but possibly the last
 */
public record PanelLayout(int n, int k, int nr, int kcMax) {

  public PanelLayout {
    assert n >= 1 && k >= 1 && nr >= 1 && kcMax >= 1 && kcMax <= k;
  }

  /** Columns rounded up to whole panels. */
  public int nPad() {
    return (n + nr - 1) / nr * nr;
  }

  /** Floats of the packed operand, zero padding included. */
  public long floats() {
    return (long) nPad() * k;
  }

  /** Where row {@code row}'s first column goes. */
  public int rowStart(int row) {
    assert 0 <= row && row < k;
    int pc = row / kcMax * kcMax;
    return pc * nPad() + (row - pc) * nr;
  }

  /** From row {@code row}'s column {@code j} to its column {@code j + nr} (the next panel). */
  public int panelStride(int row) {
    int pc = row / kcMax * kcMax;
    return nr * Math.min(kcMax, k - pc);
  }

  /** Where element {@code (row, col)} of B goes. */
  public int index(int row, int col) {
    assert 0 <= col && col < nPad();
    return rowStart(row) + col / nr * panelStride(row) + col % nr;
  }
}
