package org.vconv.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.vconv.ConvSpec;
import org.vconv.Layout;
import org.vconv.Padding;
import org.vconv.Tensor;
import org.vconv.cli.Npy;

/**
 * One case of the PyTorch goldens under {@code src/test/resources/golden/} (written by
 * {@code scripts/gen-golden}): the manifest entry plus its tensors, in the case's layout.
 *
 * @param pads the explicit pads {@code {top, bottom, left, right}} the generator applied
 * @param nonfinite where NaN/Inf were planted ("x", "x-unread", "dy", "w") or null
 * @param b the bias, or null when the case has none
 */
public record GoldenCase(String name, Layout layout, int[] stride, String padding, int[] pads,
    int[] dilation, int groups, boolean hasBias, String nonfinite, int[] xShape, int[] wShape,
    int[] yShape, Tensor x, Tensor w, Tensor b, Tensor dy, Tensor y, Tensor dx, Tensor dw,
    Tensor db) {

  private static final String ROOT = "/golden/";

  /** Every case in the manifest, tensors loaded. */
  public static List<GoldenCase> loadAll() {
    @SuppressWarnings("unchecked")
    Map<String, Object> manifest = (Map<String, Object>) Json.parse(resourceText("cases.json"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> cases = (List<Map<String, Object>>) manifest.get("cases");
    return cases.stream().map(GoldenCase::load).toList();
  }

  @SuppressWarnings("unchecked")
  private static GoldenCase load(Map<String, Object> m) {
    String name = (String) m.get("name");
    boolean hasBias = (Boolean) m.get("has_bias");
    Map<String, Object> shapes = (Map<String, Object>) m.get("shapes");
    return new GoldenCase(name, Layout.parse((String) m.get("layout")), ints(m.get("stride")),
        (String) m.get("padding"), ints(m.get("pads")), ints(m.get("dilation")),
        ((Double) m.get("groups")).intValue(), hasBias, (String) m.get("nonfinite"),
        ints(shapes.get("x")), ints(shapes.get("w")), ints(shapes.get("y")),
        npy(name, "x"), npy(name, "w"), hasBias ? npy(name, "b") : null, npy(name, "dy"),
        npy(name, "y"), npy(name, "dx"), npy(name, "dw"), npy(name, "db"));
  }

  /** The spec the manifest describes, padding parsed from its command line form. */
  public ConvSpec spec() {
    return ConvSpec.builder()
        .layout(layout)
        .stride(stride[0], stride[1])
        .padding(Padding.parse(padding))
        .dilation(dilation[0], dilation[1])
        .groups(groups)
        .build();
  }

  /** The test tree's own reference geometry, with the generator's explicit pads. */
  public RefConv ref() {
    return RefConv.of(layout, xShape, wShape, stride, pads, dilation, groups);
  }

  @Override
  public String toString() {
    return name;
  }

  private static int[] ints(Object list) {
    return ((List<?>) list).stream().mapToInt(v -> ((Double) v).intValue()).toArray();
  }

  private static Tensor npy(String name, String key) {
    String path = name + "/" + key + ".npy";
    try (InputStream in = open(path)) {
      return Npy.parse(path, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String resourceText(String path) {
    try (InputStream in = open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String path) {
    InputStream in = GoldenCase.class.getResourceAsStream(ROOT + path);
    if (in == null) {
      throw new IllegalStateException("missing golden resource " + ROOT + path
          + " (regenerate with: \"$(scripts/torch-python)\" scripts/gen-golden)");
    }
    return in;
  }
}
