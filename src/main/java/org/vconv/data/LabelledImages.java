package org.vconv.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Single-channel images with a class label each, as the MNIST family ships them: an IDX
 * file of {@code [count, rows, cols]} pixels and an IDX file of {@code [count]} labels.
 * Immutable. {@link #batchInto} copies a batch into a network's input, normalised.
 */
public final class LabelledImages {
  private final float[] pixels;
  private final int[] labels;
  private final int rows;
  private final int cols;

  /**
   * Images and labels held in memory (not copied).
   *
   * @param pixels {@code count * rows * cols} values, image after image, row-major
   * @param labels {@code count} class indices, each >= 0
   * @param rows pixel rows per image, at least 1
   * @param cols pixel columns per image, at least 1
   * @throws IllegalArgumentException when an array is null, {@code rows} or {@code cols} is
   *     below 1, the sizes do not match or a label is negative
   */
  public LabelledImages(float[] pixels, int[] labels, int rows, int cols) {
    if (pixels == null || labels == null) {
      throw new IllegalArgumentException("pixels and labels must not be null");
    }
    if (rows < 1 || cols < 1 || (long) labels.length * rows * cols != pixels.length) {
      throw new IllegalArgumentException("expected " + labels.length + " images of " + rows
          + " x " + cols + " pixels, got " + pixels.length + " values");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("label " + i + " is negative: " + labels[i]);
      }
    }
    this.pixels = pixels;
    this.labels = labels;
    this.rows = rows;
    this.cols = cols;
  }

  /**
   * Reads an image file and a label file in IDX format (plain or gzip).
   *
   * @param images the IDX file of {@code [count, rows, cols]} pixels
   * @param labels the IDX file of {@code [count]} labels
   * @return the images, pixel values as stored in the file (not normalised)
   * @throws IllegalArgumentException naming the file when either is malformed, the images
   *     are not {@code [count, rows, cols]}, the labels not {@code [count]} whole numbers
   *     >= 0, or the counts differ
   * @throws IOException naming the file when either cannot be read
   */
  public static LabelledImages read(Path images, Path labels) throws IOException {
    Idx.Array im = Idx.read(images);
    if (im.shape().length != 3) {
      throw new IllegalArgumentException(images + ": expected images [count, rows, cols],"
          + " got IDX shape " + Arrays.toString(im.shape()));
    }
    Idx.Array lb = Idx.read(labels);
    if (lb.shape().length != 1) {
      throw new IllegalArgumentException(labels + ": expected labels [count], got IDX shape "
          + Arrays.toString(lb.shape()));
    }
    if (lb.count() != im.count()) {
      throw new IllegalArgumentException(labels + ": " + lb.count() + " labels for "
          + im.count() + " images in " + images);
    }
    int[] classes = new int[lb.count()];
    for (int i = 0; i < classes.length; i++) {
      float v = lb.values()[i];
      if (v < 0 || v != Math.rint(v)) {
        throw new IllegalArgumentException(labels + ": label " + i + " is " + v
            + ", not a class index >= 0");
      }
      classes[i] = (int) v;
    }
    return new LabelledImages(im.values(), classes, im.shape()[1], im.shape()[2]);
  }

  /**
   * Number of images.
   *
   * @return the image count, >= 0
   */
  public int size() {
    return labels.length;
  }

  /**
   * Pixel rows per image.
   *
   * @return the rows, at least 1
   */
  public int rows() {
    return rows;
  }

  /**
   * Pixel columns per image.
   *
   * @return the columns, at least 1
   */
  public int cols() {
    return cols;
  }

  /**
   * The label of image {@code i}.
   *
   * @param i the image's index, in {@code [0, size())}
   * @return its class index, >= 0
   */
  public int label(int i) {
    return labels[i];
  }

  /**
   * One more than the largest label (0 when empty).
   *
   * @return the number of classes the labels imply
   */
  public int classes() {
    return Arrays.stream(labels).max().orElse(-1) + 1;
  }

  /**
   * The mean and standard deviation of every pixel times {@code scale}, summed in double in
   * image and pixel order: the {@code mean} and {@code std} that {@link #batchInto} then
   * takes to standardise a network's input.
   *
   * @param scale multiplies each stored pixel first (e.g. {@code 1 / 255f})
   * @return a new array {@code {mean, std}}, the deviation at least {@code 1e-6}
   */
  public double[] pixelMeanStd(float scale) {
    double sum = 0;
    double sq = 0;
    for (float p : pixels) {
      float v = p * scale;
      sum += v;
      sq += (double) v * v;
    }
    double n = Math.max(1.0, pixels.length);
    double mean = sum / n;
    return new double[] {mean, Math.sqrt(Math.max(1e-12, sq / n - mean * mean))};
  }

  /**
   * The images {@code [from, to)} as a new set sharing nothing with this one.
   *
   * @param from the first image's index, inclusive
   * @param to the last image's index, exclusive
   * @return copies of those images and their labels
   * @throws IllegalArgumentException unless {@code 0 <= from <= to <= size()}
   */
  public LabelledImages slice(int from, int to) {
    if (from < 0 || to > size() || from > to) {
      throw new IllegalArgumentException("slice [" + from + ", " + to + ") of " + size()
          + " images");
    }
    int px = rows * cols;
    return new LabelledImages(Arrays.copyOfRange(pixels, from * px, to * px),
        Arrays.copyOfRange(labels, from, to), rows, cols);
  }

  /**
   * Overwrites {@code x} with the images {@code order[from..to)}, each pixel as
   * {@code (p * scale - mean) / std}, in {@code [to - from, 1, rows, cols]} order, and
   * {@code y[0..to - from)} with their labels.
   *
   * @param order image indices, e.g. a shuffled permutation of {@code [0, size())}
   * @param from the first position in {@code order}, inclusive
   * @param to the last position in {@code order}, exclusive
   * @param scale multiplies each stored pixel first (e.g. {@code 1 / 255f})
   * @param mean subtracted after scaling
   * @param std divides the result
   * @param x overwritten from index 0 with {@code (to - from) * rows * cols} pixels; the rest
   *     is left as it was
   * @param y overwritten from index 0 with {@code to - from} labels; the rest is left as it was
   * @throws IllegalArgumentException when {@code x} or {@code y} is too small or an index is
   *     out of range
   */
  public void batchInto(int[] order, int from, int to, float scale, float mean, float std,
      float[] x, int[] y) {
    int n = to - from;
    int px = rows * cols;
    if (from < 0 || n < 0 || to > order.length || x.length < n * px || y.length < n) {
      throw new IllegalArgumentException("batch [" + from + ", " + to + ") of " + order.length
          + " needs " + n * px + " floats and " + n + " labels, got " + x.length + " and "
          + y.length);
    }
    float inv = 1f / std;
    for (int b = 0; b < n; b++) {
      int img = order[from + b];
      if (img < 0 || img >= size()) {
        throw new IllegalArgumentException("image index " + img + " outside [0, " + size()
            + ")");
      }
      for (int i = 0; i < px; i++) {
        x[b * px + i] = (pixels[img * px + i] * scale - mean) * inv;
      }
      y[b] = labels[img];
    }
  }

  @Override
  public String toString() {
    return "LabelledImages[" + size() + " x " + rows + " x " + cols + "]";
  }
}
