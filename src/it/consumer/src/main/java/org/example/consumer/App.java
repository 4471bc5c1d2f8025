package org.example.consumer;

import java.util.Random;
import org.vconv.Conv2d;
import org.vconv.ConvSpec;
import org.vconv.Gradients;
import org.vconv.Tensor;

/**
 * Runs vconv's forward and backward on a small padded, strided layer and checks every output
 * against plain loops in double; exits 1 on any mismatch, or when the SIMD kernels did not
 * load although the vector module was added.
 */
public final class App {
  private App() {}

  static final int N = 2, C = 3, H = 7, W = 6, K = 4, R = 3, S = 3, STRIDE = 2, PAD = 1;
  static final int P = (H + 2 * PAD - R) / STRIDE + 1, Q = (W + 2 * PAD - S) / STRIDE + 1;

  public static void main(String[] args) {
    Random rnd = new Random(42);
    float[] x = random(rnd, N * C * H * W);
    float[] w = random(rnd, K * C * R * S);
    float[] b = random(rnd, K);
    float[] dy = random(rnd, N * K * P * Q);
    Conv2d conv = Conv2d.of(ConvSpec.builder().stride(STRIDE).padding(PAD).build());

    Tensor y = conv.forward(Tensor.of(x, N, C, H, W), Tensor.of(w, K, C, R, S),
        Tensor.of(b, K));
    Gradients g = conv.backward(Tensor.of(dy, N, K, P, Q), Tensor.of(x, N, C, H, W),
        Tensor.of(w, K, C, R, S));

    double[] yRef = new double[N * K * P * Q];
    double[] dxRef = new double[x.length];
    double[] dwRef = new double[w.length];
    double[] dbRef = new double[K];
    for (int n = 0; n < N; n++) {
      for (int k = 0; k < K; k++) {
        for (int p = 0; p < P; p++) {
          for (int q = 0; q < Q; q++) {
            int o = ((n * K + k) * P + p) * Q + q;
            double sum = b[k];
            dbRef[k] += dy[o];
            for (int c = 0; c < C; c++) {
              for (int r = 0; r < R; r++) {
                for (int s = 0; s < S; s++) {
                  int ih = p * STRIDE - PAD + r, iw = q * STRIDE - PAD + s;
                  if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
                    continue;
                  }
                  int xi = ((n * C + c) * H + ih) * W + iw, wi = ((k * C + c) * R + r) * S + s;
                  sum += (double) x[xi] * w[wi];
                  dxRef[xi] += (double) dy[o] * w[wi];
                  dwRef[wi] += (double) dy[o] * x[xi];
                }
              }
            }
            yRef[o] = sum;
          }
        }
      }
    }
    int bad = check("forward", y, yRef) + check("input gradient", g.input(), dxRef)
        + check("weight gradient", g.weight(), dwRef) + check("bias gradient", g.bias(), dbRef);
    String kernels = conv.kernels();
    if (!kernels.startsWith("panama-")) {
      System.err.println("consumer: expected the SIMD kernels, got " + kernels);
      bad++;
    }
    if (bad > 0) {
      System.exit(1);
    }
    System.out.println("consumer: forward and backward match plain loops on " + kernels);
  }

  private static float[] random(Random rnd, int size) {
    float[] a = new float[size];
    for (int i = 0; i < size; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  /** Prints and counts the outputs that differ from the reference by more than rounding. */
  private static int check(String what, Tensor got, double[] ref) {
    float[] a = got.data();
    if (a.length != ref.length) {
      System.err.println("consumer: " + what + " has " + a.length + " values, expected "
          + ref.length);
      return 1;
    }
    for (int i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - ref[i]) > 1e-4 * (1 + Math.abs(ref[i]))) {
        System.err.println("consumer: " + what + "[" + i + "] = " + a[i] + ", expected "
            + ref[i]);
        return 1;
      }
    }
    return 0;
  }
}
