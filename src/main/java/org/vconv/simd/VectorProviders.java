package org.vconv.simd;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Finds the {@link VectorProvider} once per JVM. The system property {@code vconv.simd} may be
 * {@code preferred} (the default), {@code 512}, {@code 256}, {@code 128} or {@code scalar}.
 * The Panama provider is used only when {@code jdk.incubator.vector} is readable (the JVM was
 * started with {@code --add-modules jdk.incubator.vector}), C2 is available and vectors are at
 * least 128 bits wide; otherwise vconv runs on the scalar provider and says why, once, through
 * {@link System.Logger}.
 */
public final class VectorProviders {
  private VectorProviders() {}

  /** The property that forces a provider. */
  public static final String PROPERTY = "vconv.simd";

  private static final System.Logger LOG = System.getLogger("org.vconv");

  /**
   * The provider every call uses unless told otherwise.
   *
   * @return the provider found once per JVM
   * @throws IllegalArgumentException when {@code vconv.simd} holds a value it does not name,
   *     on every call (not an error of the class's initialization)
   */
  public static VectorProvider get() {
    VectorProvider p = Holder.DEFAULT;
    if (p == null) {
      throw new IllegalArgumentException(Holder.BAD_SETTING);
    }
    return p;
  }

  /** The scalar provider, always available (for tests and benchmarks). */
  public static VectorProvider scalar() {
    return Holder.SCALAR;
  }

  // a holder class so the lookup runs on first use, not while VectorProviders initializes
  private static final class Holder {
    static final VectorProvider SCALAR = new ScalarProvider();
    /** Why {@code vconv.simd} names no provider, or null when it does. */
    static final String BAD_SETTING = badSetting();
    /** Null when the setting is bad. */
    static final VectorProvider DEFAULT = BAD_SETTING == null ? lookup() : null;
  }

  private static String badSetting() {
    try {
      requestedBits();
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** 512, 256 or 128 when forced; 0 for preferred; -1 for scalar. */
  static int requestedBits() {
    String v = System.getProperty(PROPERTY, "preferred").trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "", "preferred" -> 0;
      case "scalar" -> -1;
      case "512", "256", "128" -> Integer.parseInt(v);
      default -> throw new IllegalArgumentException(
          PROPERTY + " must be preferred, 512, 256, 128 or scalar, got '" + v + "'");
    };
  }

  private static VectorProvider lookup() {
    int bits = requestedBits();
    if (bits < 0) {
      LOG.log(Level.INFO, "vconv: scalar kernels (" + PROPERTY + "=scalar)");
      return Holder.SCALAR;
    }
    Module vector = ModuleLayer.boot().findModule("jdk.incubator.vector").orElse(null);
    // a named org.vconv reads its optional dependence only when the module was resolved
    if (vector == null || !VectorProviders.class.getModule().canRead(vector)) {
      LOG.log(Level.WARNING, "vconv: jdk.incubator.vector is not readable, using scalar kernels;"
          + " start java with --add-modules jdk.incubator.vector (see jvm.config)");
      return Holder.SCALAR;
    }
    if (!hasC2()) {
      LOG.log(Level.WARNING, "vconv: C2 is not available, using scalar kernels"
          + " (Vector API code is slow without it)");
      return Holder.SCALAR;
    }
    try {
      Class<?> c = Class.forName("org.vconv.simd.PanamaProvider");
      VectorProvider p = (VectorProvider) c.getDeclaredConstructor().newInstance();
      if (p.vectorBitSize() < 128) {
        LOG.log(Level.WARNING, "vconv: vectors are only " + p.vectorBitSize()
            + " bits wide, using scalar kernels");
        return Holder.SCALAR;
      }
      if (bits > 0 && p.vectorBitSize() != bits) {
        LOG.log(Level.WARNING, "vconv: " + PROPERTY + "=" + bits + " is wider than this CPU"
            + " supports, using " + p.name());
      }
      return p;
    } catch (ReflectiveOperationException | LinkageError e) {
      LOG.log(Level.WARNING, "vconv: cannot load the Panama kernels (" + e + "),"
          + " using scalar kernels");
      return Holder.SCALAR;
    }
  }

  private static boolean hasC2() {
    var args = ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (String a : args) {
      if (a.equals("-Xint") || a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4")) {
        return false;
      }
    }
    return true;
  }
}
