package org.vconv.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code vconv} command line: {@code forward}, {@code backward}, {@code plan} and
 * {@code demo}. Exit
 * status 0 on success, 2 on any error with exactly one line on stderr; see {@link #HELP}.
 */
public final class Main {
  private Main() {}

  /** Exit status of every failure. */
  public static final int ERROR = 2;

  static final String HELP = """
      vconv: 1-D, 2-D and 3-D convolution, plain or transposed (forward and backward) with
      PyTorch's semantics, on .npy files.

      Usage:
        vconv forward  --input X.npy --weight W.npy [--bias B.npy] --output Y.npy [options]
        vconv backward --input X.npy --weight W.npy --grad-output GY.npy
                       [--grad-input DX.npy] [--grad-weight DW.npy] [--grad-bias DB.npy]
                       [options]
        vconv plan     --input-shape N,C,H,W --weight-shape K,C/G,R,S [options]
        vconv tune     --suite FILE --wisdom OUT [--threads T]
        vconv demo     print the seed notebook's examples computed by vconv
        vconv --help | -h | <command> --help

      forward writes Y = conv(X, W) + B (torch.nn.functional.conv1d/2d/3d: a
      cross-correlation; with --transposed, conv_transpose1d/2d/3d). The input's rank picks
      the convolution: 3-D X is 1-D, 4-D is 2-D, 5-D is 3-D; W has X's rank. backward writes
      the gradients of sum(GY * Y) that are asked for, and computes only those; at least one
      of --grad-input, --grad-weight, --grad-bias is required. --grad-bias is the sum of GY
      over batch and space (shape (K,)); it needs no bias file.
      plan prints which path computes each pass on these shapes and why, in three lines
      starting fwd:, bwd_data: and bwd_weight:; it reads no files. The shapes are in the
      layout's order (NHWC: --input-shape N,H,W,C --weight-shape R,S,C/G,K), with 3 to 5 axes
      as for forward. The plan is for these kernels and threads (vconv.threads, vconv.simd).
      tune plans every layer of a 2-D suite CSV (src/jmh/resources/layers.csv's format) by
      measuring each pass's accepting paths, prints one line per layer, and writes the
      choices as wisdom to OUT; -Dvconv.wisdom=OUT (in VCONV_JAVA_OPTS) plans them the same
      way later, without measuring. -Dvconv.planning=measure makes every convolution measure.

      Options (each at most once, as "--stride 2" or "--stride=2"; per-axis values are one
      value for every spatial axis, or one per axis in order D, H, W):
        --stride S|S1,S2[,S3]     positive; default 1
        --padding P|P1,..|B1,A1,..|same|valid
                                  default 0: one pad for every side, one per axis (both
                                  sides), or before,after for each axis (1-D: L,R; 2-D:
                                  T,B,L,R; 3-D: front,back,top,bottom,left,right). same
                                  keeps out = ceil(in / stride) (PyTorch's 'same' at stride
                                  1, TensorFlow's SAME above; the odd extra goes after).
        --padding-mode zeros|reflect|replicate|circular
                                  what the padding holds; default zeros. reflect needs pads
                                  smaller than the input, circular at most the input.
        --dilation D|D1,D2[,D3]   positive; default 1
        --groups G                divides C and K; default 1
        --layout NCL|NLC|NCHW|NHWC|NCDHW|NDHWC
                                  must match the input's rank; default channels first.
                                  Channels first: X (N,C,...), W (K,C/G,kernel...) as OIHW.
                                  Channels last: X (N,...,C), W (kernel...,C/G,K) as HWIO.
        --transposed              a transposed convolution (takes no value): W is
                                  (C,K/G,kernel...) channels first, (kernel...,K/G,C) last;
                                  explicit zero padding only
        --output-padding O|O1,O2[,O3]
                                  transposed only: extra output after each axis, smaller
                                  than its stride or its dilation; default 0
        --algorithm auto|direct|im2col-gemm|kernel-offset|implicit-gemm|image-blocked-gemm|winograd
                                  how to compute; default auto. All agree up to rounding.

      Files: reads .npy version 1, 2 or 3, C order, little-endian float32, float64, int32 or
      int64 (converted to float32); writes little-endian float32 C-order .npy (version 1).
      GY has Y's shape; DX, DW, DB have the shapes of X, W and B.

      Errors: any error (usage, unreadable or malformed .npy, shape mismatch, bad option)
      exits with status 2 and prints one line on stderr. Everything is checked and computed
      before anything is written; all outputs are written to temporary files beside their
      targets first and then renamed into place, so on error no output file is created or
      changed (only a rename failing after an earlier one succeeded, i.e. a failing file
      system, could leave some outputs new). Two outputs may not name the same file; an
      output may name an input. Success prints nothing (plan: its three lines).

      Environment: VCONV_JAVA_OPTS adds JVM options, e.g. "-Xmx8g -Dvconv.threads=2"
      (vconv.threads: threads used, default all processors).
      """;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    quietLibraryLog();
    System.exit(run(args, System.out, System.err));
  }

  // kept reachable: java.util.logging holds loggers weakly and would forget the level
  private static Logger libraryLog;

  /**
   * The library says once through System.Logger when it falls back to scalar kernels; that
   * changes speed, not results, and would break the one-line-on-error contract. Unless the
   * user asked for its plans ({@code -Dvconv.verbose=plan}).
   */
  private static void quietLibraryLog() {
    libraryLog = Logger.getLogger("org.vconv");
    libraryLog.setLevel("plan".equals(System.getProperty("vconv.verbose")) ? Level.INFO
        : Level.OFF);
  }

  /**
   * Runs the command line with the given streams and returns the exit status (0 or
   * {@link #ERROR}); never throws and never exits.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      List<String> argv = List.of(args);
      if (argv.contains("--help") || argv.contains("-h") || argv.equals(List.of("help"))) {
        out.print(HELP);
        out.flush();
        return 0;
      }
      if (argv.isEmpty()) {
        throw new CliException("missing command: expected forward, backward, plan, tune or demo"
            + " (see vconv --help)");
      }
      List<String> rest = argv.subList(1, argv.size());
      switch (argv.get(0)) {
        case "forward" -> ConvCommand.forward(rest);
        case "backward" -> ConvCommand.backward(rest);
        case "plan" -> PlanCommand.plan(rest, out);
        case "tune" -> TuneCommand.tune(rest, out);
        case "demo" -> {
          if (!rest.isEmpty()) {
            throw new CliException("demo takes no arguments, got '" + rest.get(0) + "'");
          }
          Demo.print(out);
        }
        default -> throw new CliException("unknown command '" + argv.get(0)
            + "': expected forward, backward, plan, tune or demo (see vconv --help)");
      }
      out.flush();
      return out.checkError() ? fail(err, "cannot write to standard output") : 0;
    } catch (CliException | IllegalArgumentException | IOException e) {
      return fail(err, e.getMessage());
    } catch (OutOfMemoryError e) {
      return fail(err, "out of memory (" + e.getMessage() + "); give the JVM more heap,"
          + " e.g. VCONV_JAVA_OPTS=-Xmx8g");
    } catch (RuntimeException | Error e) {
      // a bug: still one line, with where it happened
      return fail(err, "internal error: " + e + " at "
          + Arrays.stream(e.getStackTrace()).limit(1).map(String::valueOf).findFirst()
              .orElse("?"));
    }
  }

  private static int fail(PrintStream err, String message) {
    String m = message == null ? "unknown error" : message;
    err.println("vconv: " + m.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip());
    err.flush();
    return ERROR;
  }
}
