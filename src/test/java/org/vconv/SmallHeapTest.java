package org.vconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.vconv.testutil.RandomTensors;

/**
 * Out of memory for real, in a JVM of its own with a 64 MiB heap ({@link Child}): calls made
 * with the heap filled up throw OutOfMemoryError to their caller, wherever it was thrown, and
 * once memory is free again the next call is bitwise right; then many callers at once on
 * that heap each succeed (bitwise right) or throw, all within a deadline, and the JVM ends.
 */
class SmallHeapTest {

  @Test
  void callsOutOfMemoryThrowToTheirCallerAndTheNextCallIsExact() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-Xms64m"));
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      cmd.add("--add-modules=jdk.incubator.vector");
    }
    // the module-path run patches these into module org.vconv rather than listing them on
    // the class path; Surefire runs in the project directory
    String cp = String.join(java.io.File.pathSeparator, "target/test-classes", "target/classes",
        System.getProperty("java.class.path"));
    cmd.addAll(List.of("-cp", cp, Child.class.getName()));
    Path out = Files.createTempFile("vconv-small-heap", ".txt");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
          .start();
      boolean ended = p.waitFor(240, TimeUnit.SECONDS);
      if (!ended) {
        p.destroyForcibly();
      }
      String log = Files.readString(out, StandardCharsets.UTF_8);
      assertTrue(ended, "the child JVM ended:\n" + log);
      assertEquals(0, p.exitValue(), log);
      Matcher m = Pattern.compile("out of memory: (\\d+) calls threw OutOfMemoryError to the "
          + "caller, every next call exact").matcher(log);
      assertTrue(m.find(), log);
      assertTrue(Integer.parseInt(m.group(1)) > 0, log);
      assertTrue(log.contains("many callers: all ended"), log);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** The child JVM: exits 0 when all went as the test expects, else prints why and exits 1. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      Conv2d conv = Conv2d.of(ConvSpec.builder().padding(1).build()).withThreads(2);
      Tensor x = RandomTensors.uniform(1, 1, 64, 56, 56);
      Tensor w = RandomTensors.uniform(2, 64, 64, 3, 3);
      Tensor dy = RandomTensors.uniform(3, 1, 64, 56, 56);
      Tensor y0 = conv.forward(x, w);
      Gradients g0 = conv.backward(dy, x, w);
      // outputs allocated beforehand: with the heap full, only the calls' own memory is missing
      Tensor y = Tensor.zeros(y0.shape());
      Tensor dx = Tensor.zeros(x.shape());
      Tensor dw = Tensor.zeros(w.shape());
      int threw = 0;
      for (int free = 0; free <= 16; free++) {
        Scratch.release(); // the call must allocate its scratch anew
        List<long[]> ballast = new ArrayList<>();
        try {
          while (true) {
            ballast.add(new long[32 << 10]); // 256 KiB
          }
        } catch (OutOfMemoryError full) {
          // the heap is full; leave `free` chunks of room
        }
        for (int i = 0; i < free && !ballast.isEmpty(); i++) {
          ballast.remove(ballast.size() - 1);
        }
        Throwable failure = null;
        try {
          conv.forwardInto(x, w, null, y);
          conv.backwardInto(dy, x, w, dx, dw, null);
        } catch (Throwable t) {
          failure = t;
        }
        ballast = null;
        if (failure != null && !(failure instanceof OutOfMemoryError)) {
          fail("a call threw " + failure + ", not OutOfMemoryError");
        }
        threw += failure != null ? 1 : 0;
        conv.forwardInto(x, w, null, y);
        conv.backwardInto(dy, x, w, dx, dw, null);
        if (!Arrays.equals(y0.data(), y.data()) || !Arrays.equals(g0.input().data(), dx.data())
            || !Arrays.equals(g0.weight().data(), dw.data())) {
          fail("the call after " + failure + " gave other bits");
        }
      }
      System.out.println("out of memory: " + threw + " calls threw OutOfMemoryError to the "
          + "caller, every next call exact");

      int callers = 32;
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger oom = new AtomicInteger();
      AtomicInteger wrong = new AtomicInteger();
      CountDownLatch ended = new CountDownLatch(callers);
      for (int c = 0; c < callers; c++) {
        Thread t = new Thread(() -> {
          try {
            Tensor yc = conv.forward(x, w);
            Gradients gc = conv.backward(dy, x, w);
            boolean exact = Arrays.equals(y0.data(), yc.data())
                && Arrays.equals(g0.input().data(), gc.input().data())
                && Arrays.equals(g0.weight().data(), gc.weight().data());
            (exact ? ok : wrong).incrementAndGet();
          } catch (OutOfMemoryError e) {
            oom.incrementAndGet();
          } catch (Throwable e) {
            wrong.incrementAndGet();
          } finally {
            ended.countDown();
          }
        });
        t.setDaemon(true);
        t.start();
      }
      if (!ended.await(120, TimeUnit.SECONDS) || wrong.get() > 0) {
        fail("many callers: " + ended.getCount() + " not ended, " + wrong.get() + " wrong");
      }
      System.out.println("many callers: all ended, " + ok + " exact, " + oom
          + " threw OutOfMemoryError");
      conv.forwardInto(x, w, null, y);
      if (!Arrays.equals(y0.data(), y.data())) {
        fail("the call after many callers gave other bits");
      }
    }

    private static void fail(String why) {
      System.out.println("FAILED: " + why);
      System.exit(1);
    }
  }
}
