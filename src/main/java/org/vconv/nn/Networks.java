package org.vconv.nn;

/**
 * Networks ready to train: the LeNet-5-sized CNN that {@code scripts/train} trains, on one
 * machine or on Spark.
 */
public final class Networks {
  private Networks() {}

  /**
   * A LeNet-5-sized CNN for 28 x 28 single-channel images: two 5x5 convolutions (the first
   * padded to keep 28 x 28) each followed by ReLU and 2x2 max pooling, then three dense layers
   * with ReLU between. The widths are the arguments; LeNet-5's are 6, 16, 120, 84.
   *
   * @param conv1 output channels of the first convolution, at least 1
   * @param conv2 output channels of the second convolution, at least 1
   * @param fc1 width of the first dense layer, at least 1
   * @param fc2 width of the second dense layer, at least 1
   * @param classes outputs of the last layer, at least 1
   * @return a new network with zero parameters (initialise them, e.g. with {@link HeInit})
   * @throws IllegalArgumentException when a width is below 1
   */
  public static Sequential lenet(int conv1, int conv2, int fc1, int fc2, int classes) {
    // the convolutions' paths are the planner's (Algorithm.AUTO): its rules for shallow
    // reductions, few filters and short rows pick what measured fastest on these layers
    return new Sequential(
        new Conv2d(1, conv1, 5, 1, 2),
        new ReLU(), new MaxPool2d(2),
        new Conv2d(conv1, conv2, 5, 1, 0),
        new ReLU(), new MaxPool2d(2),
        new Flatten(),
        new Linear(conv2 * 5 * 5, fc1), new ReLU(),
        new Linear(fc1, fc2), new ReLU(),
        new Linear(fc2, classes));
  }
}
