package org.vconv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a 1-D, 2-D or 3-D convolution computes, plain or transposed, with PyTorch's meaning
 * ({@code torch.nn.Conv1d/2d/3d} and {@code ConvTranspose1d/2d/3d}): per-axis stride,
 * padding and dilation, groups, padding mode and layout. Immutable and thread-safe.
 *
 * <p>Layouts, by {@link #rank()}: channels first {@code NCL}, {@code NCHW}, {@code NCDHW}
 * with weights {@code [K, C/groups, kernel...]} (transposed: {@code [C, K/groups,
 * kernel...]}, PyTorch's layout); channels last {@code NLC}, {@code NHWC}, {@code NDHWC} with
 * weights {@code [kernel..., C/groups, K]} (transposed: {@code [kernel..., K/groups, C]}).
 *
 * <pre>{@code
 * ConvNdSpec spec = ConvNdSpec.builder(1).stride(2).padding(3).build();       // Conv1d
 * ConvNdSpec up = ConvNdSpec.builder(3).transposed(true).stride(2).padding(1)
 *     .outputPadding(1).build();                                              // ConvTranspose3d
 * }</pre>
 */
public final class ConvNdSpec {
  private final int rank;
  private final int[] stride;
  private final int[] dilation;
  private final int[] pads; // {before, after} per axis; null for same or valid
  private final Padding named; // Padding.SAME or Padding.VALID when pads is null
  private final int groups;
  private final boolean channelsLast;
  private final PaddingMode mode;
  private final boolean transposed;
  private final int[] outputPadding;

  private ConvNdSpec(Builder b) {
    rank = b.rank;
    stride = b.stride.clone();
    dilation = b.dilation.clone();
    pads = b.pads == null ? null : b.pads.clone();
    named = b.named;
    groups = b.groups;
    channelsLast = b.channelsLast;
    mode = b.mode;
    transposed = b.transposed;
    outputPadding = b.outputPadding.clone();
  }

  /**
   * A builder for a convolution over {@code rank} spatial axes, starting from stride 1, no
   * padding, dilation 1, one group, channels first, zeros, not transposed.
   *
   * @param rank 1, 2 or 3
   * @return a new builder
   * @throws IllegalArgumentException if {@code rank} is not 1, 2 or 3
   */
  public static Builder builder(int rank) {
    if (rank < 1 || rank > 3) {
      throw new IllegalArgumentException("rank must be 1, 2 or 3 spatial axes, got " + rank);
    }
    return new Builder(rank);
  }

  /**
   * The number of spatial axes.
   *
   * @return 1, 2 or 3
   */
  public int rank() {
    return rank;
  }

  /**
   * The strides, one per spatial axis.
   *
   * @return a copy, each at least 1
   */
  public int[] stride() {
    return stride.clone();
  }

  /**
   * The dilations, one per spatial axis.
   *
   * @return a copy, each at least 1
   */
  public int[] dilation() {
    return dilation.clone();
  }

  /**
   * The explicit pads, {@code before, after} for each spatial axis in order.
   *
   * @return a copy of {@code 2 * rank} values, or null for {@code same} or {@code valid}
   */
  public int[] padding() {
    return pads == null ? null : pads.clone();
  }

  /**
   * Whether the padding is {@code same} (output extent {@code ceil(in / stride)}, the odd
   * extra pad after), resolved per input shape.
   *
   * @return true for {@code same}
   */
  public boolean isSamePadding() {
    return named == Padding.SAME;
  }

  /**
   * The group count.
   *
   * @return at least 1
   */
  public int groups() {
    return groups;
  }

  /**
   * Whether activations are channels last ({@code NLC}, {@code NHWC}, {@code NDHWC}).
   *
   * @return true for channels last
   */
  public boolean channelsLast() {
    return channelsLast;
  }

  /**
   * What the padding holds.
   *
   * @return the padding mode
   */
  public PaddingMode paddingMode() {
    return mode;
  }

  /**
   * Whether this is a transposed convolution (the adjoint of the convolution with the same
   * parameters: PyTorch's {@code ConvTransposeNd}).
   *
   * @return true if transposed
   */
  public boolean transposed() {
    return transposed;
  }

  /**
   * A transposed convolution's extra output size per axis, added after.
   *
   * @return a copy, one per axis (zeros unless transposed)
   */
  public int[] outputPadding() {
    return outputPadding.clone();
  }

  /**
   * The layout's name.
   *
   * @return e.g. {@code NCL}, {@code NHWC} or {@code NCDHW}
   */
  public String layoutName() {
    return LAYOUTS[channelsLast ? 1 : 0][rank - 1];
  }

  private static final String[][] LAYOUTS = {{"NCL", "NCHW", "NCDHW"}, {"NLC", "NHWC", "NDHWC"}};

  /**
   * Every layout name {@link Builder#layout} takes, by rank, channels first before last.
   *
   * @return {@code NCL, NLC, NCHW, NHWC, NCDHW, NDHWC}
   */
  public static List<String> layoutNames() {
    List<String> names = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      names.add(LAYOUTS[0][r]);
      names.add(LAYOUTS[1][r]);
    }
    return List.copyOf(names);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvNdSpec s && s.rank == rank && Arrays.equals(s.stride, stride)
        && Arrays.equals(s.dilation, dilation) && Arrays.equals(s.pads, pads)
        && Objects.equals(s.named, named) && s.groups == groups
        && s.channelsLast == channelsLast && s.mode == mode && s.transposed == transposed
        && Arrays.equals(s.outputPadding, outputPadding);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rank, Arrays.hashCode(stride), Arrays.hashCode(dilation),
        Arrays.hashCode(pads), named, groups, channelsLast, mode, transposed,
        Arrays.hashCode(outputPadding));
  }

  @Override
  public String toString() {
    return "ConvNdSpec[" + layoutName() + (transposed ? ", transposed" : "") + ", stride="
        + Arrays.toString(stride) + ", padding="
        + (pads == null ? named.toString() : Arrays.toString(pads)) + ", dilation="
        + Arrays.toString(dilation) + ", groups=" + groups + ", mode="
        + mode.name().toLowerCase(Locale.ROOT)
        + (transposed ? ", outputPadding=" + Arrays.toString(outputPadding) : "") + "]";
  }

  /**
   * Mutable builder of a {@link ConvNdSpec}. Setters check their own values at once;
   * {@link #build()} checks how they combine; shapes are checked when a call runs. Not
   * thread-safe.
   */
  public static final class Builder {
    private final int rank;
    private int[] stride;
    private int[] dilation;
    private int[] pads;
    private Padding named;
    private int groups = 1;
    private boolean channelsLast;
    private PaddingMode mode = PaddingMode.ZEROS;
    private boolean transposed;
    private int[] outputPadding;

    private Builder(int rank) {
      this.rank = rank;
      stride = filled(1);
      dilation = filled(1);
      pads = new int[2 * rank];
      outputPadding = filled(0);
    }

    private int[] filled(int v) {
      int[] a = new int[rank];
      Arrays.fill(a, v);
      return a;
    }

    /**
     * The stride: one value for every axis, or one per axis.
     *
     * @param s positive values
     * @return this builder
     * @throws IllegalArgumentException on a count other than 1 or rank, or a value below 1
     */
    public Builder stride(int... s) {
      stride = perAxis("stride", s, 1);
      return this;
    }

    /**
     * The dilation: one value for every axis, or one per axis.
     *
     * @param d positive values
     * @return this builder
     * @throws IllegalArgumentException on a count other than 1 or rank, or a value below 1
     */
    public Builder dilation(int... d) {
      dilation = perAxis("dilation", d, 1);
      return this;
    }

    /**
     * Explicit padding: one value for every side, one per axis (both sides), or
     * {@code before, after} for each axis in order (1-D: left, right; 2-D: top, bottom,
     * left, right; 3-D: front, back, top, bottom, left, right).
     *
     * @param p non-negative values
     * @return this builder
     * @throws IllegalArgumentException on another count or a negative value
     */
    public Builder padding(int... p) {
      Objects.requireNonNull(p, "padding");
      for (int v : p) {
        if (v < 0) {
          throw new IllegalArgumentException("padding must be non-negative, got "
              + Arrays.toString(p));
        }
      }
      int[] out = new int[2 * rank];
      if (p.length == 1 || p.length == rank) {
        for (int i = 0; i < 2 * rank; i++) {
          out[i] = p[p.length == 1 ? 0 : i / 2];
        }
      } else if (p.length == 2 * rank) {
        out = p.clone();
      } else {
        throw new IllegalArgumentException("padding takes 1, " + rank + " or " + 2 * rank
            + " values for " + rank + " spatial axes, got " + p.length);
      }
      pads = out;
      named = null;
      return this;
    }

    /**
     * Padding by name or values: {@code same}, {@code valid}, or comma-separated integers as
     * for {@link #padding(int...)}.
     *
     * @param p the padding's text
     * @return this builder
     * @throws IllegalArgumentException if {@code p} is none of these
     */
    public Builder padding(String p) {
      String t = Objects.requireNonNull(p, "padding").strip();
      if (t.equalsIgnoreCase("same") || t.equalsIgnoreCase("valid")) {
        named = t.equalsIgnoreCase("same") ? Padding.SAME : Padding.VALID;
        pads = null;
        return this;
      }
      return padding(Padding.parseInts("padding", t));
    }

    /**
     * The group count.
     *
     * @param g positive
     * @return this builder
     * @throws IllegalArgumentException if {@code g < 1}
     */
    public Builder groups(int g) {
      if (g < 1) {
        throw new IllegalArgumentException("groups must be positive, got " + g);
      }
      groups = g;
      return this;
    }

    /**
     * Channels last or first.
     *
     * @param last true for {@code NLC}, {@code NHWC}, {@code NDHWC}
     * @return this builder
     */
    public Builder channelsLast(boolean last) {
      channelsLast = last;
      return this;
    }

    /**
     * The layout by name, which must match the rank.
     *
     * @param name {@code NCL}, {@code NLC}, {@code NCHW}, {@code NHWC}, {@code NCDHW} or
     *     {@code NDHWC}, case-insensitive
     * @return this builder
     * @throws IllegalArgumentException if the name is unknown or of another rank
     */
    public Builder layout(String name) {
      String u = Objects.requireNonNull(name, "layout").strip().toUpperCase(Locale.ROOT);
      for (int last = 0; last < 2; last++) {
        if (LAYOUTS[last][rank - 1].equals(u)) {
          channelsLast = last == 1;
          return this;
        }
      }
      throw new IllegalArgumentException("layout for " + rank + " spatial axes must be "
          + LAYOUTS[0][rank - 1] + " or " + LAYOUTS[1][rank - 1] + ", got '" + name + "'");
    }

    /**
     * What the padding holds.
     *
     * @param m the mode
     * @return this builder
     */
    public Builder paddingMode(PaddingMode m) {
      mode = Objects.requireNonNull(m, "padding mode");
      return this;
    }

    /**
     * Transposed or plain.
     *
     * @param t true for a transposed convolution
     * @return this builder
     */
    public Builder transposed(boolean t) {
      transposed = t;
      return this;
    }

    /**
     * A transposed convolution's extra output size after each axis.
     *
     * @param op one value for every axis, or one per axis, non-negative
     * @return this builder
     * @throws IllegalArgumentException on another count or a negative value
     */
    public Builder outputPadding(int... op) {
      outputPadding = perAxis("output padding", op, 0);
      return this;
    }

    /**
     * The spec, checked as a whole as PyTorch checks it: output padding only for transposed
     * convolutions and smaller than the stride or the dilation of its axis; transposed
     * convolutions take explicit zero padding only.
     *
     * @return a new immutable spec
     * @throws IllegalArgumentException if the values do not combine
     */
    public ConvNdSpec build() {
      for (int i = 0; i < rank; i++) {
        if (outputPadding[i] > 0 && !transposed) {
          throw new IllegalArgumentException("output padding needs a transposed convolution");
        }
        if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
          throw new IllegalArgumentException("output padding must be smaller than either"
              + " stride or dilation, got output padding " + Arrays.toString(outputPadding)
              + ", stride " + Arrays.toString(stride) + ", dilation "
              + Arrays.toString(dilation));
        }
      }
      if (transposed && pads == null) {
        throw new IllegalArgumentException("a transposed convolution takes explicit padding,"
            + " not " + named);
      }
      if (transposed && mode != PaddingMode.ZEROS) {
        throw new IllegalArgumentException("a transposed convolution pads with zeros only,"
            + " got padding mode " + mode.name().toLowerCase(Locale.ROOT));
      }
      return new ConvNdSpec(this);
    }

    private int[] perAxis(String what, int[] v, int min) {
      Objects.requireNonNull(v, what);
      if (v.length != 1 && v.length != rank) {
        throw new IllegalArgumentException(what + " takes 1 or " + rank + " values for "
            + rank + " spatial axes, got " + v.length);
      }
      int[] out = new int[rank];
      for (int i = 0; i < rank; i++) {
        out[i] = v[v.length == 1 ? 0 : i];
        if (out[i] < min) {
          throw new IllegalArgumentException(what + " must be "
              + (min == 0 ? "non-negative" : "positive") + ", got " + Arrays.toString(v));
        }
      }
      return out;
    }
  }
}
