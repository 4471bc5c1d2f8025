package org.vconv.nd;

import java.util.ArrayList;
import java.util.List;
import org.vconv.plan.ExecContext;
import org.vconv.simd.ArrayKernels;

/**
 * 3-D convolution as 2-D convolution: the input's depth taps are gathered into channels (an
 * im2col along depth), so an output depth slice {@code od} of image {@code n} becomes an image
 * of a 2-D convolution whose input channels are the taps' input channels, and whose weight
 * holds the depth taps beside the channels. The other axes keep their parameters.
 *
 * <p>Depth padding does not become zero slices: the output slices are cut into {@link Span}s,
 * runs of consecutive slices that read the same taps inside the input, and each span is its own
 * 2-D convolution over only those taps ({@code T'} of them). A slice at the border of a shallow
 * input (R3D-18's late layers have a depth of 2 or 1 under a pad of 1) reads fewer taps, and
 * the taps in the padding would otherwise be a third or more of the products, all zero.
 *
 * <p>Channels first: input {@code [N, C, D, H, W]} to {@code [N*S, C*T', H, W]} for a span of
 * {@code S} slices, channel {@code c*T' + t} holding channel {@code c} at the span's tap
 * {@code t}, so that the weight {@code [K, Cg, T, R, S]} is the 2-D weight
 * {@code [K, Cg*T', R, S]} as it is (a span of every tap) or a slice of it; the span's output
 * {@code [N*S, K, P, Q]} lands in {@code [N, K, Do, P, Q]}. Channels last: input
 * {@code [N, D, H, W, C]} to {@code [N*S, H, W, T'*C]}, group-major (channel
 * {@code (g*T' + t)*Cg + c} holds channel {@code g*Cg + c} at tap {@code t}), weight
 * {@code [T, R, S, Cg, K]} to {@code [R, S, T'*Cg, K]}, and the output {@code [N*S, P, Q, K]}
 * lands in {@code [N, Do, P, Q, K]} (when one span holds every slice it already is that).
 *
 * <p>The moves are split among {@code ctx}'s threads by pixels of a plane (the gathers and
 * their adjoint) or by output slices (the outputs): every element is written by one thread,
 * in the same order for any thread count, so the results are too.
 */
public record DepthSlices(int n, int c, int d, int h, int w, int groups, int taps, int stride,
    int dilation, int padBefore, int outDepth, int k, int outPlane, boolean channelsLast) {

  /**
   * Output slices {@code [from, to)} computed on taps {@code [t0, t1)} (none when
   * {@code t0 == t1}: their outputs are the bias alone); a tap in the depth padding reads a
   * zero slice.
   */
  public record Span(int from, int to, int t0, int t1) {
    /** Output slices in the span. */
    public int slices() {
      return to - from;
    }

    /** Depth taps each slice reads. */
    public int taps() {
      return t1 - t0;
    }
  }

  private int cg() {
    return c / groups;
  }

  /** Input depth of output slice {@code od} at tap {@code t}, or -1 in the padding. */
  private int depthOf(int od, int t) {
    int id = od * stride - padBefore + t * dilation;
    return id >= 0 && id < d ? id : -1;
  }

  /** Every slice on every tap: one 2-D convolution, the taps in the padding zero slices. */
  public Span whole() {
    return new Span(0, outDepth, 0, taps);
  }

  /** The percentage of all slices' depth taps that fall in the padding, rounded down. */
  public int paddedPercent() {
    long padded = 0;
    for (int od = 0; od < outDepth; od++) {
      int[] v = validTaps(od);
      padded += taps - (v[1] - v[0]);
    }
    return (int) (100 * padded / ((long) outDepth * taps));
  }

  /**
   * The output slices cut into runs that read the same taps inside the input, none in the
   * padding: one span of all {@code T} taps when no slice reaches into the depth padding. The
   * valid taps of a slice are consecutive, since the input depth grows with the tap.
   */
  public List<Span> spans() {
    List<Span> spans = new ArrayList<>();
    int from = 0;
    int[] run = validTaps(0);
    for (int od = 1; od <= outDepth; od++) {
      int[] v = od < outDepth ? validTaps(od) : null;
      if (v == null || v[0] != run[0] || v[1] != run[1]) {
        spans.add(new Span(from, od, run[0], run[1]));
        from = od;
        run = v;
      }
    }
    return List.copyOf(spans);
  }

  /** {@code {t0, t1}}: the taps of slice {@code od} inside the input ({@code t0 == t1}: none). */
  private int[] validTaps(int od) {
    int t0 = 0;
    while (t0 < taps && depthOf(od, t0) < 0) {
      t0++;
    }
    int t1 = t0;
    while (t1 < taps && depthOf(od, t1) >= 0) {
      t1++;
    }
    return new int[] {t0, t1};
  }

  /** The span's gathered input: its slices' taps of {@code x}. */
  public float[] gather(float[] x, Span sp, ExecContext ctx) {
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(n * sp.slices(),
        sp.taps() * c), h * w)];
    move(x, out, sp, false, ctx);
    return out;
  }

  /** The adjoint of {@link #gather}: adds each gathered element back to its input element. */
  public void scatterAddInto(float[] gathered, Span sp, float[] dx, ExecContext ctx) {
    move(dx, gathered, sp, true, ctx);
  }

  /**
   * Copies input to gathered, or with {@code back} adds gathered to input, each part of the
   * threads on its own range of a plane's pixels (a plane's run of pixels, channels last).
   */
  private void move(float[] x, float[] g, Span sp, boolean back, ExecContext ctx) {
    int hw = h * w;
    int parts = ctx.workersFor(hw);
    ctx.parallelFor(parts, part -> {
      int p0 = ExecContext.slice(hw, part, parts);
      int p1 = ExecContext.slice(hw, part + 1, parts);
      if (back) {
        addBack(x, g, sp, p0, p1, ctx.kernels().arrays());
      } else {
        gather(x, g, sp, p0, p1);
      }
    });
  }

  /** {@link #gather} on pixels {@code [p0, p1)} of every plane. */
  private void gather(float[] x, float[] g, Span sp, int p0, int p1) {
    int cg = cg();
    int hw = h * w;
    int st = sp.taps();
    for (int b = 0; b < n; b++) {
      for (int od = sp.from(); od < sp.to(); od++) {
        int slice = b * sp.slices() + od - sp.from();
        for (int grp = 0; grp < groups; grp++) {
          for (int t = sp.t0(); t < sp.t1(); t++) {
            int id = depthOf(od, t);
            if (id < 0) {
              continue; // a zero slice: new arrays are zero
            }
            if (!channelsLast) {
              for (int cc = 0; cc < cg; cc++) {
                int src = ((b * c + grp * cg + cc) * d + id) * hw + p0;
                int dst = (slice * c * st + (grp * cg + cc) * st + t - sp.t0()) * hw + p0;
                System.arraycopy(x, src, g, dst, p1 - p0);
              }
            } else {
              int ch = (grp * st + t - sp.t0()) * cg;
              for (int p = p0; p < p1; p++) {
                System.arraycopy(x, ((b * d + id) * hw + p) * c + grp * cg, g,
                    (slice * hw + p) * st * c + ch, cg);
              }
            }
          }
        }
      }
    }
  }

  /**
   * {@link #scatterAddInto} on pixels {@code [p0, p1)} of every plane, one input slice at a
   * time: each element gets its gathered gradients in output-slice order, as a loop over the
   * gathered slices would add them (so the same sums), but while its slice is in cache. The
   * taps in the padding get nothing.
   */
  private void addBack(float[] dx, float[] g, Span sp, int p0, int p1, ArrayKernels arrays) {
    int cg = cg();
    int hw = h * w;
    int st = sp.taps();
    for (int b = 0; b < n; b++) {
      for (int id = 0; id < d; id++) {
        for (int od = sp.from(); od < sp.to(); od++) {
          int t = tapOf(od, id);
          if (t < sp.t0() || t >= sp.t1()) {
            continue;
          }
          int slice = b * sp.slices() + od - sp.from();
          for (int grp = 0; grp < groups; grp++) {
            if (!channelsLast) {
              for (int cc = 0; cc < cg; cc++) {
                arrays.addInto(g, (slice * c * st + (grp * cg + cc) * st + t - sp.t0()) * hw + p0,
                    dx, ((b * c + grp * cg + cc) * d + id) * hw + p0, p1 - p0);
              }
            } else {
              int ch = (grp * st + t - sp.t0()) * cg;
              for (int p = p0; p < p1; p++) {
                arrays.addInto(g, (slice * hw + p) * st * c + ch, dx,
                    ((b * d + id) * hw + p) * c + grp * cg, cg);
              }
            }
          }
        }
      }
    }
  }

  /** The tap of output slice {@code od} that reads input slice {@code id}, or -1. */
  private int tapOf(int od, int id) {
    int offset = id - od * stride + padBefore;
    return offset >= 0 && offset % dilation == 0 && offset / dilation < taps
        ? offset / dilation : -1;
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

  /**
   * Whether the 2-D weight of span {@code sp} (and its gradient) is the 3-D one as it is:
   * channels first, every tap.
   */
  public boolean weightInPlace(Span sp) {
    return !channelsLast && sp.taps() == taps;
  }

  /**
   * The span's taps of the 3-D weight as the 2-D weight of its gathered input: {@code w3}
   * itself where {@link #weightInPlace}, else a new array.
   */
  public float[] weightTo2d(float[] w3, int rs, Span sp) {
    if (weightInPlace(sp)) {
      return w3;
    }
    float[] w2 = new float[k * cg() * sp.taps() * rs];
    moveWeight(w3, w2, rs, sp, false);
    return w2;
  }

  /** Adds a span's 2-D weight gradient to the 3-D weight gradient's entries of its taps. */
  public void addWeightGradient(float[] dw2, int rs, Span sp, float[] dw3) {
    moveWeight(dw3, dw2, rs, sp, true);
  }

  /** Copies the 3-D weight's span taps to the 2-D one, or with {@code back} adds them back. */
  private void moveWeight(float[] w3, float[] w2, int rs, Span sp, boolean back) {
    int cg = cg();
    int st = sp.taps();
    if (!channelsLast) { // [K*Cg, T, RS] <-> [K*Cg, T', RS]
      for (int kc = 0; kc < k * cg; kc++) {
        copyOrAdd(w3, (kc * taps + sp.t0()) * rs, w2, kc * st * rs, st * rs, back);
      }
    } else { // [T, RS, Cg*K] <-> [RS, T', Cg*K]
      int run = cg * k;
      for (int t = sp.t0(); t < sp.t1(); t++) {
        for (int i = 0; i < rs; i++) {
          int a = (t * rs + i) * run;
          int b = (i * st + t - sp.t0()) * run;
          copyOrAdd(w3, a, w2, b, run, back);
        }
      }
    }
  }

  /** Whether {@code sp} is every slice in one span whose 2-D output needs no reorder. */
  private boolean inPlace(Span sp) {
    return channelsLast && sp.from() == 0 && sp.to() == outDepth;
  }

  /**
   * The span's 2-D output ({@code [N*S, K, PQ]}, channels last {@code [N*S, PQ, K]}) into its
   * slices of the full output {@code y}; returns {@code y}, or the span's array itself when it
   * already is the full output and {@code y} is null.
   */
  public float[] outputInto(float[] y2, Span sp, float[] y, ExecContext ctx) {
    if (y == null && inPlace(sp)) {
      return y2;
    }
    float[] out = y != null ? y : new float[n * k * outDepth * outPlane];
    moveOutput(out, y2, sp, false, ctx);
    return out;
  }

  /** The span's slices of the full output (or its gradient) as its 2-D output. */
  public float[] outputOf(float[] y, Span sp, ExecContext ctx) {
    if (inPlace(sp)) {
      return y;
    }
    float[] y2 = new float[n * sp.slices() * k * outPlane];
    moveOutput(y, y2, sp, true, ctx);
    return y2;
  }

  /** Copies between the span's 2-D output and the full one, its slices split among threads. */
  private void moveOutput(float[] y, float[] y2, Span sp, boolean to2d, ExecContext ctx) {
    int s = sp.slices();
    int slices = n * s;
    int parts = ctx.workersFor(slices);
    ctx.parallelFor(parts, part -> {
      for (int slice = ExecContext.slice(slices, part, parts),
          end = ExecContext.slice(slices, part + 1, parts); slice < end; slice++) {
        int b = slice / s;
        int od = sp.from() + slice % s;
        if (channelsLast) { // [N*S, PQ*K] <-> [N, Do, PQ*K]
          int run = outPlane * k;
          copy(y2, slice * run, y, (b * outDepth + od) * run, run, to2d);
          continue;
        }
        for (int kk = 0; kk < k; kk++) { // [N*S, K, PQ] <-> [N, K, Do, PQ]
          copy(y2, (slice * k + kk) * outPlane, y, ((b * k + kk) * outDepth + od) * outPlane,
              outPlane, to2d);
        }
      }
    });
  }

  /** {@code a -> b}, or {@code b -> a} with {@code reverse}. */
  private static void copy(float[] a, int ai, float[] b, int bi, int len, boolean reverse) {
    if (reverse) {
      System.arraycopy(b, bi, a, ai, len);
    } else {
      System.arraycopy(a, ai, b, bi, len);
    }
  }
}
