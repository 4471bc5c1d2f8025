package org.vconv.spark;

import java.io.Serializable;
import org.vconv.nn.Sequential;

/**
 * Builds the network on every executor: Spark ships this (a serializable lambda or class), not
 * the network, whose layers hold buffers and are not serializable. Every call must build the
 * same architecture; the parameter values are set afterwards.
 */
@FunctionalInterface
public interface NetworkFactory extends Serializable {
  /**
   * A new network, its parameters in any state.
   *
   * @return a network of this factory's architecture
   */
  Sequential create();
}
