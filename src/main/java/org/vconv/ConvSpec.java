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

  /** Stride 1, no padding, dilation 1, one group, NCHW. */
  public static ConvSpec defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this spec's values. */
  public Builder toBuilder() {
    return new Builder()
        .stride(strideH, strideW)
        .padding(padding)
        .dilation(dilationH, dilationW)
        .groups(groups)
        .layout(layout);
  }

  public int strideH() {
    return strideH;
  }

  public int strideW() {
    return strideW;
  }

  public Padding padding() {
    return padding;
  }

  public int dilationH() {
    return dilationH;
  }

  public int dilationW() {
    return dilationW;
  }

  public int groups() {
    return groups;
  }

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

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private int strideH = 1;
    private int strideW = 1;
    private Padding padding = Padding.VALID;
    private int dilationH = 1;
    private int dilationW = 1;
    private int groups = 1;
    private Layout layout = Layout.NCHW;

    private Builder() {}

    public Builder stride(int s) {
      return stride(s, s);
    }

    public Builder stride(int sh, int sw) {
      this.strideH = positive("stride", sh);
      this.strideW = positive("stride", sw);
      return this;
    }

    public Builder padding(int p) {
      return padding(Padding.of(p));
    }

    public Builder padding(int ph, int pw) {
      return padding(Padding.of(ph, pw));
    }

    public Builder padding(Padding p) {
      this.padding = Objects.requireNonNull(p, "padding");
      return this;
    }

    public Builder dilation(int d) {
      return dilation(d, d);
    }

    public Builder dilation(int dh, int dw) {
      this.dilationH = positive("dilation", dh);
      this.dilationW = positive("dilation", dw);
      return this;
    }

    public Builder groups(int g) {
      this.groups = positive("groups", g);
      return this;
    }

    public Builder layout(Layout l) {
      this.layout = Objects.requireNonNull(l, "layout");
      return this;
    }

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
