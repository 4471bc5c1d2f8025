package org.vconv;

/**
 * The result of a backward pass. A component is {@code null} when it was not asked for.
 *
 * @param input gradient of the input, shaped like the input
 * @param weight gradient of the weight, shaped like the weight
 * @param bias gradient of the bias, shape {@code [K]}
 */
public record Gradients(Tensor input, Tensor weight, Tensor bias) {}
