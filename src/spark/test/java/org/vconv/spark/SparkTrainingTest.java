package org.vconv.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vconv.Tensor;
import org.vconv.data.LabelledImages;
import org.vconv.nn.HeInit;
import org.vconv.nn.Networks;
import org.vconv.nn.Sequential;

/**
 * The Spark artifact in local[2] mode on a small learnable task written here: 28 x 28 images
 * of four classes, each a bright square in one quadrant over noise.
 */
class SparkTrainingTest {
  private static final NetworkFactory SMALL = () -> Networks.lenet(4, 8, 16, 16, 4);
  private static final ImageInput INPUT = new ImageInput(28, 28, 1f / 255, 0.2f, 0.3f);

  private static SparkSession spark;
  private static LabelledImages train;
  private static LabelledImages test;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("vconv test")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    train = quadrants(400, 1);
    test = quadrants(200, 2);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** {@code n} images, class {@code i % 4}: a 9 x 9 square of 200-255 in its quadrant. */
  static LabelledImages quadrants(int n, long seed) {
    Random r = new Random(seed);
    float[] px = new float[n * 28 * 28];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int c = i % 4;
      labels[i] = c;
      for (int j = 0; j < 28 * 28; j++) {
        px[i * 784 + j] = r.nextInt(90);
      }
      int top = (c / 2) * 14 + 2 + r.nextInt(3);
      int left = (c % 2) * 14 + 2 + r.nextInt(3);
      for (int y = top; y < top + 9; y++) {
        for (int x = left; x < left + 9; x++) {
          px[i * 784 + y * 28 + x] = 200 + r.nextInt(56);
        }
      }
    }
    return new LabelledImages(px, labels, 28, 28);
  }

  @Test
  void oneRoundGivesTheMeanOfTheWorkersParameters() {
    // one round per epoch: each partition trains all of its 200 images, 10 batches
    var s = new ParameterAveraging.Settings(1, 20, 10, 0.05f, false, 0.9f, 5e-4f, 7, 100);
    Model spark1 = ParameterAveraging.fit(ImageRows.of(spark, train), 2, SMALL, INPUT, s, null);

    Sequential init = SMALL.create();
    HeInit.apply(init.parameters(), 7);
    var from = new Worker.State(init.parameterValues(), new float[init.parameterCount()]);
    float[][] mine = new float[2][];
    for (int p = 0; p < 2; p++) {
      mine[p] = new Worker(SMALL, s).train(shard(p, 2), p, 0, 0, s.rate(0), from, INPUT, s)
          .params();
    }
    assertFalse(Arrays.equals(mine[0], mine[1]), "the workers trained different images");
    assertFalse(Arrays.equals(mine[0], from.params()), "the workers trained");
    float[] mean = new float[mine[0].length];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (float) (((double) mine[0][i] + mine[1][i]) / 2);
    }
    assertArrayEquals(mean, spark1.weights());
  }

  @Test
  void partitionsHoldEveryWorkersRowsInOrder() {
    List<Shard> shards = ParameterAveraging.shards(ImageRows.of(spark, train), 3).collect();
    assertEquals(3, shards.size());
    for (int p = 0; p < 3; p++) {
      Shard want = shard(p, 3);
      assertEquals(want.size(), shards.get(p).size());
      for (int i = 0; i < want.size(); i++) {
        assertEquals(want.label(i), shards.get(p).label(i));
        assertArrayEquals(want.image(i), shards.get(p).image(i));
      }
    }
  }

  @Test
  void learnsTheTaskTheSameWayTwice() {
    var s = new ParameterAveraging.Settings(2, 16, 8, 0.02f, true, 0.9f, 5e-4f, 42, 2);
    Dataset<Row> rows = ImageRows.of(spark, train);
    double[] losses = new double[2];
    Model a = ParameterAveraging.fit(rows, 2, SMALL, INPUT, s, (e, l, m) -> losses[e] = l);
    Model b = ParameterAveraging.fit(rows, 2, SMALL, INPUT, s, null);
    assertArrayEquals(a.weights(), b.weights(), "the same seed and workers, the same bits");
    assertTrue(losses[1] < losses[0], "loss fell: " + Arrays.toString(losses));
    double acc = BatchInference.accuracy(BatchInference.predict(ImageRows.of(spark, test), a,
        50));
    assertTrue(acc > 0.9, "test accuracy " + acc + " on 4 classes");
  }

  @Test
  void inferenceGivesTheOneMachinePredictions() {
    Sequential net = SMALL.create();
    HeInit.apply(net.parameters(), 3);
    Model model = new Model(SMALL, net.parameterValues(), INPUT);
    List<Row> out = BatchInference.predict(ImageRows.of(spark, test).repartition(2), model, 16)
        .collectAsList();
    assertEquals(test.size(), out.size());

    int[] labels = new int[test.size()];
    int[] want = new int[test.size()];
    float[] x = new float[784];
    for (int i = 0; i < out.size(); i++) {
      Row r = out.get(i);
      INPUT.normaliseInto(r.getAs(ImageRows.IMAGE), x, 0);
      want[i] = model.network().predict(Tensor.of(x, 1, 1, 28, 28))[0];
      labels[i] = r.<Integer>getAs(ImageRows.LABEL);
      assertEquals(want[i], r.<Integer>getAs(BatchInference.PREDICTION), "row " + i);
    }
    int[] sorted = labels.clone();
    Arrays.sort(sorted);
    int[] all = new int[test.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = test.label(i);
    }
    Arrays.sort(all);
    assertArrayEquals(all, sorted, "every row came back once, with its label");
  }

  /** Partition {@code p} of {@code workers} as fit builds it: rows p, p + workers, ... */
  private static Shard shard(int p, int workers) {
    int n = (train.size() - p + workers - 1) / workers;
    byte[][] images = new byte[n][784];
    int[] labels = new int[n];
    float[] x = new float[784];
    int[] y = new int[1];
    int[] order = {0};
    for (int k = 0; k < n; k++) {
      order[0] = p + k * workers;
      train.batchInto(order, 0, 1, 1f, 0f, 1f, x, y);
      for (int j = 0; j < 784; j++) {
        images[k][j] = (byte) x[j];
      }
      labels[k] = y[0];
    }
    return new Shard(images, labels);
  }
}
