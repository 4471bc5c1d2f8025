package org.vconv.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.vconv.Tensor;
import org.vconv.nn.Sequential;

/**
 * Distributed batch inference: the model is broadcast once, and every partition of a Dataset
 * of images runs through {@code mapPartitions}, in batches, on a network built from it on the
 * executor (one thread per task). The predictions are those of the same weights on one
 * machine, image for image.
 */
public final class BatchInference {
  private BatchInference() {}

  /** The prediction column's name: the class with the highest score (the first, on ties). */
  public static final String PREDICTION = "prediction";

  /**
   * {@code images} with a column {@value #PREDICTION} added (lazily: nothing runs until an
   * action).
   *
   * @param images rows with a binary column {@link ImageRows#IMAGE} of
   *     {@code model.input().pixels()} bytes; other columns are kept
   * @param model the network and its input normalisation, broadcast to the executors
   * @param batch images per forward pass, at least 1
   * @return the rows, in order, each with its predicted class
   * @throws IllegalArgumentException when {@code batch} is below 1 or there is no image column
   */
  public static Dataset<Row> predict(Dataset<Row> images, Model model, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    StructType in = images.schema();
    int column = in.getFieldIndex(ImageRows.IMAGE).getOrElse(() -> -1);
    if (column < 0 || !in.fields()[column].dataType().equals(DataTypes.BinaryType)) {
      throw new IllegalArgumentException("expected a binary column '" + ImageRows.IMAGE
          + "', got " + in.simpleString());
    }
    StructType out = in.add(PREDICTION, DataTypes.IntegerType, false);
    Broadcast<Model> shared = JavaSparkContext.fromSparkContext(
        images.sparkSession().sparkContext()).broadcast(model);
    return images.mapPartitions(
        (MapPartitionsFunction<Row, Row>) rows -> new Predictions(rows, shared.value(), column,
            batch), Encoders.row(out));
  }

  /**
   * The fraction of rows whose {@value #PREDICTION} equals their {@link ImageRows#LABEL}, in
   * one Spark job.
   *
   * @param predictions the result of {@link #predict} on labelled rows
   * @return the accuracy, 0 when there are no rows
   */
  public static double accuracy(Dataset<Row> predictions) {
    Row r = predictions.agg(
        functions.sum(functions.when(functions.col(ImageRows.LABEL)
            .equalTo(functions.col(PREDICTION)), 1L).otherwise(0L)),
        functions.count(functions.lit(1))).first();
    long n = r.getLong(1);
    return n == 0 ? 0 : (double) r.getLong(0) / n;
  }

  /** A partition's rows with predictions, a batch at a time. */
  private static final class Predictions implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final Model model;
    private final int column;
    private final int batch;
    private final List<Row> pending = new ArrayList<>();
    private Sequential net;
    private int[] predicted = new int[0];
    private int next;

    Predictions(Iterator<Row> rows, Model model, int column, int batch) {
      this.rows = rows;
      this.model = model;
      this.column = column;
      this.batch = batch;
    }

    @Override
    public boolean hasNext() {
      if (next < pending.size()) {
        return true;
      }
      pending.clear();
      next = 0;
      while (pending.size() < batch && rows.hasNext()) {
        pending.add(rows.next());
      }
      if (pending.isEmpty()) {
        return false;
      }
      if (net == null) {
        net = model.network();
      }
      ImageInput input = model.input();
      float[] x = new float[pending.size() * input.pixels()];
      for (int b = 0; b < pending.size(); b++) {
        input.normaliseInto((byte[]) pending.get(b).get(column), x, b);
      }
      predicted = net.predict(Tensor.of(x, pending.size(), 1, input.rows(), input.cols()));
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row r = pending.get(next);
      Object[] values = new Object[r.length() + 1];
      for (int i = 0; i < r.length(); i++) {
        values[i] = r.get(i);
      }
      values[r.length()] = predicted[next++];
      return RowFactory.create(values);
    }
  }
}
