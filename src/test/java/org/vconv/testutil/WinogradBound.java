package org.vconv.testutil;

import org.vconv.Layout;

/**
 * The rigorous float32 error bound of vconv's Winograd F(2x2, 3x3) ({@code org.vconv.algo.
 * Winograd} at m = 2), per output element and per pass, from Winograd's own error analysis
 * rather than a measured factor on the direct bound.
 *
 * <p><b>The result used.</b> A straight-line computation of sums, differences and products,
 * every operation rounded (float32, {@code |delta| <= u = 2^-24}, no underflow), computes
 * exactly the expansion of its result into monomials (a product of constants and inputs),
 * each monomial times {@code (1 + theta_k)}, {@code |theta_k| <= gamma(k)}, where k counts
 * the roundings on that monomial's path from the inputs to the result (Higham, Accuracy and
 * Stability of Numerical Algorithms, 2nd ed., Lemma 3.1 and section 3.1; a product of two
 * computed values multiplies their terms and adds their path lengths plus one). So if no path
 * has more than n roundings, {@code |computed - exact| <= gamma(n) * sum |monomials|}, and
 * {@code sum |monomials|} is the same computation with every constant, every matrix and every
 * operand replaced by its absolute value (subtractions becoming additions). That is what this
 * class computes, in double, for the forward, the input gradient and the weight gradient
 * exactly as vconv tiles them. It is at least the direct sum's magnitude {@code sum |x w|}
 * (the monomials of a pair {@code x w} have coefficients summing to 1 or 0), so the golden's
 * own rounding (at most {@code u |exact|}) still fits under the {@code +2} of
 * {@link Close#compare}.
 *
 * <p><b>Roundings per path</b> (counted from the generated kernels,
 * {@code ScalarWinogradKernels} and {@code PanamaWinogradKernels}, which evaluate the same
 * sums in the same order with no FMA, and {@code Sgemm}, whose sums are chains
 * {@code ((P0 + P1) + ...)} per block, blocks added to C in order). Multiplications by 0.5 are
 * exact but are counted anyway (conservative); negation and copies into zeroed edge tiles are
 * exact and not counted.
 * <ul>
 *   <li>Forward, {@code in} input channels per group: input transform {@code V = B^T d B}, two
 *       stages of one add each: <b>2</b>. Filter transform {@code U = G g G^T}, two stages of
 *       {@code a*0.5 + b*0.5 + c*0.5} (one multiply, two adds): <b>6</b>. The product
 *       {@code V U}: <b>1</b> (0 more when the GEMM fuses it into an FMA). The sum over the
 *       {@code in} channels: however it is cut (blocks of {@code DEPTH_BLOCK} channels, each
 *       a chain from zero, added in order into the result; the GEMM's own K blocks), it is a
 *       summation tree over {@code in} leaves, and no path through such a tree has more than
 *       <b>{@code in - 1}</b> additions (a first add into an exact zero is exact). Output
 *       transform {@code A^T M A}, two stages of {@code (a + b) + c}: <b>4</b>, plus the bias
 *       add: <b>1</b>. Longest path (from a filter tap): {@code 6 + 1 + (in - 1) + 4 (+ 1)}
 *       = <b>{@code in + 10}</b>, {@code in + 11} with bias.</li>
 *   <li>Input gradient: the forward of dy with {@code K/G} input channels, no bias:
 *       <b>{@code K/G + 10}</b>.</li>
 *   <li>Weight gradient over {@code T = N * ceil(P/2) * ceil(Q/2)} tiles: {@code V}: 2;
 *       {@code Z = A dy A^T}, two stages of one add: 2; the product: 1; the sum over the tiles
 *       (per block of bands a chain, blocks added in order: a tree over {@code T} leaves):
 *       {@code T - 1}; the filter-side transform {@code G^T S G}, two stages of
 *       {@code a + b*0.5 + c*0.5}: 6. Longest: {@code 2 + 1 + (T - 1) + 6} =
 *       <b>{@code T + 8}</b>.</li>
 * </ul>
 *
 * <p>Not covered (as for {@link Close}'s direct bound): underflow (subnormal intermediate
 * values, where the relative model fails; an absolute term of a few {@code 2^-149} per
 * operation would cover it) and non-finite values (vconv's Winograd declines them and the
 * plan runs its exact path, to which the direct bound applies).
 */
public final class WinogradBound {
  private WinogradBound() {}

  /** The output tile this bound models: F(2x2, 3x3). */
  public static final int M = 2;

  private static final int N = M + 2;

  // Lavin and Gray's matrices, as generated into the kernels
  private static final double[][] BT = {
      {1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
  private static final double[][] G = {{1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}};
  private static final double[][] AT = {{1, 1, 1, 0}, {0, 1, -1, -1}};

  /** Roundings on the longest path of a forward with {@code in} channels per group. */
  public static long forwardTerms(RefConv ref, boolean bias) {
    check(ref);
    return ref.c() / ref.groups() + 10 + (bias ? 1 : 0);
  }

  /** Roundings on the longest path of the input gradient. */
  public static long backwardDataTerms(RefConv ref) {
    check(ref);
    return ref.k() / ref.groups() + 10;
  }

  /** Roundings on the longest path of the weight gradient. */
  public static long backwardWeightTerms(RefConv ref) {
    check(ref);
    return tiles(ref.n(), ref.p(), ref.q()) + 8;
  }

  /** Tiles of the weight gradient's sum: {@code N * ceil(P/2) * ceil(Q/2)}. */
  static long tiles(int n, int p, int q) {
    return (long) n * ((p + M - 1) / M) * ((q + M - 1) / M);
  }

  /** Whether vconv's Winograd computes this geometry: 3x3, stride 1, dilation 1. */
  public static boolean applies(RefConv ref) {
    return ref.r() == 3 && ref.s() == 3 && ref.strideH() == 1 && ref.strideW() == 1
        && ref.dilH() == 1 && ref.dilW() == 1;
  }

  private static void check(RefConv ref) {
    if (!applies(ref)) {
      throw new IllegalArgumentException("not a Winograd geometry: " + ref);
    }
  }

  // ---- the computation, in double: abs = true is the bound's magnitude, false the signed
  // Winograd result (which must equal the convolution: a check on the formulation)

  /** Forward magnitude: {@code |A|^T (sum_c |U| . |V|) |A| + |bias|} per output element. */
  public static double[] forwardMagnitude(RefConv ref, float[] x, float[] w, float[] bias) {
    return forward(ref, RefConv.abs(x), RefConv.abs(w), bias == null ? null : RefConv.abs(bias),
        true);
  }

  /** Input-gradient magnitude: the forward's, on dy with the flipped, transposed filters. */
  public static double[] backwardDataMagnitude(RefConv ref, float[] dy, float[] w) {
    return backwardData(ref, RefConv.abs(dy), RefConv.abs(w), true);
  }

  /** Weight-gradient magnitude: {@code |G|^T (sum_tiles |Z| . |V|) |G|}. */
  public static double[] backwardWeightMagnitude(RefConv ref, float[] dy, float[] x) {
    return backwardWeight(ref, RefConv.abs(dy), RefConv.abs(x), true);
  }

  /** Element (img, channel, row, col) of an activation of {@code channels x rows x cols}. */
  private static int act(Layout l, int img, int ch, int row, int col, int channels, int rows,
      int cols) {
    return l == Layout.NCHW ? ((img * channels + ch) * rows + row) * cols + col
        : ((img * rows + row) * cols + col) * channels + ch;
  }

  /** Tap (r, s) of filter k, input channel c (of cg per group): OIHW or HWIO. */
  private static int tap(RefConv ref, int k, int c, int r, int s) {
    int cg = ref.c() / ref.groups();
    return ref.layout() == Layout.NCHW ? ((k * cg + c) * 3 + r) * 3 + s
        : ((r * 3 + s) * cg + c) * ref.k() + k;
  }

  /** A filter of the forward-shaped problem: (group, output o, input i) to a 3x3 tap. */
  private interface Filter {
    double at(int gi, int o, int i, int r, int s);
  }

  /** A stride-1 3x3 correlation as vconv's Winograd tiles it (its {@code Plane}). */
  private record Plane(Layout layout, int n, int groups, int in, int out, int h, int w, int p,
      int q, int padTop, int padLeft) {}

  public static double[] forward(RefConv ref, double[] x, double[] w, double[] bias,
      boolean abs) {
    check(ref);
    Plane pl = new Plane(ref.layout(), ref.n(), ref.groups(), ref.c() / ref.groups(),
        ref.k() / ref.groups(), ref.h(), ref.w(), ref.p(), ref.q(), ref.padTop(),
        ref.padLeft());
    return forward(pl, x, (gi, o, i, r, s) -> w[tap(ref, gi * pl.out() + o, i, r, s)], bias,
        abs);
  }

  public static double[] backwardData(RefConv ref, double[] dy, double[] w, boolean abs) {
    check(ref);
    int kg = ref.k() / ref.groups();
    int cg = ref.c() / ref.groups();
    // vconv: the forward of dy (P x Q, K/G channels) to dx (H x W, C/G), pads 2 - pad, filter
    // g'[o = c][i = k] = w[k][c] flipped in both axes
    Plane pl = new Plane(ref.layout(), ref.n(), ref.groups(), kg, cg, ref.p(), ref.q(),
        ref.h(), ref.w(), 2 - ref.padTop(), 2 - ref.padLeft());
    return forward(pl, dy, (gi, o, i, r, s) -> w[tap(ref, gi * kg + i, o, 2 - r, 2 - s)], null,
        abs);
  }

  /**
   * {@code V = B^T d B} of the input tile of channel {@code ch} of image {@code img} whose top
   * left is ({@code top}, {@code left}), zeros outside the {@code h x w} plane; {@code d} is
   * scratch.
   */
  private static double[] inputTile(double[][] bt, double[] src, Layout l, int img, int ch,
      int top, int left, int channels, int h, int w, double[][] d) {
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < N; j++) {
        int row = top + i;
        int col = left + j;
        d[i][j] = row < 0 || row >= h || col < 0 || col >= w ? 0
            : src[act(l, img, ch, row, col, channels, h, w)];
      }
    }
    return flat(mul(mul(bt, d), transpose(bt)));
  }

  private static double[] forward(Plane pl, double[] src, Filter f, double[] bias,
      boolean abs) {
    double[][] bt = abs ? abs(BT) : BT;
    double[][] gm = abs ? abs(G) : G;
    double[][] at = abs ? abs(AT) : AT;
    int in = pl.in();
    int out = pl.out();
    int ctot = pl.groups() * in;
    int ktot = pl.groups() * out;
    int tilesH = (pl.p() + M - 1) / M;
    int tilesW = (pl.q() + M - 1) / M;
    double[] dst = new double[pl.n() * ktot * pl.p() * pl.q()];
    double[][] g = new double[3][3];
    double[][] v = new double[in][];
    double[] mm = new double[N * N];
    double[][] d = new double[N][N];
    for (int gi = 0; gi < pl.groups(); gi++) {
      // U = G g G^T, [o][i][xi]
      double[][][] u = new double[out][in][];
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          for (int r = 0; r < 3; r++) {
            for (int s = 0; s < 3; s++) {
              double t = f.at(gi, o, i, r, s);
              g[r][s] = abs ? Math.abs(t) : t;
            }
          }
          u[o][i] = flat(mul(mul(gm, g), transpose(gm)));
        }
      }
      for (int img = 0; img < pl.n(); img++) {
        for (int th = 0; th < tilesH; th++) {
          for (int tw = 0; tw < tilesW; tw++) {
            int top = th * M - pl.padTop();
            int left = tw * M - pl.padLeft();
            for (int c = 0; c < in; c++) {
              v[c] = inputTile(bt, src, pl.layout(), img, gi * in + c, top, left, ctot, pl.h(),
                  pl.w(), d);
            }
            for (int o = 0; o < out; o++) {
              java.util.Arrays.fill(mm, 0);
              for (int c = 0; c < in; c++) {
                for (int xi = 0; xi < N * N; xi++) {
                  mm[xi] += u[o][c][xi] * v[c][xi];
                }
              }
              double[][] y = mul(mul(at, unflat(mm)), transpose(at));
              int k = gi * out + o;
              double b = bias == null ? 0 : bias[k];
              for (int i = 0; i < M && th * M + i < pl.p(); i++) {
                for (int j = 0; j < M && tw * M + j < pl.q(); j++) {
                  dst[act(pl.layout(), img, k, th * M + i, tw * M + j, ktot, pl.p(), pl.q())] =
                      y[i][j] + b;
                }
              }
            }
          }
        }
      }
    }
    return dst;
  }

  /**
   * vconv's weight gradient: per group, {@code S[k][c] = sum over tiles of Z_k . V_c} with
   * {@code Z = A dy A^T} (the 2x2 tile of dy at the output tile, zeros past P and Q) and
   * {@code V = B^T d B} (the forward's input tile), then {@code dW[k][c] = G^T S G}.
   */
  public static double[] backwardWeight(RefConv ref, double[] dy, double[] x, boolean abs) {
    check(ref);
    double[][] bt = abs ? abs(BT) : BT;
    double[][] gm = abs ? abs(G) : G;
    double[][] at = abs ? abs(AT) : AT;
    Layout l = ref.layout();
    int cg = ref.c() / ref.groups();
    int kg = ref.k() / ref.groups();
    int p = ref.p();
    int q = ref.q();
    int tilesH = (p + M - 1) / M;
    int tilesW = (q + M - 1) / M;
    double[] dw = new double[ref.weightSize()];
    double[][] d = new double[N][N];
    double[][] e = new double[M][M];
    double[][] v = new double[cg][];
    double[][] z = new double[kg][];
    for (int gi = 0; gi < ref.groups(); gi++) {
      double[][][] sums = new double[kg][cg][N * N];
      for (int img = 0; img < ref.n(); img++) {
        for (int th = 0; th < tilesH; th++) {
          for (int tw = 0; tw < tilesW; tw++) {
            int top = th * M - ref.padTop();
            int left = tw * M - ref.padLeft();
            for (int c = 0; c < cg; c++) {
              v[c] = inputTile(bt, x, l, img, gi * cg + c, top, left, ref.c(), ref.h(), ref.w(),
                  d);
            }
            for (int k = 0; k < kg; k++) {
              for (int i = 0; i < M; i++) {
                for (int j = 0; j < M; j++) {
                  int row = th * M + i;
                  int col = tw * M + j;
                  e[i][j] = row >= p || col >= q ? 0
                      : dy[act(l, img, gi * kg + k, row, col, ref.k(), p, q)];
                }
              }
              z[k] = flat(mul(mul(transpose(at), e), at)); // A dy A^T
            }
            for (int k = 0; k < kg; k++) {
              for (int c = 0; c < cg; c++) {
                double[] s = sums[k][c];
                for (int xi = 0; xi < N * N; xi++) {
                  s[xi] += z[k][xi] * v[c][xi];
                }
              }
            }
          }
        }
      }
      for (int k = 0; k < kg; k++) {
        for (int c = 0; c < cg; c++) {
          double[][] t = mul(mul(transpose(gm), unflat(sums[k][c])), gm);
          for (int r = 0; r < 3; r++) {
            for (int s = 0; s < 3; s++) {
              dw[tap(ref, gi * kg + k, c, r, s)] = t[r][s];
            }
          }
        }
      }
    }
    return dw;
  }

  // ---- small dense matrices

  private static double[][] abs(double[][] a) {
    double[][] r = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        r[i][j] = Math.abs(a[i][j]);
      }
    }
    return r;
  }

  private static double[][] transpose(double[][] a) {
    double[][] r = new double[a[0].length][a.length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[0].length; j++) {
        r[j][i] = a[i][j];
      }
    }
    return r;
  }

  private static double[][] mul(double[][] a, double[][] b) {
    double[][] r = new double[a.length][b[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < b[0].length; j++) {
        double s = 0;
        for (int k = 0; k < b.length; k++) {
          s += a[i][k] * b[k][j];
        }
        r[i][j] = s;
      }
    }
    return r;
  }

  private static double[] flat(double[][] a) {
    double[] r = new double[N * N];
    for (int i = 0; i < N; i++) {
      System.arraycopy(a[i], 0, r, i * N, N);
    }
    return r;
  }

  private static double[][] unflat(double[] a) {
    double[][] r = new double[N][N];
    for (int i = 0; i < N; i++) {
      System.arraycopy(a, i * N, r[i], 0, N);
    }
    return r;
  }
}
