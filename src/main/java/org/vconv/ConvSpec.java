package org.vconv;

import java.util.Objects;

/**
 * What a 2-D convolution computes, independent of the tensors it runs on: stride, padding,
 * dilation, groups and layout, with PyTorch's meaning ({@code torch.nn.functional.conv2d}).
 * Immutable and thread-safe: build one, keep it, use it from any thread.
 *
 * <pre>{@code
 * ConvSpec spec = ConvSpec.builder().stride(2).padding(Padding.SAME).groups(32).build();
 * }</pre>
 */
public final class ConvSpec {
  private final int strideH;
  private final int strideW;
  private final Padding padding;
  private final int dilationH;
  private final int dilationW;
  private final int groups;
  private final Layout layout;

  private ConvSpec(Builder b) {
    this.strideH = b.strideH;
    this.strideW = b.strideW;
    this.padding = b.padding;
    this.dilationH = b.dilationH;
    this.dilationW = b.dilationW;
    this.groups = b.groups;
    this.layout = b.layout;
  }

  /**
   * Stride 1, no padding, dilation 1, one group, NCHW.
   *
   * @return the default spec
   */
  public static ConvSpec defaults() {
    return builder().build();
  }

  /**
   * A builder starting from the defaults (see {@link #defaults()}).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this spec's values, to derive a changed spec.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder()
        .stride(strideH, strideW)
        .padding(padding)
        .dilation(dilationH, dilationW)
        .groups(groups)
        .layout(layout);
  }

  /**
   * The vertical stride.
   *
   * @return the stride along H, at least 1
   */
  public int strideH() {
    return strideH;
  }

  /**
   * The horizontal stride.
   *
   * @return the stride along W, at least 1
   */
  public int strideW() {
    return strideW;
  }

  /**
   * The padding, resolved against each input's shape when a call runs.
   *
   * @return the padding
   */
  public Padding padding() {
    return padding;
  }

  /**
   * The vertical dilation (distance between kernel taps).
   *
   * @return the dilation along H, at least 1
   */
  public int dilationH() {
    return dilationH;
  }

  /**
   * The horizontal dilation (distance between kernel taps).
   *
   * @return the dilation along W, at least 1
   */
  public int dilationW() {
    return dilationW;
  }

  /**
   * The number of groups: input and output channels are split into this many groups, each
   * convolved separately; C and K must be multiples of it ({@code groups = C} is depthwise).
   *
   * @return the group count, at least 1
   */
  public int groups() {
    return groups;
  }

  /**
   * The memory layout of activations and weights.
   *
   * @return the layout
   */
  public Layout layout() {
    return layout;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvSpec c
        && c.strideH == strideH && c.strideW == strideW && c.padding.equals(padding)
        && c.dilationH == dilationH && c.dilationW == dilationW && c.groups == groups
        && c.layout == layout;
  }

  @Override
  public int hashCode() {
    return Objects.hash(strideH, strideW, padding, dilationH, dilationW, groups, layout);
  }

  @Override
  public String toString() {
    return "ConvSpec[stride=" + strideH + "," + strideW + ", padding=" + padding
        + ", dilation=" + dilationH + "," + dilationW + ", groups=" + groups
        + ", layout=" + layout + "]";
  }

  /**
   * Mutable builder of a {@link ConvSpec}. Each setter checks its own values and throws
   * {@link IllegalArgumentException} at once; whether groups divide the channels is checked
   * against the tensors when a call runs. Not thread-safe.
   */
  public static final class Builder {
    private int strideH = 1;
    private int strideW = 1;
    private Padding padding = Padding.VALID;
    private int dilationH = 1;
    private int dilationW = 1;
    private int groups = 1;
    private Layout layout = Layout.NCHW;

    private Builder() {}

    /**
     * The same stride on both axes.
     *
     * @param s the stride, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code s < 1}
     */
    public Builder stride(int s) {
      return stride(s, s);
    }

    /**
     * Strides per axis.
     *
     * @param sh the stride along H, positive
     * @param sw the stride along W, positive
     * @return this builder
     * @throws IllegalArgumentException if either is below 1
     */
    public Builder stride(int sh, int sw) {
      this.strideH = positive("stride", sh);
      this.strideW = positive("stride", sw);
      return this;
    }

    /**
     * The same zero padding on all four sides.
     *
     * @param p the pad, non-negative
     * @return this builder
     * @throws IllegalArgumentException if {@code p < 0}
     */
    public Builder padding(int p) {
      return padding(Padding.of(p));
    }

    /**
     * Zero padding per axis, as PyTorch's {@code padding=(ph, pw)}.
     *
     * @param ph rows added at top and at bottom, non-negative
     * @param pw columns added at left and at right, non-negative
     * @return this builder
     * @throws IllegalArgumentException if either is negative
     */
    public Builder padding(int ph, int pw) {
      return padding(Padding.of(ph, pw));
    }

    /**
     * Any padding: explicit, asymmetric, {@link Padding#SAME} or {@link Padding#VALID}.
     *
     * @param p the padding
     * @return this builder
     * @throws NullPointerException if {@code p} is null
     */
    public Builder padding(Padding p) {
      this.padding = Objects.requireNonNull(p, "padding");
      return this;
    }

    /**
     * The same dilation on both axes.
     *
     * @param d the dilation, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code d < 1}
     */
    public Builder dilation(int d) {
      return dilation(d, d);
    }

    /**
     * Dilation per axis.
     *
     * @param dh the dilation along H, positive
     * @param dw the dilation along W, positive
     * @return this builder
     * @throws IllegalArgumentException if either is below 1
     */
    public Builder dilation(int dh, int dw) {
      this.dilationH = positive("dilation", dh);
      this.dilationW = positive("dilation", dw);
      return this;
    }

    /**
     * The group count.
     *
     * @param g the number of groups, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code g < 1}
     */
    public Builder groups(int g) {
      this.groups = positive("groups", g);
      return this;
    }

    /**
     * The layout of activations and weights.
     *
     * @param l the layout
     * @return this builder
     * @throws NullPointerException if {@code l} is null
     */
    public Builder layout(Layout l) {
      this.layout = Objects.requireNonNull(l, "layout");
      return this;
    }

    /**
     * The spec with the values set so far.
     *
     * @return a new immutable spec
     */
    public ConvSpec build() {
      return new ConvSpec(this);
    }

    private static int positive(String what, int v) {
      if (v <= 0) {
        throw new IllegalArgumentException(what + " must be positive, got " + v);
      }
      return v;
    }
  }
}
