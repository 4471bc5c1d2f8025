package org.vconv.spark;

import java.io.Serializable;

/**
 * How an image row becomes the network's input: {@code rows x cols} unsigned 8-bit pixels
 * (the {@link ImageRows#IMAGE} column), each mapped to {@code (p * scale - mean) / std}, as
 * {@link org.vconv.data.LabelledImages#batchInto} does on one machine.
 *
 * @param rows pixel rows per image, at least 1
 * @param cols pixel columns per image, at least 1
 * @param scale multiplies each pixel first (e.g. {@code 1 / 255f})
 * @param mean subtracted after scaling
 * @param std divides the result, > 0
 */
public record ImageInput(int rows, int cols, float scale, float mean, float std)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks the values. */
  public ImageInput {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException("images must be at least 1 x 1, got " + rows + " x "
          + cols);
    }
    if (!(std > 0) || !Float.isFinite(scale) || !Float.isFinite(mean)) {
      throw new IllegalArgumentException("need finite scale and mean and std > 0, got " + scale
          + ", " + mean + ", " + std);
    }
  }

  /**
   * Pixels per image.
   *
   * @return {@code rows * cols}
   */
  public int pixels() {
    return rows * cols;
  }

  /**
   * Writes image {@code b} of a batch: {@code pixels} normalised into {@code x} from
   * {@code b * pixels()}.
   *
   * @param pixels {@link #pixels()} unsigned bytes
   * @param x the batch buffer
   * @param b the image's place in the batch
   * @throws IllegalArgumentException when {@code pixels} has another length
   */
  public void normaliseInto(byte[] pixels, float[] x, int b) {
    int px = pixels();
    if (pixels.length != px) {
      throw new IllegalArgumentException("expected an image of " + rows + " x " + cols + " = "
          + px + " bytes, got " + pixels.length);
    }
    float inv = 1f / std;
    for (int i = 0; i < px; i++) {
      x[b * px + i] = ((pixels[i] & 0xFF) * scale - mean) * inv;
    }
  }
}
