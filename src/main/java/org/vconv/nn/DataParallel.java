package org.vconv.nn;

import java.util.ArrayList;
import java.util.List;
import org.vconv.Tensor;
import org.vconv.plan.ExecContext;
import org.vconv.simd.VectorProviders;

/**
 * Data parallelism inside one batch: the batch is cut into chunks of a fixed number of images,
 * each chunk runs forward and backward on its own replica of the network (single-threaded
 * kernels), chunks are spread over the threads, and the replicas' parameter gradients are
 * summed into the network's, weighted by chunk size, in chunk order. Small layers keep both
 * cores busy this way where splitting each layer's work across threads costs more in hand-offs
 * than it saves. The chunks depend only on the batch and the chunk size, never on the threads,
 * so the gradients are bitwise the same for any thread count (but differ in rounding from an
 * unchunked batch).
 *
 * <p>The replicas are copies: {@link #lossAndGradients} copies the network's parameter values
 * into them first, so an optimizer may update the network between calls. Not thread-safe.
 */
public final class DataParallel {
  private final Sequential net;
  private final int chunk;
  private final List<Sequential> replicas = new ArrayList<>();
  private final List<SoftmaxCrossEntropy> losses = new ArrayList<>();
  private final List<float[]> inputs = new ArrayList<>();
  private final List<int[]> targets = new ArrayList<>();
  private int threads;

  /**
   * Trains {@code net} in chunks of {@code chunk} images on up to {@code threads} threads.
   *
   * @param net the network whose parameter gradients {@link #lossAndGradients} overwrites
   * @param chunk images per chunk, at least 1
   * @param threads threads to spread the chunks over, at least 1
   * @throws IllegalArgumentException when {@code net} is null, or {@code chunk} or
   *     {@code threads} is below 1
   */
  public DataParallel(Sequential net, int chunk, int threads) {
    if (net == null) {
      throw new IllegalArgumentException("DataParallel: net is null");
    }
    if (chunk < 1 || threads < 1) {
      throw new IllegalArgumentException("DataParallel: chunk and threads must be >= 1, got "
          + chunk + " and " + threads);
    }
    this.net = net;
    this.chunk = chunk;
    this.threads = threads;
  }

  /**
   * Images per chunk.
   *
   * @return the chunk size given at construction
   */
  public int chunk() {
    return chunk;
  }

  /**
   * Spreads the chunks over up to {@code t} threads (the results do not change).
   *
   * @param t the thread count, at least 1
   * @throws IllegalArgumentException when {@code t} is below 1
   */
  public void setThreads(int t) {
    Buffers.checkThreads(t);
    threads = t;
  }

  /**
   * The mean softmax cross-entropy of the network on {@code x} ({@code [N, ...]}) against
   * {@code labels}; overwrites the network's parameter gradients with those of that mean.
   *
   * @param x the batch, {@code [N, ...]} with N >= 1, shaped as the network's input
   * @param labels N class indices, one per image
   * @return the mean loss over the N images
   * @throws IllegalArgumentException when {@code labels} does not hold N indices of the
   *     network's classes, or {@code x} does not fit the network
   */
  public double lossAndGradients(Tensor x, int[] labels) {
    if (x == null || x.rank() < 1 || labels == null || labels.length != x.dim(0)) {
      throw new IllegalArgumentException("DataParallel: expected a batch [N, ...] and N labels");
    }
    int n = x.dim(0);
    int chunks = Math.max(1, Math.ceilDiv(n, chunk));
    int per = n == 0 ? 0 : x.size() / n;
    while (replicas.size() < chunks) {
      Sequential r = net.copy();
      r.setThreads(1);
      replicas.add(r);
      losses.add(new SoftmaxCrossEntropy());
      inputs.add(new float[0]);
      targets.add(new int[0]);
    }
    List<Parameter> master = net.parameters();
    double[] chunkLoss = new double[chunks];
    ExecContext ctx = new ExecContext(threads, ExecContext.DEFAULT_WORKSPACE_BYTES,
        VectorProviders.get());
    ctx.parallelFor(chunks, c -> {
      int from = c * chunk;
      int m = Math.min(chunk, n - from);
      Sequential r = replicas.get(c);
      List<Parameter> mine = r.parameters();
      for (int p = 0; p < mine.size(); p++) {
        mine.get(p).copyValuesFrom(master.get(p));
      }
      if (inputs.get(c).length != m * per) { // a new chunk size: the batch's last, or a new one
        inputs.set(c, new float[m * per]);
        targets.set(c, new int[m]);
      }
      float[] part = inputs.get(c);
      int[] y = targets.get(c);
      System.arraycopy(x.data(), from * per, part, 0, m * per);
      System.arraycopy(labels, from, y, 0, m);
      int[] s = x.shape();
      s[0] = m;
      chunkLoss[c] = losses.get(c).forward(r.forward(Tensor.of(part, s)), y);
      r.backward(losses.get(c).backward());
    });
    double total = 0;
    for (int c = 0; c < chunks; c++) {
      int m = Math.min(chunk, n - c * chunk);
      float weight = (float) m / n;
      total += chunkLoss[c] * m;
      List<Parameter> src = replicas.get(c).parameters();
      for (int p = 0; p < master.size(); p++) {
        float[] g = master.get(p).grad().data();
        float[] s = src.get(p).grad().data();
        if (c == 0) {
          for (int i = 0; i < g.length; i++) {
            g[i] = weight * s[i];
          }
        } else {
          for (int i = 0; i < g.length; i++) {
            g[i] += weight * s[i];
          }
        }
      }
    }
    return total / n;
  }
}
