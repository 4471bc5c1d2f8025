/**
 * A small neural-network toolkit on vconv: layers with explicit forward and backward passes
 * ({@link org.vconv.nn.Conv2d}, {@link org.vconv.nn.ReLU}, {@link org.vconv.nn.MaxPool2d},
 * {@link org.vconv.nn.Flatten}, {@link org.vconv.nn.Linear}), a
 * {@link org.vconv.nn.Sequential} container, {@link org.vconv.nn.SoftmaxCrossEntropy} loss,
 * {@link org.vconv.nn.Sgd} with momentum and weight decay, and seeded He initialisation
 * ({@link org.vconv.nn.HeInit}). Shapes and arithmetic follow PyTorch's {@code torch.nn}
 * (NCHW activations, OIHW convolution weights, {@code [out, in]} linear weights).
 *
 * <pre>{@code
 * Sequential net = new Sequential(
 *     new Conv2d(1, 6, 5, 1, 2), new ReLU(), new MaxPool2d(2),
 *     new Flatten(), new Linear(6 * 14 * 14, 10));
 * HeInit.apply(net.parameters(), 42);
 * Sgd sgd = new Sgd(net.parameters(), 0.05f, 0.9f, 5e-4f);
 * SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
 * double l = loss.forward(net.forward(x), labels);
 * net.backward(loss.backward());
 * sgd.step();
 * }</pre>
 *
 * <p>Layers keep their outputs and gradients in buffers they own and reuse while the batch
 * shape stays the same, so a training loop allocates nothing per batch; a returned tensor is
 * valid until the layer's next call. A layer is therefore not thread-safe: give every thread
 * its own {@link org.vconv.nn.Layer#copy() copy}. Results are bitwise the same for any thread
 * count.
 */
package org.vconv.nn;
