package org.ldapbalancer.config;

import java.nio.file.Path;

/**
 * A setting as written in a configuration file, with where it was written, for settings that are
 * only checked after parsing (certificate and key files are read when TLS contexts are built) and
 * whose problems must still name file and line.
 *
 * @param name the directive or option that set it, as written ({@code TLSCertificateFile},
 *     {@code bindconf tls_cert})
 * @param value the value as written
 * @param file the file it was read from
 * @param line the line it is on
 */
public record ConfigValue(String name, String value, Path file, int line) {

  /** A problem with this value, located where it was written: {@code name value: message}. */
  public ConfigProblem problem(String message) {
    return new ConfigProblem(file, line, name + " " + value + ": " + message);
  }

  @Override
  public String toString() {
    return value + " (" + file + ":" + line + ")";
  }
}
