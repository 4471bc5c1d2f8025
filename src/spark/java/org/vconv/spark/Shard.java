package org.vconv.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * One partition's training images as a single object, so a cached RDD keeps them decoded
 * between rounds: the rows sorted by their index in the whole data set, which makes a
 * partition's content and order independent of how Spark fetched them.
 */
final class Shard implements Serializable {
  private static final long serialVersionUID = 1L;

  private final byte[][] images;
  private final int[] labels;

  Shard(byte[][] images, int[] labels) {
    this.images = images;
    this.labels = labels;
  }

  /** The rows of one partition, each with its index in the data set. */
  static Shard of(Iterator<Tuple2<Long, Row>> rows) {
    List<Tuple2<Long, Row>> all = new ArrayList<>();
    rows.forEachRemaining(all::add);
    all.sort(Comparator.comparingLong(Tuple2::_1));
    byte[][] images = new byte[all.size()][];
    int[] labels = new int[all.size()];
    for (int i = 0; i < all.size(); i++) {
      Row r = all.get(i)._2();
      images[i] = r.getAs(ImageRows.IMAGE);
      labels[i] = r.<Integer>getAs(ImageRows.LABEL);
    }
    return new Shard(images, labels);
  }

  int size() {
    return labels.length;
  }

  byte[] image(int i) {
    return images[i];
  }

  int label(int i) {
    return labels[i];
  }

  /**
   * The order of partition {@code partition}'s images in epoch {@code epoch}: a Fisher-Yates
   * shuffle from a {@link Random} seeded by the seed, the partition and the epoch.
   */
  int[] order(long seed, int partition, int epoch) {
    int[] o = new int[size()];
    for (int i = 0; i < o.length; i++) {
      o[i] = i;
    }
    Random r = new Random(seed + 1_000_003L * partition + epoch);
    for (int i = o.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
    return o;
  }
}
