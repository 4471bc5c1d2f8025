package org.vconv.cli;

/** A problem with the command line or its files; the message is the one line shown to the user. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message, null, false, false);
  }
}
