package org.vconv.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.vconv.data.LabelledImages;
import org.vconv.nn.Networks;

/**
 * {@code scripts/train --spark MASTER}'s Java side: trains the LeNet-5-sized network of
 * {@code scripts/train} on Spark by {@link ParameterAveraging}, evaluates the test images by
 * {@link BatchInference} after every epoch, and ends with the line
 * {@code test accuracy A after E epochs}. Exit status 0, or 2 with one line on stderr.
 */
public final class SparkTrainCommand {
  private SparkTrainCommand() {}

  static final String HELP = """
      usage: SparkTrainCommand --master MASTER --data DIR [options]

      Trains scripts/train's LeNet-5-sized CNN on Spark (MASTER, e.g. local[2]) by parameter
      averaging: the training images in one partition per task slot, each epoch in rounds
      of ROUND batches per partition, the parameters and SGD momentum averaged after each.
      The test accuracy after every epoch by distributed inference, and last
      'test accuracy A after E epochs'.

      options:
        --epochs E            default 5
        --batch B             per partition and SGD step; default 64
        --chunk C             default 32; 0: whole batches
        --lr LR               default 0.02
        --schedule S          cosine (default) or constant
        --momentum M          default 0.9
        --weight-decay WD     default 5e-4
        --seed S              default 42
        --widths C1,C2,F1,F2  default 16,32,120,84
        --limit N             train on the first N training images only
        --round K             batches each partition trains between averagings; default 8
        --partitions P        default: the master's default parallelism
      """;

  private static final List<String> FILES = List.of("train-images-idx3-ubyte",
      "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  /**
   * Runs and exits with the status.
   *
   * @param args the options
   */
  public static void main(String[] args) {
    Logger.getLogger("org.vconv").setLevel(Level.OFF); // the SIMD fallback note is not an error
    System.exit(run(List.of(args), System.out, System.err));
  }

  /** Runs the command; returns 0 or 2 (after one line on {@code err}). */
  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(HELP);
      return 0;
    }
    try {
      Map<String, String> o = parse(args);
      train(o, out, err);
      return 0;
    } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
      String m = e.getMessage() == null ? e.toString() : e.getMessage();
      err.println("train: " + m.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip());
      return 2;
    }
  }

  private static final List<String> OPTIONS = List.of("--master", "--data", "--epochs",
      "--batch", "--chunk", "--lr", "--schedule", "--momentum", "--weight-decay", "--seed",
      "--widths", "--limit", "--round", "--partitions");

  /** The options as given, checked for names and duplicates. */
  static Map<String, String> parse(List<String> args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String opt = args.get(i);
      String value;
      int eq = opt.indexOf('=');
      if (opt.startsWith("--") && eq > 0) {
        value = opt.substring(eq + 1);
        opt = opt.substring(0, eq);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new IllegalArgumentException(OPTIONS.contains(opt) ? opt + " needs a value"
            : "unknown option '" + opt + "'");
      }
      if (!OPTIONS.contains(opt)) {
        throw new IllegalArgumentException("unknown option '" + opt + "'");
      }
      if (o.put(opt, value) != null) {
        throw new IllegalArgumentException(opt + " given twice");
      }
    }
    for (String required : List.of("--master", "--data")) {
      if (!o.containsKey(required)) {
        throw new IllegalArgumentException(required + " is required");
      }
    }
    return o;
  }

  private static int count(Map<String, String> o, String opt, int dflt, int min) {
    String v = o.get(opt);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n >= min) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(opt + " must be an integer >= " + min + ", got '" + v
        + "'");
  }

  private static float number(Map<String, String> o, String opt, float dflt) {
    String v = o.get(opt);
    if (v == null) {
      return dflt;
    }
    try {
      float f = Float.parseFloat(v.strip());
      if (Float.isFinite(f)) {
        return f;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(opt + " must be a number, got '" + v + "'");
  }

  private static long seed(Map<String, String> o) {
    String v = o.getOrDefault("--seed", "42");
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--seed must be an integer, got '" + v + "'", e);
    }
  }

  private static boolean cosine(Map<String, String> o) {
    return switch (o.getOrDefault("--schedule", "cosine").strip()) {
      case "cosine" -> true;
      case "constant" -> false;
      default -> throw new IllegalArgumentException("--schedule must be cosine or constant,"
          + " got '" + o.get("--schedule") + "'");
    };
  }

  private static int[] widths(Map<String, String> o) {
    String v = o.getOrDefault("--widths", "16,32,120,84");
    String[] parts = v.split(",", -1);
    int[] w = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      w[i] = count(Map.of("--widths", parts[i]), "--widths", 0, 1);
    }
    if (w.length != 4) {
      throw new IllegalArgumentException("--widths must be four widths C1,C2,F1,F2, got '" + v
          + "'");
    }
    return w;
  }

  /** The IDX file {@code name} in {@code dir}, plain or gzipped. */
  private static Path find(Path dir, String name) throws IOException {
    for (String candidate : List.of(name, name + ".gz")) {
      Path p = dir.resolve(candidate);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IOException(dir + ": no " + name + " or " + name + ".gz (expected the four"
        + " MNIST-style IDX files " + String.join(", ", FILES) + ")");
  }

  private static void train(Map<String, String> o, PrintStream out, PrintStream err)
      throws IOException {
    var settings = new ParameterAveraging.Settings(count(o, "--epochs", 5, 1),
        count(o, "--batch", 64, 1), count(o, "--chunk", 32, 0), number(o, "--lr", 0.02f),
        cosine(o), number(o, "--momentum", 0.9f), number(o, "--weight-decay", 5e-4f), seed(o),
        count(o, "--round", 8, 1));
    int[] w = widths(o);
    int limit = count(o, "--limit", 0, 1);
    Path dir = Path.of(o.get("--data"));
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": not a directory (--data)");
    }
    LabelledImages train = LabelledImages.read(find(dir, FILES.get(0)), find(dir, FILES.get(1)));
    LabelledImages test = LabelledImages.read(find(dir, FILES.get(2)), find(dir, FILES.get(3)));
    if (train.rows() != 28 || train.cols() != 28 || test.rows() != 28 || test.cols() != 28) {
      throw new IllegalArgumentException(dir + ": the network takes 28 x 28 images");
    }
    if (limit > 0 && limit < train.size()) {
      train = train.slice(0, limit);
    }
    int classes = Math.max(train.classes(), test.classes());
    ImageInput input = normalisation(train);
    NetworkFactory factory = () -> Networks.lenet(w[0], w[1], w[2], w[3], classes);

    var builder = SparkSession.builder().master(o.get("--master")).appName("vconv train")
        .config("spark.ui.enabled", "false");
    if (o.get("--master").startsWith("local")) { // one JVM: no need to look the host up
      builder.config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1");
    }
    SparkSession spark = builder.getOrCreate();
    try {
      int workers = count(o, "--partitions", spark.sparkContext().defaultParallelism(), 1);
      Dataset<Row> trainRows = ImageRows.of(spark, train);
      Dataset<Row> testRows = ImageRows.of(spark, test).repartition(workers).cache();
      err.printf(Locale.ROOT, "train: Spark %s, master %s, %d partitions; %d training and %d"
          + " test images; batch %d (chunks of %s) per partition, %d batches per round, lr %s"
          + " (%s), momentum %s, weight decay %s, seed %d%n", spark.version(),
          o.get("--master"), workers, train.size(), test.size(), settings.batch(),
          settings.chunk() == 0 ? "all" : settings.chunk(), settings.batchesPerRound(),
          settings.lr(), settings.cosine() ? "cosine" : "constant", settings.momentum(),
          settings.weightDecay(), settings.seed());
      long[] t0 = {System.nanoTime()};
      double[] last = {0};
      int images = train.size();
      ParameterAveraging.fit(trainRows, workers, factory, input, settings, (e, loss, model) -> {
        double secs = (System.nanoTime() - t0[0]) / 1e9;
        last[0] = BatchInference.accuracy(BatchInference.predict(testRows, model, 1000));
        out.printf(Locale.ROOT, "epoch %d/%d: loss %.4f, test accuracy %.4f, %.2f s (%.0f"
            + " images/s)%n", e + 1, settings.epochs(), loss, last[0], secs, images / secs);
        out.flush();
        t0[0] = System.nanoTime();
      });
      out.printf(Locale.ROOT, "test accuracy %.4f after %d epochs%n", last[0],
          settings.epochs());
    } finally {
      spark.stop();
    }
  }

  /** Pixels scaled by 1/255 and standardised by the training set's mean and deviation. */
  static ImageInput normalisation(LabelledImages data) {
    float scale = 1f / 255;
    double[] ms = data.pixelMeanStd(scale);
    return new ImageInput(data.rows(), data.cols(), scale, (float) ms[0], (float) ms[1]);
  }
}
