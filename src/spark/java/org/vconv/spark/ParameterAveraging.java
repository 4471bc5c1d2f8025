package org.vconv.spark;

import java.io.Serializable;
import java.util.List;
import java.util.UUID;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.vconv.nn.HeInit;
import org.vconv.nn.Sequential;
import scala.Tuple2;

/**
 * Data-parallel training on Spark by parameter averaging (as dl4j-spark's
 * {@code ParameterAveragingTrainingMaster}, optimizer state included). The training rows are
 * split into {@code workers} partitions once (row {@code i} of the Dataset to partition
 * {@code i % workers}) and cached. Each epoch every partition shuffles its images, and the
 * epoch runs in rounds: in a round the driver broadcasts the parameters and the SGD momentum,
 * each partition's task trains {@link Settings#batchesPerRound()} batches of its own images
 * with vconv on one core, and the driver averages the tasks' parameters and momentum, each
 * weighted by the images it trained. With one batch per round this is synchronous SGD on
 * batches {@code workers} times as large; longer rounds cost less communication.
 *
 * <p>Results are bitwise the same for a given seed, data set and number of workers, whatever
 * the executors, their scheduling or their threads: partitions, orders and the averaging order
 * are fixed, and each task computes on one thread.
 */
public final class ParameterAveraging {
  private ParameterAveraging() {}

  /**
   * What training is configured with.
   *
   * @param epochs passes over the data, at least 1
   * @param batch images per SGD step on each worker, at least 1
   * @param chunk > 0: each batch in chunks of that many images ({@link org.vconv.nn.DataParallel},
   *     on one thread); 0: in one piece
   * @param lr the learning rate, > 0
   * @param cosine whether epoch {@code e} of {@code E} trains at
   *     {@code lr * (1 + cos(pi * e / E)) / 2} rather than {@code lr}
   * @param momentum SGD momentum, in [0, 1)
   * @param weightDecay SGD weight decay, >= 0
   * @param seed the initial weights' and the shuffles' seed
   * @param batchesPerRound SGD steps each worker takes between two averagings, at least 1
   */
  public record Settings(int epochs, int batch, int chunk, float lr, boolean cosine,
      float momentum, float weightDecay, long seed, int batchesPerRound)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Checks the values. */
    public Settings {
      if (epochs < 1 || batch < 1 || chunk < 0 || batchesPerRound < 1) {
        throw new IllegalArgumentException("need epochs, batch and batches per round >= 1 and"
            + " chunk >= 0, got " + epochs + ", " + batch + ", " + batchesPerRound + " and "
            + chunk);
      }
      if (!(lr > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
        throw new IllegalArgumentException("need lr > 0, momentum in [0, 1) and weight decay"
            + " >= 0, got " + lr + ", " + momentum + " and " + weightDecay);
      }
    }

    /**
     * The learning rate of epoch {@code epoch} (from 0).
     *
     * @param epoch the epoch, from 0
     * @return {@link #lr()}, or its cosine-scheduled value
     */
    public float rate(int epoch) {
      return cosine ? (float) (lr * (1 + Math.cos(Math.PI * epoch / epochs)) / 2) : lr;
    }
  }

  /** Told on the driver after every epoch. */
  @FunctionalInterface
  public interface EpochListener {
    /**
     * An epoch finished.
     *
     * @param epoch the epoch, from 0
     * @param meanLoss the mean training loss over the epoch's images
     * @param model the averaged network after the epoch
     */
    void epochDone(int epoch, double meanLoss, Model model);
  }

  /**
   * Trains a network built by {@code factory}, He-initialised from the seed, on
   * {@code train}.
   *
   * @param train rows of {@link ImageRows#SCHEMA}
   * @param workers partitions, each trained by one task per round
   * @param factory builds the network, on the driver and on every executor
   * @param input how the rows become the network's input
   * @param settings the optimizer, schedule and rounds
   * @param listener told after every epoch, or null
   * @return the trained model
   * @throws IllegalArgumentException when {@code workers} is below 1
   */
  public static Model fit(Dataset<Row> train, int workers, NetworkFactory factory,
      ImageInput input, Settings settings, EpochListener listener) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(
        train.sparkSession().sparkContext());
    JavaRDD<Shard> shards = shards(train, workers).persist(StorageLevel.MEMORY_ONLY());
    try {
      int most = shards.map(Shard::size).collect().stream().mapToInt(Integer::intValue).max()
          .orElse(0);
      int rounds = Math.max(1, Math.ceilDiv(Math.ceilDiv(most, settings.batch()),
          settings.batchesPerRound()));
      Sequential net = factory.create();
      HeInit.apply(net.parameters(), settings.seed());
      float[] params = net.parameterValues();
      Worker.State state = new Worker.State(params, new float[params.length]);
      String run = UUID.randomUUID().toString();
      for (int e = 0; e < settings.epochs(); e++) {
        float lr = settings.rate(e);
        double lossSum = 0;
        long images = 0;
        for (int r = 0; r < rounds; r++) {
          List<Worker.Update> updates = round(jsc, shards, run, e, r, lr, state, factory,
              input, settings);
          for (Worker.Update u : updates) {
            lossSum += u.lossSum();
            images += u.images();
          }
          state = average(updates, state);
        }
        if (listener != null) {
          listener.epochDone(e, lossSum / Math.max(1, images),
              new Model(factory, state.params().clone(), input));
        }
      }
      return new Model(factory, state.params(), input);
    } finally {
      shards.unpersist(false);
    }
  }

  /** Row {@code i} of {@code rows} to partition {@code i % workers}, one Shard a partition. */
  static JavaRDD<Shard> shards(Dataset<Row> rows, int workers) {
    return rows.javaRDD().zipWithIndex()
        .mapToPair(t -> new Tuple2<>(t._2(), t._1()))
        // a Long key's hash is itself below 2^31: partition = index % workers
        .partitionBy(new HashPartitioner(workers))
        .mapPartitions(it -> List.of(Shard.of(it)).iterator(), true);
  }

  /** One round: every partition trains from {@code state}; the updates in partition order. */
  private static List<Worker.Update> round(JavaSparkContext jsc, JavaRDD<Shard> shards,
      String run, int epoch, int round, float lr, Worker.State state, NetworkFactory factory,
      ImageInput input, Settings s) {
    Broadcast<Worker.State> from = jsc.broadcast(state);
    try {
      return shards.mapPartitionsWithIndex((p, it) -> {
        Shard shard = it.next();
        Worker w = Worker.cached(run, p, factory, s);
        return List.of(w.train(shard, p, epoch, round, lr, from.value(), input, s)).iterator();
      }, true).collect();
    } finally {
      from.destroy();
    }
  }

  /**
   * The updates' parameters and momentum averaged, each weighted by its images, summed in
   * double in partition order; {@code previous} when no update trained an image.
   */
  static Worker.State average(List<Worker.Update> updates, Worker.State previous) {
    long total = updates.stream().mapToLong(Worker.Update::images).sum();
    if (total == 0) {
      return previous;
    }
    int n = previous.params().length;
    float[] params = new float[n];
    float[] momentum = new float[n];
    double[] weights = updates.stream().mapToDouble(u -> (double) u.images() / total).toArray();
    for (int i = 0; i < n; i++) {
      double p = 0;
      double m = 0;
      for (int k = 0; k < weights.length; k++) {
        p += weights[k] * updates.get(k).params()[i];
        m += weights[k] * updates.get(k).momentum()[i];
      }
      params[i] = (float) p;
      momentum[i] = (float) m;
    }
    return new Worker.State(params, momentum);
  }
}
