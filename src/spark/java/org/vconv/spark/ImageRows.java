package org.vconv.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.vconv.data.LabelledImages;

/**
 * Labelled images as Spark rows: a binary column {@value #IMAGE} of {@code rows * cols}
 * unsigned 8-bit pixels, row-major (as an IDX {@code ubyte} file stores them), and an integer
 * column {@value #LABEL}, the class.
 */
public final class ImageRows {
  private ImageRows() {}

  /** The pixel column's name. */
  public static final String IMAGE = "image";
  /** The label column's name. */
  public static final String LABEL = "label";
  /** The schema: {@value #IMAGE} binary, {@value #LABEL} integer, neither null. */
  public static final StructType SCHEMA = new StructType()
      .add(IMAGE, DataTypes.BinaryType, false)
      .add(LABEL, DataTypes.IntegerType, false);

  /**
   * {@code images} as a Dataset in the driver's memory.
   *
   * @param spark the session
   * @param images images whose pixels are whole numbers in {@code [0, 255]}
   * @return one row per image, in order
   * @throws IllegalArgumentException when a pixel is not a byte value
   */
  public static Dataset<Row> of(SparkSession spark, LabelledImages images) {
    int px = images.rows() * images.cols();
    float[] raw = new float[px];
    int[] label = new int[1];
    int[] order = new int[images.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    List<Row> rows = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      images.batchInto(order, i, i + 1, 1f, 0f, 1f, raw, label);
      byte[] b = new byte[px];
      for (int j = 0; j < px; j++) {
        float v = raw[j];
        if (!(v >= 0 && v <= 255 && v == Math.rint(v))) {
          throw new IllegalArgumentException("image " + i + ", pixel " + j + " is " + v
              + ", not an unsigned byte");
        }
        b[j] = (byte) v;
      }
      rows.add(RowFactory.create(b, label[0]));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }
}
