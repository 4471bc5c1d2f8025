package org.vconv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.vconv.plan.WisdomStore;

/**
 * The paths {@link PlanningMode#MEASURE} found fastest, kept per problem for the whole JVM
 * (FFTW's wisdom), so that the expensive search happens once: export them to a small text file
 * and import them in the next run, and {@link Algorithm#AUTO} plans those problems the same
 * way, and so gives the same bits, in either planning mode. An entry names the kernels, thread
 * count, budget, geometry and pass it was measured for, and applies to exactly those; an entry
 * whose path does not accept its problem (from another vconv version, or edited) is ignored.
 *
 * <p>The system property {@code vconv.wisdom} names a file imported before the first plan.
 * Thread-safe.
 */
public final class Wisdom {
  private Wisdom() {}

  /** The system property naming a wisdom file to import before the first plan. */
  public static final String PROPERTY = "vconv.wisdom";

  /**
   * Every entry, as text: a header line, then one line per problem and pass.
   *
   * @return the text {@link #importText} reads
   */
  public static String exportText() {
    return WisdomStore.export();
  }

  /**
   * Writes {@link #exportText()} to {@code file} (replacing it).
   *
   * @param file where to write
   * @throws IOException if the file cannot be written
   */
  public static void exportTo(Path file) throws IOException {
    Files.writeString(Objects.requireNonNull(file, "file"), exportText(),
        StandardCharsets.UTF_8);
  }

  /**
   * Adds the entries of an exported text, all or none; an entry for a problem already known
   * replaces it. Plans already made are kept: convolutions created afterwards plan anew.
   *
   * @param text what {@link #exportText()} wrote
   * @return how many entries it held
   * @throws IllegalArgumentException naming the first line that is not an entry
   */
  public static int importText(String text) {
    return WisdomStore.importText(Objects.requireNonNull(text, "text"));
  }

  /**
   * Adds the entries of a file {@link #exportTo} wrote.
   *
   * @param file the file
   * @return how many entries it held
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException naming the file and its first line that is not an entry
   */
  public static int importFrom(Path file) throws IOException {
    String text = Files.readString(Objects.requireNonNull(file, "file"),
        StandardCharsets.UTF_8);
    try {
      return importText(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** Forgets every entry (plans already made are kept). */
  public static void forget() {
    WisdomStore.forget();
  }

  /**
   * How many entries there are.
   *
   * @return the number of (problem, pass) entries
   */
  public static int size() {
    return WisdomStore.size();
  }

  /** Imports {@link #PROPERTY}'s file once, before the first plan. */
  static void loadDefault() {
    Holder.load();
  }

  private static final class Holder {
    private static volatile boolean loaded;

    static void load() {
      if (!loaded) { // every new plan asks: only the first takes the lock
        loadOnce();
      }
    }

    private static synchronized void loadOnce() {
      if (loaded) {
        return;
      }
      loaded = true;
      String file = System.getProperty(PROPERTY);
      if (file == null || file.isBlank()) {
        return;
      }
      try {
        importFrom(Path.of(file));
      } catch (IOException e) {
        throw new IllegalArgumentException(PROPERTY + "=" + file + ": cannot read: " + e, e);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(PROPERTY + "=" + e.getMessage(), e);
      }
    }
  }
}
