package org.vconv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Requires;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Surefire's first run patches the tests into the named module {@code org.vconv} and says so
 * through {@code vconv.test.module}; there the descriptor must export the API packages only and
 * need the vector module only at compile time. The other runs use the class path.
 */
class ModuleDescriptorTest {

  @Test
  void runsInTheModuleThisRunAskedFor() {
    Module m = Conv2d.class.getModule();
    String expect = System.getProperty("vconv.test.module", "");
    if (expect.isEmpty()) {
      assertFalse(m.isNamed(), "a class-path run loaded vconv as module " + m.getName());
    } else {
      assertTrue(m.isNamed(), "vconv was not loaded as a named module");
      assertEquals(expect, m.getName());
    }
  }

  @Test
  void exportsOnlyTheApiPackages() {
    Module m = Conv2d.class.getModule();
    assumeTrue(m.isNamed(), "the class-path runs have no descriptor to check");
    ModuleDescriptor d = m.getDescriptor();
    Set<String> exported = d.exports().stream().map(Exports::source).collect(Collectors.toSet());
    assertEquals(Set.of("org.vconv", "org.vconv.nn", "org.vconv.data"), exported);
    for (String internal : Set.of("org.vconv.algo", "org.vconv.gemm", "org.vconv.simd",
        "org.vconv.plan", "org.vconv.im2col", "org.vconv.cli", "org.vconv.nd",
        "org.vconv.train")) {
      assertTrue(d.packages().contains(internal), internal + " is in the module");
      assertFalse(m.isExported(internal), internal + " must stay internal");
    }
  }

  @Test
  void needsTheVectorModuleOnlyAtCompileTime() {
    Module m = Conv2d.class.getModule();
    assumeTrue(m.isNamed(), "the class-path runs have no descriptor to check");
    Requires vector = m.getDescriptor().requires().stream()
        .filter(r -> r.name().equals("jdk.incubator.vector")).findFirst().orElseThrow();
    assertEquals(Set.of(Requires.Modifier.STATIC), vector.modifiers());
    // this run starts with --add-modules jdk.incubator.vector, so the optional edge exists
    assertTrue(m.canRead(ModuleLayer.boot().findModule("jdk.incubator.vector").orElseThrow()));
  }
}
