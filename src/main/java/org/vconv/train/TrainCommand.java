package org.vconv.train;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.vconv.Tensor;
import org.vconv.cli.Npy;
import org.vconv.data.LabelledImages;
import org.vconv.nn.HeInit;
import org.vconv.nn.Networks;
import org.vconv.nn.Parameter;
import org.vconv.nn.Sequential;

/**
 * scripts/train's Java side: trains {@link Networks#lenet} on an MNIST-style data set in IDX
 * files and reports test accuracy per epoch. Exit status 0, or 2 with one line on stderr.
 */
public final class TrainCommand {
  private TrainCommand() {}

  static final String HELP = """
      usage: train --data DIR [options]

      Trains a LeNet-5-sized CNN with vconv on the IDX files in DIR (train-images-idx3-ubyte,
      train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each possibly
      gzipped as NAME.gz). Progress goes to stderr; stdout gets one line per epoch and last
      'test accuracy A after E epochs'.

      options:
        --epochs E            default 5
        --batch B             default 64
        --chunk C             split each batch into chunks of C images trained on
                              replicas in parallel, gradients summed in chunk order
                              (DataParallel); 0: whole batches, threads inside the
                              layers; default 32. Results depend on C, not on threads.
        --lr LR               default 0.02 (SGD)
        --schedule S          cosine (the default: epoch e of E trains at
                              LR * (1 + cos(pi * e / E)) / 2) or constant
        --momentum M          default 0.9
        --weight-decay WD     default 5e-4
        --seed S              initial weights and batch order; default 42
        --threads T           default: vconv.threads, else the available processors
        --widths C1,C2,F1,F2  conv channels and dense widths; default 16,32,120,84
        --limit N             train on the first N training images only
        --out DIR             chart.png and weights/*.npy go here; default target/train
        --export DIR          also write the initial weights (init/*.npy), every epoch's
                              batch order (order.npy) and settings.json, for PyTorch
        --json FILE           per-epoch results as JSON
      """;

  /** The training images, labels, test images and labels: file names without ".gz". */
  static final List<String> FILES = List.of("train-images-idx3-ubyte",
      "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  /** Runs and exits with the status. */
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
      train(TrainOptions.parse(args), out, err);
      return 0;
    } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
      err.println("train: " + oneLine(e.getMessage()));
      return 2;
    } catch (OutOfMemoryError e) {
      err.println("train: out of memory; give the JVM more heap (-Xmx)");
      return 2;
    }
  }

  private static String oneLine(String m) {
    return m == null ? "unknown error" : m.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }

  /** The IDX file {@code name} in {@code dir}, plain or gzipped. */
  static Path find(Path dir, String name) throws IOException {
    for (String candidate : List.of(name, name + ".gz")) {
      Path p = dir.resolve(candidate);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IOException(dir + ": no " + name + " or " + name + ".gz (expected the four"
        + " MNIST-style IDX files " + String.join(", ", FILES) + ")");
  }

  static void train(TrainOptions o, PrintStream out, PrintStream err) throws IOException {
    if (!Files.isDirectory(o.data())) {
      throw new IOException(o.data() + ": not a directory (--data)");
    }
    LabelledImages train = LabelledImages.read(find(o.data(), FILES.get(0)),
        find(o.data(), FILES.get(1)));
    LabelledImages test = LabelledImages.read(find(o.data(), FILES.get(2)),
        find(o.data(), FILES.get(3)));
    if (test.rows() != train.rows() || test.cols() != train.cols()) {
      throw new IllegalArgumentException(o.data() + ": test images are " + test.rows() + " x "
          + test.cols() + ", training images " + train.rows() + " x " + train.cols());
    }
    if (train.rows() != 28 || train.cols() != 28) {
      throw new IllegalArgumentException(o.data() + ": the network takes 28 x 28 images, got "
          + train.rows() + " x " + train.cols());
    }
    if (o.limit() > 0 && o.limit() < train.size()) {
      train = train.slice(0, o.limit());
    }
    int classes = Math.max(train.classes(), test.classes());
    float scale = 1f / 255;
    double[] ms = train.pixelMeanStd(scale);
    var settings = new Trainer.Settings(o.batch(), o.chunk(), o.lr(), o.momentum(), o.weightDecay(), scale,
        (float) ms[0], (float) ms[1]);
    int[] w = o.widths();
    Sequential net = Networks.lenet(w[0], w[1], w[2], w[3], classes);
    HeInit.apply(net.parameters(), o.seed());
    net.setThreads(o.threads());
    if (o.export() != null) {
      export(o, net, settings, train.size(), classes);
    }
    err.printf(Locale.ROOT, "train: %d training and %d test images, %d classes; %s; %s%n",
        train.size(), test.size(), classes, net, o.describe());
    Trainer trainer = new Trainer(net, settings, o.threads());
    boolean terminal = System.console() != null && System.console().isTerminal();
    List<Double> losses = new ArrayList<>();
    List<Double> accuracies = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    for (int e = 0; e < o.epochs(); e++) {
      int[] order = Trainer.shuffle(train.size(), o.seed(), e);
      trainer.optimizer().setLearningRate(o.cosine()
          ? Trainer.cosineRate(o.lr(), e, o.epochs()) : o.lr());
      var bar = new ProgressBar(err, terminal, "epoch " + (e + 1) + "/" + o.epochs(),
          train.size());
      long t0 = System.nanoTime();
      double loss = trainer.trainEpoch(train, order, 0, train.size(), bar);
      double secs = (System.nanoTime() - t0) / 1e9;
      double acc = trainer.accuracy(test, 1000);
      losses.add(loss);
      accuracies.add(acc);
      seconds.add(secs);
      out.printf(Locale.ROOT, "epoch %d/%d: loss %.4f, test accuracy %.4f, %.2f s (%.0f"
          + " images/s)%n", e + 1, o.epochs(), loss, acc, secs, train.size() / secs);
      out.flush();
    }
    writeResults(o, net, losses, accuracies, seconds);
    out.printf(Locale.ROOT, "test accuracy %.4f after %d epochs%n",
        accuracies.get(accuracies.size() - 1), o.epochs());
  }

  private static void export(TrainOptions o, Sequential net, Trainer.Settings s, int n,
      int classes) throws IOException {
    Path init = o.export().resolve("init");
    Files.createDirectories(init);
    for (Map.Entry<String, Parameter> p : net.namedParameters().entrySet()) {
      Npy.write(init.resolve(p.getKey() + ".npy"), p.getValue().value());
    }
    float[] orders = new float[o.epochs() * n];
    for (int e = 0; e < o.epochs(); e++) {
      int[] order = Trainer.shuffle(n, o.seed(), e);
      for (int i = 0; i < n; i++) {
        orders[e * n + i] = order[i];
      }
    }
    Npy.write(o.export().resolve("order.npy"), Tensor.of(orders, o.epochs(), n));
    String json = String.format(Locale.ROOT, """
        {"epochs": %d, "batch": %d, "lr": %s, "schedule": "%s", "momentum": %s,
         "weight_decay": %s, "scale": %s, "mean": %s, "std": %s, "widths": %s,
         "classes": %d, "threads": %d, "limit": %d, "parameters": [%s]}
        """, o.epochs(), s.batch(), s.lr(), o.cosine() ? "cosine" : "constant", s.momentum(),
        s.weightDecay(), s.scale(), s.mean(), s.std(), Arrays.toString(o.widths()), classes, o.threads(), n,
        String.join(", ", net.namedParameters().keySet().stream().map(k -> "\"" + k + "\"")
            .toList()));
    Files.writeString(o.export().resolve("settings.json"), json, StandardCharsets.UTF_8);
  }

  private static void writeResults(TrainOptions o, Sequential net, List<Double> losses,
      List<Double> accuracies, List<Double> seconds) throws IOException {
    Path weights = o.out().resolve("weights");
    Files.createDirectories(weights);
    for (Map.Entry<String, Parameter> p : net.namedParameters().entrySet()) {
      Npy.write(weights.resolve(p.getKey() + ".npy"), p.getValue().value());
    }
    Chart.write(o.out().resolve("chart.png"), "vconv: LeNet-5-sized CNN on "
        + o.data().getFileName() + ", widths " + Arrays.toString(o.widths()), o.describe(),
        losses, accuracies);
    if (o.json() != null) {
      StringBuilder b = new StringBuilder("{\"threads\": " + o.threads() + ", \"epochs\": [");
      for (int e = 0; e < losses.size(); e++) {
        b.append(e == 0 ? "" : ", ").append(String.format(Locale.ROOT,
            "{\"epoch\": %d, \"seconds\": %.4f, \"loss\": %.6f, \"accuracy\": %.6f}", e + 1,
            seconds.get(e), losses.get(e), accuracies.get(e)));
      }
      Files.writeString(o.json(), b.append("]}\n").toString(), StandardCharsets.UTF_8);
    }
  }
}
