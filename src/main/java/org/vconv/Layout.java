package org.vconv;

/**
 * Memory layout of activations and the weight layout that goes with it.
 *
 * <ul>
 *   <li>{@link #NCHW}: input {@code [N, C, H, W]}, weight {@code [K, C/groups, R, S]} (OIHW),
 *       output {@code [N, K, P, Q]} (PyTorch's default).
 *   <li>{@link #NHWC}: input {@code [N, H, W, C]}, weight {@code [R, S, C/groups, K]} (HWIO),
 *       output {@code [N, P, Q, K]} (TensorFlow's default).
 * </ul>
 */
public enum Layout {
  /** Channels first: input {@code [N, C, H, W]}, weight {@code [K, C/groups, R, S]}. */
  NCHW("NCHW", "OIHW"),
  /** Channels last: input {@code [N, H, W, C]}, weight {@code [R, S, C/groups, K]}. */
  NHWC("NHWC", "HWIO");

  private final String activation;
  private final String weight;

  Layout(String activation, String weight) {
    this.activation = activation;
    this.weight = weight;
  }

  /**
   * Axis names of input and output.
   *
   * @return e.g. "NCHW"
   */
  public String activationAxes() {
    return activation;
  }

  /**
   * Axis names of the weight.
   *
   * @return e.g. "OIHW"
   */
  public String weightAxes() {
    return weight;
  }

  /**
   * Parses a layout name.
   *
   * @param s "NCHW" or "NHWC", case-insensitive, surrounding blanks ignored
   * @return the layout
   * @throws IllegalArgumentException if {@code s} names no layout
   */
  public static Layout parse(String s) {
    java.util.Objects.requireNonNull(s, "layout");
    for (Layout l : values()) {
      if (l.name().equalsIgnoreCase(s.trim())) {
        return l;
      }
    }
    throw new IllegalArgumentException("layout must be NCHW or NHWC, got '" + s + "'");
  }
}
