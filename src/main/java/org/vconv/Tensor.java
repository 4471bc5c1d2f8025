package org.vconv;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense float32 array in C order (last axis fastest) with a fixed shape. The shape is
 * immutable; the data array is the caller's and is not copied, so writes through
 * {@link #data()} are visible (that is how {@code ...Into} calls write results).
 */
public final class Tensor {
  private final float[] data;
  private final int[] shape;

  private Tensor(float[] data, int[] shape) {
    this.data = data;
    this.shape = shape;
  }

  /**
   * Wraps {@code data} (not copied) with the given shape.
   *
   * @param data the elements in C order; the tensor reads and writes this array
   * @param shape the dimensions, each non-negative (copied)
   * @return a tensor over {@code data}
   * @throws IllegalArgumentException when a dimension is negative, the element count overflows
   *     int, or {@code data.length} is not the product of the shape
   */
  public static Tensor of(float[] data, int... shape) {
    Objects.requireNonNull(data, "data");
    int[] s = Objects.requireNonNull(shape, "shape").clone();
    long count = elementCount(s);
    if (data.length != count) {
      throw new IllegalArgumentException(
          "data length " + data.length + " does not match shape " + Arrays.toString(s)
              + " (" + count + " elements)");
    }
    return new Tensor(data, s);
  }

  /**
   * A new tensor of zeros.
   *
   * @param shape the dimensions, each non-negative (copied)
   * @return a tensor over a new array
   * @throws IllegalArgumentException when a dimension is negative or the element count
   *     overflows int
   */
  public static Tensor zeros(int... shape) {
    int[] s = Objects.requireNonNull(shape, "shape").clone();
    return new Tensor(new float[(int) elementCount(s)], s);
  }

  /** Product of the dimensions; throws if a dimension is negative or the product exceeds int. */
  static long elementCount(int[] shape) {
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
    }
    if (Arrays.stream(shape).anyMatch(d -> d == 0)) {
      return 0; // empty, however large the other dimensions
    }
    long n = 1;
    for (int d : shape) {
      n *= d;
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " has more elements than a Java array can hold");
      }
    }
    return n;
  }

  /**
   * The backing array (live, not a copy).
   *
   * @return the array the tensor reads and writes
   */
  public float[] data() {
    return data;
  }

  /**
   * The dimensions.
   *
   * @return a copy of the shape
   */
  public int[] shape() {
    return shape.clone();
  }

  /**
   * The number of axes.
   *
   * @return the rank
   */
  public int rank() {
    return shape.length;
  }

  /**
   * One dimension.
   *
   * @param axis the axis, {@code 0 <= axis < rank()}
   * @return the extent of that axis
   * @throws ArrayIndexOutOfBoundsException if there is no such axis
   */
  public int dim(int axis) {
    return shape[axis];
  }

  /**
   * The number of elements.
   *
   * @return the product of the dimensions
   */
  public int size() {
    return data.length;
  }

  /**
   * The element at the given indices.
   *
   * @param idx one index per axis
   * @return the element
   * @throws IllegalArgumentException if the number of indices is not the rank
   * @throws IndexOutOfBoundsException if an index is outside its axis
   */
  public float get(int... idx) {
    if (idx.length != shape.length) {
      throw new IllegalArgumentException(
          "expected " + shape.length + " indices, got " + idx.length);
    }
    int off = 0;
    for (int i = 0; i < idx.length; i++) {
      Objects.checkIndex(idx[i], shape[i]);
      off = off * shape[i] + idx[i];
    }
    return data[off];
  }

  /**
   * A deep copy.
   *
   * @return a tensor of the same shape over a copy of the data
   */
  public Tensor copy() {
    return new Tensor(data.clone(), shape);
  }

  boolean sameShape(int... other) {
    return Arrays.equals(shape, other);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
