package org.ldapbalancer.config;

import java.nio.file.Path;

/** An error or warning about one line of a configuration file. */
public record ConfigProblem(Path file, int line, String message) {
  @Override
  public String toString() {
    return file + ":" + line + ": " + message;
  }
}
