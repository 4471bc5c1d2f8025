package org.vconv.train;

import org.vconv.Algorithm;
import org.vconv.nn.Conv2d;
import org.vconv.nn.Flatten;
import org.vconv.nn.Linear;
import org.vconv.nn.MaxPool2d;
import org.vconv.nn.ReLU;
import org.vconv.nn.Sequential;

/** The networks scripts/train knows. */
public final class Networks {
  private Networks() {}

  /**
   * A LeNet-5-sized CNN for 28 x 28 single-channel images: two 5x5 convolutions (the first
   * padded to keep 28 x 28) each followed by ReLU and 2x2 max pooling, then three dense layers
   * with ReLU between. The widths are the arguments; LeNet-5's are 6, 16, 120, 84.
   */
  public static Sequential lenet(int conv1, int conv2, int fc1, int fc2, int classes) {
    // Algorithm.AUTO is tuned on ResNet-sized layers; on these, in chunks of 16-64 images on
    // one thread, im2col + GEMM was fastest for the single-channel first layer and implicit
    // GEMM for the second's forward and weight gradient (thread CPU time per pass)
    return new Sequential(
        new Conv2d(1, conv1, 5, 1, 2).setAlgorithms(Algorithm.IM2COL_GEMM,
            Algorithm.IM2COL_GEMM, Algorithm.IM2COL_GEMM),
        new ReLU(), new MaxPool2d(2),
        new Conv2d(conv1, conv2, 5, 1, 0).setAlgorithms(Algorithm.IMPLICIT_GEMM,
            Algorithm.IM2COL_GEMM, Algorithm.IMPLICIT_GEMM),
        new ReLU(), new MaxPool2d(2),
        new Flatten(),
        new Linear(conv2 * 5 * 5, fc1), new ReLU(),
        new Linear(fc1, fc2), new ReLU(),
        new Linear(fc2, classes));
  }
}
