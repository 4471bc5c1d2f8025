package org.vconv.spark;

import java.io.Serializable;
import org.vconv.nn.Sequential;

/**
 * A trained network in a form Spark can broadcast: how to build it, its parameter values (as
 * {@link Sequential#parameterValues()} lays them out) and how its input is made from image
 * rows.
 *
 * @param factory builds the architecture
 * @param weights every parameter's values, in order
 * @param input how image rows become the network's input
 */
public record Model(NetworkFactory factory, float[] weights, ImageInput input)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * A new network with these weights, on one thread (an executor core).
   *
   * @return the network
   * @throws IllegalArgumentException when the weights do not fit the factory's network
   */
  public Sequential network() {
    Sequential net = factory.create();
    net.setParameterValues(weights);
    net.setThreads(1);
    return net;
  }
}
