package org.vconv.nd;

/**
 * 3-D convolution as 2-D convolution: the input's depth taps are gathered into channels (an
 * im2col along depth), so output depth slice {@code od} of image {@code n} is image
 * {@code n*Do + od} of a 2-D convolution with {@code T*C} input channels, whose weight holds
 * the depth taps beside the channels. Channels stay group-major: channel {@code (g*T + t)*Cg
 * + c} of the gathered input is channel {@code g*Cg + c} of the input at depth tap {@code t}.
 * Zero padding of the depth axis becomes zero slices; the other axes keep their parameters.
 *
 * <p>Channels first: input {@code [N, C, D, H, W]} to {@code [N*Do, T*C, H, W]}, weight
 * {@code [K, Cg, T, R, S]} to {@code [K, T*Cg, R, S]}, and the output {@code [N*Do, K, P, Q]}
 * is reordered to {@code [N, K, Do, P, Q]}. Channels last: input {@code [N, D, H, W, C]} to
 * {@code [N*Do, H, W, T*C]}, weight {@code [T, R, S, Cg, K]} to {@code [R, S, T*Cg, K]}, and
 * the output {@code [N*Do, P, Q, K]} already is {@code [N, Do, P, Q, K]}.
 */
public record DepthSlices(int n, int c, int d, int h, int w, int groups, int taps, int stride,
    int dilation, int padBefore, int outDepth, int k, int outPlane, boolean channelsLast) {

  private int cg() {
    return c / groups;
  }

  /** Input depth of output slice {@code od} at tap {@code t}, or -1 in the padding. */
  private int depthOf(int od, int t) {
    int id = od * stride - padBefore + t * dilation;
    return id >= 0 && id < d ? id : -1;
  }

  /** The gathered input, {@code T} times the input's size over {@code Do} slices. */
  public float[] gather(float[] x) {
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(n * outDepth, taps * c),
        h * w)];
    move(x, out, false);
    return out;
  }

  /** The adjoint of {@link #gather}: adds each gathered element back to its input element. */
  public void scatterAddInto(float[] gathered, float[] dx) {
    move(dx, gathered, true);
  }

  /** Copies input to gathered, or with {@code back} adds gathered to input. */
  private void move(float[] x, float[] g, boolean back) {
    int cg = cg(), hw = h * w;
    for (int b = 0; b < n; b++) {
      for (int od = 0; od < outDepth; od++) {
        int slice = b * outDepth + od;
        for (int grp = 0; grp < groups; grp++) {
          for (int t = 0; t < taps; t++) {
            int id = depthOf(od, t);
            if (id < 0) {
              continue; // a zero slice: new arrays are zero, and padding gets no gradient
            }
            int ch = (grp * taps + t) * cg;
            if (!channelsLast) {
              for (int cc = 0; cc < cg; cc++) {
                int src = ((b * c + grp * cg + cc) * d + id) * hw;
                int dst = (slice * taps * c + ch + cc) * hw;
                copyOrAdd(x, src, g, dst, hw, back);
              }
            } else {
              for (int p = 0; p < hw; p++) {
                int src = ((b * d + id) * hw + p) * c + grp * cg;
                int dst = (slice * hw + p) * taps * c + ch;
                copyOrAdd(x, src, g, dst, cg, back);
              }
            }
          }
        }
      }
    }
  }

  private static void copyOrAdd(float[] x, int xi, float[] g, int gi, int len, boolean back) {
    if (!back) {
      System.arraycopy(x, xi, g, gi, len);
      return;
    }
    for (int i = 0; i < len; i++) {
      x[xi + i] += g[gi + i];
    }
  }

  /** The 3-D weight as the 2-D weight of the gathered input. */
  public float[] weightTo2d(float[] w3, int rs) {
    return reorderWeight(w3, rs, true);
  }

  /** The 2-D weight (or its gradient) back in the 3-D weight's layout. */
  public float[] weightFrom2d(float[] w2, int rs) {
    return reorderWeight(w2, rs, false);
  }

  private float[] reorderWeight(float[] src, int rs, boolean to2d) {
    int cg = cg();
    float[] dst = new float[src.length];
    if (!channelsLast) { // [K, Cg, T, RS] <-> [K, T, Cg, RS]
      for (int kk = 0; kk < k; kk++) {
        for (int cc = 0; cc < cg; cc++) {
          for (int t = 0; t < taps; t++) {
            int a = ((kk * cg + cc) * taps + t) * rs;
            int b = ((kk * taps + t) * cg + cc) * rs;
            System.arraycopy(src, to2d ? a : b, dst, to2d ? b : a, rs);
          }
        }
      }
    } else { // [T, RS, Cg*K] <-> [RS, T, Cg*K]
      int run = cg * k;
      for (int t = 0; t < taps; t++) {
        for (int i = 0; i < rs; i++) {
          int a = (t * rs + i) * run;
          int b = (i * taps + t) * run;
          System.arraycopy(src, to2d ? a : b, dst, to2d ? b : a, run);
        }
      }
    }
    return dst;
  }

  /**
   * Channels first: the 2-D output {@code [N*Do, K, PQ]} as {@code [N, K, Do, PQ]}, or back
   * with {@code to2d}; channels last needs no reorder and returns {@code src} itself.
   */
  public float[] reorderOutput(float[] src, boolean to2d) {
    if (channelsLast) {
      return src;
    }
    float[] dst = new float[src.length];
    for (int b = 0; b < n; b++) {
      for (int od = 0; od < outDepth; od++) {
        for (int kk = 0; kk < k; kk++) {
          int a = ((b * outDepth + od) * k + kk) * outPlane;
          int nd = ((b * k + kk) * outDepth + od) * outPlane;
          System.arraycopy(src, to2d ? nd : a, dst, to2d ? a : nd, outPlane);
        }
      }
    }
    return dst;
  }
}
