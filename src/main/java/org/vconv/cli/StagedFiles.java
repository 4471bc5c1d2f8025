package org.vconv.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes several files all-or-nothing as far as a file system allows: {@link #stage} writes
 * each to a hidden temporary file beside its target, {@link #commit} renames them all into
 * place, and {@link #close} deletes any temporary file still left. So a failure while writing
 * (disk full, permissions) changes no target; only a failing rename after an earlier one
 * succeeded (same directory, so practically never) can leave some targets written.
 */
final class StagedFiles implements AutoCloseable {
  private record Staged(String name, Path tmp, Path target) {}

  private final List<Staged> staged = new ArrayList<>();

  /** What to write into a staged file. */
  @FunctionalInterface
  interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes {@code bytes} to a temporary file beside {@code file}; {@code name} labels errors. */
  void stage(String name, Path file, byte[] bytes) throws IOException {
    stage(name, file, out -> out.write(bytes));
  }

  /** Writes {@code content} to a temporary file beside {@code file}; {@code name} labels errors. */
  void stage(String name, Path file, Content content) throws IOException {
    Path target = file.toAbsolutePath();
    // write through a symlink, as np.save does, instead of replacing the link
    if (Files.isSymbolicLink(target) && Files.exists(target)) {
      target = target.toRealPath();
    }
    Path dir = target.getParent();
    String rnd = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    Path tmp = dir.resolve("." + target.getFileName() + "." + rnd + ".tmp");
    try {
      // CREATE_NEW with default permissions (umask), unlike createTempFile's 0600
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp,
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16)) {
        staged.add(new Staged(name, tmp, target));
        content.writeTo(out);
      }
    } catch (IOException e) {
      throw new IOException(name + ": cannot write: " + describe(e), e);
    }
  }

  /** Renames every staged file onto its target, in staging order. */
  void commit() throws IOException {
    for (Staged s : staged) {
      try {
        Files.move(s.tmp, s.target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new IOException(s.name + ": cannot replace " + s.target + ": " + describe(e), e);
      }
    }
    staged.clear();
  }

  /** Deletes the temporary files not committed; never throws for them. */
  @Override
  public void close() {
    for (Staged s : staged) {
      try {
        Files.deleteIfExists(s.tmp);
      } catch (IOException ignored) {
        // best effort: the original error is the one worth reporting
      }
    }
    staged.clear();
  }

  /** A short reason for an I/O failure, without the stack of exception class names. */
  static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory"; // the caller's label names the file
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
