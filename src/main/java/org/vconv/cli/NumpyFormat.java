package org.vconv.cli;

import org.vconv.Tensor;

/**
 * Formats a tensor the way NumPy prints an array: {@link #str} as {@code print(a)} and
 * {@link #repr} as the notebook's {@code a} at the end of a cell ({@code array([...])}).
 * Integral values print as NumPy's integer arrays do (right-aligned to the widest element);
 * other values use Java's shortest float text, which is close to NumPy's but not identical.
 * Rows are never wrapped (NumPy wraps past 75 characters; the demo's rows are shorter).
 */
final class NumpyFormat {
  private NumpyFormat() {}

  /** As {@code print(a)}. */
  static String str(Tensor t) {
    return format(t, " ", "", 0);
  }

  /** As {@code repr(a)}: {@code array([[1, 2], ...])}. */
  static String repr(Tensor t) {
    return "array(" + format(t, ", ", ",", "array(".length()) + ")";
  }

  private static String format(Tensor t, String elemSep, String rowEnd, int indent) {
    float[] d = t.data();
    String[] text = new String[d.length];
    int width = 0;
    for (int i = 0; i < d.length; i++) {
      text[i] = element(d[i]);
      width = Math.max(width, text[i].length());
    }
    int[] shape = t.shape();
    if (shape.length == 0) {
      return text[0];
    }
    StringBuilder b = new StringBuilder();
    append(b, text, width, shape, 0, 0, elemSep, rowEnd, indent);
    return b.toString();
  }

  /** Appends the sub-array at {@code axis} starting at flat index {@code offset}. */
  private static void append(StringBuilder b, String[] text, int width, int[] shape, int axis,
      int offset, String elemSep, String rowEnd, int indent) {
    b.append('[');
    int stride = 1;
    for (int i = axis + 1; i < shape.length; i++) {
      stride *= shape[i];
    }
    boolean last = axis == shape.length - 1;
    // between sub-arrays: a newline per remaining axis, then align under the opening bracket
    String sep = last ? elemSep
        : rowEnd + "\n".repeat(shape.length - axis - 1) + " ".repeat(indent + axis + 1);
    for (int i = 0; i < shape[axis]; i++) {
      if (i > 0) {
        b.append(sep);
      }
      if (last) {
        b.append(" ".repeat(width - text[offset + i].length())).append(text[offset + i]);
      } else {
        append(b, text, width, shape, axis + 1, offset + i * stride, elemSep, rowEnd, indent);
      }
    }
    b.append(']');
  }

  private static String element(float v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15f) {
      return Long.toString((long) v);
    }
    if (Float.isNaN(v)) {
      return "nan";
    }
    if (Float.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return Float.toString(v);
  }
}
