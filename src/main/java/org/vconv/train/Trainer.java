package org.vconv.train;

import java.util.Random;
import org.vconv.Tensor;
import org.vconv.data.LabelledImages;
import org.vconv.nn.DataParallel;
import org.vconv.nn.Sequential;
import org.vconv.nn.Sgd;
import org.vconv.nn.SoftmaxCrossEntropy;

/**
 * Mini-batch training and evaluation of a classifier on {@link LabelledImages}: batches in a
 * given order, each normalised as {@code (p * scale - mean) / std}, softmax cross-entropy,
 * one {@link Sgd} step per batch. Holds the batch buffers, so a loop allocates nothing per
 * batch. Not thread-safe.
 */
public final class Trainer {
  /**
   * What a training run is configured with.
   *
   * @param batch images per SGD step
   * @param chunk > 0: each batch is trained in chunks of that many images
   *     ({@link DataParallel}); 0: in one piece, with the layers' own threads
   * @param lr the learning rate (the optimizer's until changed)
   * @param momentum SGD momentum
   * @param weightDecay SGD weight decay
   * @param scale pixels are multiplied by this ({@code 1/255} for bytes)
   * @param mean subtracted after scaling
   * @param std divided by last
   */
  public record Settings(int batch, int chunk, float lr, float momentum, float weightDecay,
      float scale, float mean, float std) {
    /** Checks the values. */
    public Settings {
      if (batch < 1) {
        throw new IllegalArgumentException("batch size must be >= 1, got " + batch);
      }
      if (chunk < 0) {
        throw new IllegalArgumentException("chunk must be >= 0, got " + chunk);
      }
      if (!(std > 0)) {
        throw new IllegalArgumentException("std must be > 0, got " + std);
      }
    }
  }

  /** Called after every batch with the images done so far and the epoch's mean loss. */
  public interface Progress {
    /** A batch finished. */
    void batchDone(int imagesDone, double meanLoss);
  }

  private final Sequential net;
  private final Settings settings;
  private final Sgd sgd;
  private final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
  private final DataParallel parallel;
  private float[] x = new float[0];
  private int[] y = new int[0];

  /**
   * A trainer of {@code net} with a fresh optimizer over its parameters; chunks run on up to
   * {@code threads} threads.
   */
  public Trainer(Sequential net, Settings settings, int threads) {
    this.net = net;
    this.settings = settings;
    this.sgd = new Sgd(net.parameters(), settings.lr(), settings.momentum(),
        settings.weightDecay());
    this.parallel = settings.chunk() > 0 ? new DataParallel(net, settings.chunk(), threads)
        : null;
  }

  /** The network being trained. */
  public Sequential network() {
    return net;
  }

  /** The optimizer (to change the learning rate, or reset momentum). */
  public Sgd optimizer() {
    return sgd;
  }

  /**
   * One pass over {@code order[from..to)} in batches of {@link Settings#batch()} (the last may
   * be smaller); returns the mean of the batches' losses weighted by batch size.
   */
  public double trainEpoch(LabelledImages data, int[] order, int from, int to,
      Progress progress) {
    int b = settings.batch();
    double lossSum = 0;
    for (int at = from; at < to; at += b) {
      int n = Math.min(b, to - at);
      Tensor batch = load(data, order, at, n);
      double l;
      if (parallel != null) {
        l = parallel.lossAndGradients(batch, y);
      } else {
        l = loss.forward(net.forward(batch), y);
        net.backward(loss.backward());
      }
      sgd.step();
      lossSum += l * n;
      if (progress != null) {
        progress.batchDone(at + n - from, lossSum / (at + n - from));
      }
    }
    return lossSum / Math.max(1, to - from);
  }

  /** The fraction of {@code data} the network classifies correctly, in batches of {@code batch}. */
  public double accuracy(LabelledImages data, int batch) {
    int[] all = identity(data.size());
    int correct = 0;
    for (int at = 0; at < data.size(); at += batch) {
      int n = Math.min(batch, data.size() - at);
      int[] predicted = net.predict(load(data, all, at, n));
      for (int i = 0; i < n; i++) {
        correct += predicted[i] == y[i] ? 1 : 0;
      }
    }
    return data.size() == 0 ? 0 : (double) correct / data.size();
  }

  /** Batch {@code order[at..at+n)} into the buffers, reallocated only when n changes. */
  private Tensor load(LabelledImages data, int[] order, int at, int n) {
    int px = data.rows() * data.cols();
    if (x.length != n * px) {
      x = new float[n * px];
    }
    if (y.length != n) {
      y = new int[n];
    }
    data.batchInto(order, at, at + n, settings.scale(), settings.mean(), settings.std(), x, y);
    return Tensor.of(x, n, 1, data.rows(), data.cols());
  }

  /**
   * The learning rate of epoch {@code epoch} (from 0) of {@code epochs} on a cosine schedule
   * stepped per epoch: {@code lr * (1 + cos(pi * epoch / epochs)) / 2}, computed in double.
   */
  public static float cosineRate(float lr, int epoch, int epochs) {
    return (float) (lr * (1 + Math.cos(Math.PI * epoch / epochs)) / 2);
  }

  /** {@code 0, 1, ..., n-1}. */
  public static int[] identity(int n) {
    int[] o = new int[n];
    for (int i = 0; i < n; i++) {
      o[i] = i;
    }
    return o;
  }

  /**
   * The order of epoch {@code epoch}'s images: a Fisher-Yates shuffle of {@code 0..n-1} from
   * {@code new Random(seed + epoch)}, the same on every JVM.
   */
  public static int[] shuffle(int n, long seed, int epoch) {
    int[] o = identity(n);
    Random r = new Random(seed + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
    return o;
  }
}
