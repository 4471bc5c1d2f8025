package org.vconv.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.vconv.Tensor;
import org.vconv.nn.DataParallel;
import org.vconv.nn.Sequential;
import org.vconv.nn.Sgd;
import org.vconv.nn.SoftmaxCrossEntropy;

/**
 * An executor's side of a round of parameter averaging: from the driver's parameters and
 * momentum, SGD steps on a range of the partition's batches, and back the new parameters and
 * momentum. Kept between rounds per partition in the executor's JVM only to reuse the
 * network's buffers: every round overwrites its whole state, so results never depend on
 * whether a cached worker was there.
 */
final class Worker {
  /** The parameters and momentum the driver sends out: its average of the last round. */
  record State(float[] params, float[] momentum) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** What a worker sends back; {@code images} weighs it in the average. */
  record Update(int partition, float[] params, float[] momentum, double lossSum, int images)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  private static final Map<String, Worker> CACHE = new HashMap<>();
  private static String cacheRun = "";

  private final Sequential net;
  private final Sgd sgd;
  private final DataParallel parallel;
  private final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
  private float[] x = new float[0];
  private int[] y = new int[0];

  Worker(NetworkFactory factory, ParameterAveraging.Settings s) {
    net = factory.create();
    net.setThreads(1);
    sgd = new Sgd(net.parameters(), s.lr(), s.momentum(), s.weightDecay());
    parallel = s.chunk() > 0 ? new DataParallel(net, s.chunk(), 1) : null;
  }

  /** The worker of partition {@code partition} in run {@code run}; other runs' are dropped. */
  static Worker cached(String run, int partition, NetworkFactory factory,
      ParameterAveraging.Settings s) {
    synchronized (CACHE) {
      if (!cacheRun.equals(run)) {
        CACHE.clear();
        cacheRun = run;
      }
      return CACHE.computeIfAbsent(run + "/" + partition, k -> new Worker(factory, s));
    }
  }

  /**
   * Trains batches {@code [round * k, (round + 1) * k)} of the partition's epoch order
   * ({@code k} = batches per round) at learning rate {@code lr}, starting from {@code from}.
   */
  Update train(Shard shard, int partition, int epoch, int round, float lr, State from,
      ImageInput input, ParameterAveraging.Settings s) {
    net.setParameterValues(from.params());
    sgd.setMomentumValues(from.momentum());
    sgd.setLearningRate(lr);
    int[] order = shard.order(s.seed(), partition, epoch);
    long per = (long) s.batchesPerRound() * s.batch();
    int start = (int) Math.min(shard.size(), round * per);
    int end = (int) Math.min(shard.size(), start + per);
    double lossSum = 0;
    for (int at = start; at < end; at += s.batch()) {
      int n = Math.min(s.batch(), end - at);
      Tensor batch = load(shard, order, at, n, input);
      double l;
      if (parallel != null) {
        l = parallel.lossAndGradients(batch, y);
      } else {
        l = loss.forward(net.forward(batch), y);
        net.backward(loss.backward());
      }
      sgd.step();
      lossSum += l * n;
    }
    return new Update(partition, net.parameterValues(), sgd.momentumValues(), lossSum,
        end - start);
  }

  private Tensor load(Shard shard, int[] order, int at, int n, ImageInput input) {
    int px = input.pixels();
    if (x.length != n * px) {
      x = new float[n * px];
      y = new int[n];
    }
    for (int b = 0; b < n; b++) {
      input.normaliseInto(shard.image(order[at + b]), x, b);
      y[b] = shard.label(order[at + b]);
    }
    return Tensor.of(x, n, 1, input.rows(), input.cols());
  }
}
