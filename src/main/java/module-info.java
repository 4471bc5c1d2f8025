/**
 * vconv: multi-channel 2-D convolution, forward and backward, on the JDK Vector API.
 *
 * <p>The API is the package {@link org.vconv}, with {@link org.vconv.nn} (layers, loss and
 * optimiser for training) and {@link org.vconv.data} (IDX data sets); everything else
 * (planning, algorithms, GEMM, im2col, the SIMD kernels, the command line and the training
 * command) is internal. The SIMD kernels need
 * {@code --add-modules jdk.incubator.vector} at launch; without it vconv runs on its scalar
 * kernels with the same results up to rounding, and says so once through
 * {@link System.Logger} (logger {@code org.vconv}).
 */
module org.vconv {
  // optional: the Panama kernels load by name only when the module is in the boot layer
  requires static jdk.incubator.vector;
  // the command line silences the library's log line through java.util.logging
  requires java.logging;
  // C2's presence is read from the JVM's input arguments
  requires java.management;
  // only the training command's chart draws: resolved when a launch adds it
  requires static java.desktop;

  exports org.vconv;
  exports org.vconv.nn;
  exports org.vconv.data;
}
