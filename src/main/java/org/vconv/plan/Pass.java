package org.vconv.plan;

/** The three passes of a convolution, each planned on its own. */
public enum Pass {
  /** {@code y = conv(x, w) + bias}. */
  FORWARD("fwd"),
  /** The input gradient {@code dx}. */
  BACKWARD_DATA("bwd_data"),
  /** The weight gradient {@code dw}. */
  BACKWARD_WEIGHT("bwd_weight");

  private final String label;

  Pass(String label) {
    this.label = label;
  }

  /** The short name plans print, oneDNN's: "fwd", "bwd_data" or "bwd_weight". */
  public String label() {
    return label;
  }

  /** The pass whose {@link #label} is {@code label}, or null. */
  public static Pass byLabel(String label) {
    for (Pass p : values()) {
      if (p.label.equals(label)) {
        return p;
      }
    }
    return null;
  }
}
