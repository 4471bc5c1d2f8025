package org.vconv;

import java.util.Arrays;
import java.util.Objects;

/**
 * Zero padding of the two spatial axes: explicit (symmetric or top/bottom/left/right),
 * {@link #SAME} or {@link #VALID}.
 *
 * <p>{@code SAME} keeps {@code out = ceil(in / stride)}: at stride 1 that is PyTorch's
 * {@code padding="same"}; at stride &gt; 1 it is TensorFlow's SAME. The total pad
 * {@code max((out-1)*stride + (k-1)*dilation + 1 - in, 0)} is split with the odd extra at the
 * bottom/right, as both frameworks do.
 */
public final class Padding {
  /** No padding. */
  public static final Padding VALID = new Padding(Kind.VALID, 0, 0, 0, 0);
  /** Output size {@code ceil(in / stride)}; see the class comment. */
  public static final Padding SAME = new Padding(Kind.SAME, 0, 0, 0, 0);

  private enum Kind { EXPLICIT, SAME, VALID }

  private final Kind kind;
  private final int top;
  private final int bottom;
  private final int left;
  private final int right;

  private Padding(Kind kind, int top, int bottom, int left, int right) {
    this.kind = kind;
    this.top = top;
    this.bottom = bottom;
    this.left = left;
    this.right = right;
  }

  /**
   * The same pad on all four sides.
   *
   * @param p the pad, non-negative
   * @return the padding
   * @throws IllegalArgumentException if {@code p < 0}
   */
  public static Padding of(int p) {
    return of(p, p, p, p);
  }

  /**
   * Symmetric padding per axis (PyTorch's tuple).
   *
   * @param ph rows added at top and at bottom, non-negative
   * @param pw columns added at left and at right, non-negative
   * @return the padding
   * @throws IllegalArgumentException if either is negative
   */
  public static Padding of(int ph, int pw) {
    return of(ph, ph, pw, pw);
  }

  /**
   * Asymmetric padding.
   *
   * @param top rows added above, non-negative
   * @param bottom rows added below, non-negative
   * @param left columns added at the left, non-negative
   * @param right columns added at the right, non-negative
   * @return the padding
   * @throws IllegalArgumentException if any is negative
   */
  public static Padding of(int top, int bottom, int left, int right) {
    int[] v = {top, bottom, left, right};
    String[] names = {"top", "bottom", "left", "right"};
    for (int i = 0; i < 4; i++) {
      if (v[i] < 0) {
        throw new IllegalArgumentException(
            "padding must be non-negative, got " + names[i] + "=" + v[i]);
      }
    }
    return new Padding(Kind.EXPLICIT, top, bottom, left, right);
  }

  /**
   * Parses the command line form.
   *
   * @param s {@code P}, {@code PH,PW}, {@code T,B,L,R}, {@code same} or {@code valid}
   * @return the padding
   * @throws IllegalArgumentException if {@code s} has another form or a negative pad
   */
  public static Padding parse(String s) {
    String t = Objects.requireNonNull(s, "padding").trim();
    if (t.equalsIgnoreCase("same")) {
      return SAME;
    }
    if (t.equalsIgnoreCase("valid")) {
      return VALID;
    }
    int[] v = parseInts("padding", t);
    return switch (v.length) {
      case 1 -> of(v[0]);
      case 2 -> of(v[0], v[1]);
      case 4 -> of(v[0], v[1], v[2], v[3]);
      default -> throw new IllegalArgumentException(
          "padding must be P, PH,PW, T,B,L,R, same or valid, got '" + s + "'");
    };
  }

  /** Comma-separated integers; names {@code what} in the error. */
  static int[] parseInts(String what, String s) {
    String[] parts = s.split(",", -1);
    int[] v = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(what + ": '" + s + "' is not a list of integers");
      }
    }
    return v;
  }

  /**
   * Whether this is {@link #SAME}.
   *
   * @return true for {@code SAME}
   */
  public boolean isSame() {
    return kind == Kind.SAME;
  }

  /**
   * Whether this is {@link #VALID} (explicit zeros are not).
   *
   * @return true for {@code VALID}
   */
  public boolean isValid() {
    return kind == Kind.VALID;
  }

  /**
   * The explicit pads for a given problem ({@link #SAME} depends on it, the others do not).
   *
   * @param h input height
   * @param w input width
   * @param r kernel height
   * @param s kernel width
   * @param strideH stride along H
   * @param strideW stride along W
   * @param dilH dilation along H
   * @param dilW dilation along W
   * @return a new array {@code {top, bottom, left, right}}
   */
  public int[] resolve(int h, int w, int r, int s, int strideH, int strideW, int dilH, int dilW) {
    return switch (kind) {
      case EXPLICIT -> new int[] {top, bottom, left, right};
      case VALID -> new int[] {0, 0, 0, 0};
      case SAME -> {
        int th = samePadTotal(h, r, strideH, dilH);
        int tw = samePadTotal(w, s, strideW, dilW);
        yield new int[] {th / 2, th - th / 2, tw / 2, tw - tw / 2};
      }
    };
  }

  private static int samePadTotal(int in, int k, int stride, int dil) {
    long out = (in + (long) stride - 1) / stride;
    long need = (out - 1) * stride + (long) (k - 1) * dil + 1 - in;
    return (int) Math.max(0, Math.min(need, Integer.MAX_VALUE));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Padding p
        && p.kind == kind && p.top == top && p.bottom == bottom && p.left == left && p.right == right;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new int[] {kind.ordinal(), top, bottom, left, right});
  }

  @Override
  public String toString() {
    return switch (kind) {
      case SAME -> "same";
      case VALID -> "valid";
      case EXPLICIT -> top + "," + bottom + "," + left + "," + right;
    };
  }
}
