package org.vconv.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.vconv.Conv2d;
import org.vconv.ConvSpec;
import org.vconv.Gradients;
import org.vconv.Scratch;
import org.vconv.Tensor;

/**
 * Many threads calling one shared {@link Conv2d} at once (3x3, C -> C channels, padding 1),
 * each a forward and a full backward, as a server would: reports how the calls ended, whether
 * their results are bitwise those of a single caller, the vconv threads alive afterwards and
 * the heap retained after a full GC while the callers are still alive (as a server's request
 * threads stay), then after they end. Run by {@code scripts/load}; see its help for arguments.
 * Exits 0 when every call ended (succeeded or threw) and every success was bitwise right; 1
 * when a call was wrong or had not ended by the deadline; with {@code --strict}, also 1 when
 * any call threw.
 */
public final class LoadDriver {
  private LoadDriver() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new TreeMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--strict")) {
        opt.put("strict", "1");
      } else if (a.startsWith("--") && i + 1 < args.length) {
        opt.put(a.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument: " + a);
      }
    }
    int callers = Integer.parseInt(opt.getOrDefault("callers", "200"));
    int batch = Integer.parseInt(opt.getOrDefault("batch", "1"));
    int size = Integer.parseInt(opt.getOrDefault("size", "28"));
    int channels = Integer.parseInt(opt.getOrDefault("channels", "64"));
    int reps = Integer.parseInt(opt.getOrDefault("reps", "1"));
    long deadlineS = Long.parseLong(opt.getOrDefault("deadline", "600"));
    boolean strict = opt.containsKey("strict");

    Conv2d conv = Conv2d.of(ConvSpec.builder().padding(1).build());
    Tensor x = random(new int[] {batch, channels, size, size}, 1);
    Tensor w = random(new int[] {channels, channels, 3, 3}, 2);
    Tensor b = random(new int[] {channels}, 3);
    Tensor dy = random(conv.outputShape(x.shape(), w.shape()), 4);
    System.out.printf("load: %d callers x %d rep(s), batch %d, %dx%d, 3x3 %d->%d pad 1, "
        + "threads %d, budget %d MiB, scratch cap %d MiB, max heap %d MiB, %d cores%n",
        callers, reps, batch, size, size, channels, channels, conv.threads(),
        conv.workspaceBytes() >> 20, Scratch.capBytes() >> 20,
        Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());

    Tensor y0 = conv.forward(x, w, b);
    Gradients g0 = conv.backward(dy, x, w);
    float[][] expected = {y0.data(), g0.input().data(), g0.weight().data(), g0.bias().data()};
    System.out.printf("load: single caller done; heap after GC %d MiB%n", heapAfterGc() >> 20);

    AtomicReferenceArray<String> outcome = new AtomicReferenceArray<>(callers);
    AtomicLong slowest = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch ended = new CountDownLatch(callers);
    CountDownLatch measured = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      int id = c;
      Thread t = new Thread(() -> {
        String result = "ok";
        try {
          start.await();
          for (int r = 0; r < reps && result.equals("ok"); r++) {
            long t0 = System.nanoTime();
            Tensor y = conv.forward(x, w, b);
            Gradients g = conv.backward(dy, x, w);
            slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
            float[][] got = {y.data(), g.input().data(), g.weight().data(), g.bias().data()};
            for (int i = 0; i < got.length; i++) {
              if (!bitwiseEqual(expected[i], got[i])) {
                result = "WRONG";
              }
            }
          }
        } catch (Throwable e) {
          result = "threw " + e.getClass().getSimpleName();
        } finally {
          outcome.set(id, result);
          ended.countDown();
        }
        try { // stay alive, as a server's request threads do, until the heap is measured
          measured.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "caller-" + c);
      t.setDaemon(true); // a caller that never returns must not keep the JVM alive
      threads.add(t);
      t.start();
    }
    long t0 = System.nanoTime();
    start.countDown();
    boolean allEnded = ended.await(deadlineS, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - t0) / 1e9;

    Map<String, Integer> counts = new TreeMap<>();
    for (int c = 0; c < callers; c++) {
      String o = outcome.get(c);
      counts.merge(o == null ? "NOT ENDED" : o, 1, Integer::sum);
    }
    System.out.printf("load: %s in %.1f s (slowest call %.2f s)%n", counts, seconds,
        slowest.get() / 1e9);
    int vconvThreads = vconvThreads();
    long heap = heapAfterGc();
    System.out.printf("load: afterwards, callers still alive: %d vconv threads alive (%d cores);"
        + " heap after full GC %d MiB, of which scratch retained %d MiB (cap %d MiB)%n",
        vconvThreads,
        Runtime.getRuntime().availableProcessors(), heap >> 20, Scratch.retainedBytes() >> 20,
        Scratch.capBytes() >> 20);
    Scratch.release();
    System.out.printf("load: after Scratch.release(): heap after full GC %d MiB%n",
        heapAfterGc() >> 20);
    measured.countDown();
    long joinUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // hung callers: move on
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinUntil - System.nanoTime())));
    }
    threads.clear();
    System.out.printf("load: after the callers ended: heap after full GC %d MiB%n",
        heapAfterGc() >> 20);

    boolean wrong = counts.containsKey("WRONG") || !allEnded;
    boolean threw = counts.keySet().stream().anyMatch(k -> k.startsWith("threw"));
    System.exit(wrong || strict && threw ? 1 : 0);
  }

  private static int vconvThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("vconv")).count();
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static boolean bitwiseEqual(float[] a, float[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        return false;
      }
    }
    return true;
  }

  private static Tensor random(int[] shape, long seed) {
    int n = Arrays.stream(shape).reduce(1, (p, q) -> p * q);
    float[] d = new float[n];
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      d[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return Tensor.of(d, shape);
  }
}
