package org.vconv.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Surefire runs the suite three ways and says which through {@code vconv.test.expect}; this
 * fails when the provider that loaded is not the one the run asked for, so a broken lookup
 * cannot silently test the wrong kernels.
 */
class ProviderSelectionTest {

  @Test
  void loadedProviderIsTheOneThisRunAskedFor() throws Exception {
    String expect = System.getProperty("vconv.test.expect", "");
    VectorProvider p = VectorProviders.get();
    switch (expect) {
      case "scalar" -> assertEquals("scalar", p.name());
      case "simd-256" -> assertEquals("panama-256", p.name());
      case "simd-preferred" -> {
        assertEquals("panama-" + PanamaProvider.preferredBitSize(), p.name());
        if (cpuHas("avx512f")) {
          assertEquals(512, p.vectorBitSize(), "an AVX-512 CPU should get 512-bit kernels");
        }
      }
      default -> assertTrue(expect.isEmpty(), "unknown vconv.test.expect: " + expect);
    }
  }

  @Test
  void scalarProviderIsAlwaysThere() {
    assertEquals("scalar", VectorProviders.scalar().name());
    assertEquals(32, VectorProviders.scalar().vectorBitSize());
  }

  private static boolean cpuHas(String flag) throws Exception {
    Path info = Path.of("/proc/cpuinfo");
    return Files.isReadable(info)
        && Files.readAllLines(info).stream()
            .anyMatch(l -> l.startsWith("flags") && (" " + l + " ").contains(" " + flag + " "));
  }
}
