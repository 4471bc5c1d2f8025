package org.vconv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vconv.cli.Npy;
import org.vconv.testutil.Json;

/**
 * {@link ConvNd} against PyTorch on the golden cases of {@code scripts/gen-golden-nd}: 1-D,
 * 3-D, transposed 1-D, 2-D and 3-D, and reflect, replicate and circular padding, 30 random
 * configurations each, every algorithm, SIMD and scalar kernels. An answer may differ from
 * PyTorch's float64 answer by the float32 bound of its sum: {@code (n + 2) * 2^-23} times the
 * sum of its terms' absolute values, which the generator computed.
 */
class ConvNdGoldenTest {
  private static final String ROOT = "/golden-nd/";

  record Case(String name, String family, ConvNdSpec spec, boolean hasBias, int reduction,
      Map<String, Tensor> t) {
    @Override
    public String toString() {
      return name + " " + spec;
    }
  }

  static List<Case> cases() {
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> list = (List<Map<String, Object>>)
        ((Map<String, Object>) Json.parse(text("cases.json"))).get("cases");
    return list.stream().map(ConvNdGoldenTest::load).toList();
  }

  @SuppressWarnings("unchecked")
  private static Case load(Map<String, Object> m) {
    String name = (String) m.get("name");
    int rank = num(m.get("rank"));
    ConvNdSpec spec = ConvNdSpec.builder(rank)
        .layout((String) m.get("layout"))
        .stride(ints(m.get("stride")))
        .dilation(ints(m.get("dilation")))
        .padding((String) m.get("padding"))
        .groups(num(m.get("groups")))
        .paddingMode(PaddingMode.valueOf(((String) m.get("mode")).toUpperCase()))
        .transposed((Boolean) m.get("transposed"))
        .outputPadding(ints(m.get("output_padding")))
        .build();
    float[] all;
    try (InputStream in = open(name + ".npy")) {
      all = Npy.parse(name, in.readAllBytes()).data();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Tensor> tensors = new TreeMap<>();
    ((Map<String, Object>) m.get("tensors")).forEach((key, v) -> {
      Map<String, Object> e = (Map<String, Object>) v;
      int[] shape = ints(e.get("shape"));
      int from = num(e.get("offset"));
      int size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      tensors.put(key, Tensor.of(Arrays.copyOfRange(all, from, from + size), shape));
    });
    return new Case(name, (String) m.get("family"), spec, (Boolean) m.get("has_bias"),
        num(m.get("reduction")), tensors);
  }

  @Test
  void everyFamilyHasThirtyCases() {
    Map<String, Long> perFamily = new TreeMap<>();
    for (Case c : cases()) {
      perFamily.merge(c.family(), 1L, Long::sum);
    }
    assertEquals(Map.of("conv1d", 30L, "conv3d", 30L, "tconv1d", 30L, "tconv2d", 30L,
        "tconv3d", 30L, "reflect", 30L, "replicate", 30L, "circular", 30L), perFamily);
  }

  static Stream<Case> goldenCases() {
    return cases().stream();
  }

  @ParameterizedTest
  @MethodSource("goldenCases")
  void matchesPyTorchWithEveryAlgorithm(Case c) {
    Tensor x = c.t().get("x");
    Tensor w = c.t().get("w");
    Tensor b = c.hasBias() ? c.t().get("b") : null;
    Tensor dy = c.t().get("dy");
    int checked = 0;
    for (Algorithm a : Algorithm.values()) {
      for (boolean simd : new boolean[] {true, false}) {
        ConvNd conv = ConvNd.of(c.spec()).withAlgorithm(a).withVectorization(simd);
        String what = c.name() + " " + a + (simd ? " simd" : " scalar");
        assertArrayEquals(c.t().get("y").shape(), conv.outputShape(x.shape(), w.shape()), what);
        close(what + " forward", conv.forward(x, w, b), c, "y");
        Gradients g = conv.backward(dy, x, w);
        close(what + " input gradient", g.input(), c, "dx");
        close(what + " weight gradient", g.weight(), c, "dw");
        close(what + " bias gradient", g.bias(), c, "db");
        checked++;
      }
    }
    assertEquals(2 * Algorithm.values().length, checked);
  }

  private static void close(String what, Tensor got, Case c, String key) {
    Tensor ref = c.t().get(key);
    Tensor abs = c.t().get(key + "_abs");
    assertArrayEquals(ref.shape(), got.shape(), what + " shape");
    double unit = (c.reduction() + 2) * 0x1p-23;
    float[] a = got.data();
    for (int i = 0; i < a.length; i++) {
      double err = Math.abs((double) a[i] - ref.data()[i]);
      if (!(err <= unit * abs.data()[i])) {
        fail(what + " [" + i + "]: " + a[i] + ", PyTorch " + ref.data()[i] + " (bound "
            + unit * abs.data()[i] + ") in " + c);
      }
    }
  }

  private static int num(Object v) {
    return ((Double) v).intValue();
  }

  private static int[] ints(Object list) {
    return ((List<?>) list).stream().mapToInt(v -> ((Double) v).intValue()).toArray();
  }

  private static String text(String path) {
    try (InputStream in = open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String path) {
    InputStream in = ConvNdGoldenTest.class.getResourceAsStream(ROOT + path);
    assertTrue(in != null, "missing test resource " + ROOT + path);
    return in;
  }
}
