package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.nio.file.Path;
import java.util.List;

/** Parses configuration text written inline in a test, one argument per line. */
final class ConfigFixture {
  static final Path FILE = Path.of("lloadd.conf");

  /** A backend-server line, for tests about something else that still need one. */
  static final String SERVER = "backend-server uri=ldap://ldap1.example.com";

  private ConfigFixture() {}

  static BalancerConfig parse(String... lines) throws ConfigException {
    return ConfigParser.parse(String.join("\n", lines) + "\n", FILE);
  }

  /** The problems of a configuration that must fail, each as {@code file:line: message}. */
  static List<String> errors(String... lines) {
    return assertThatExceptionOfType(ConfigException.class)
        .isThrownBy(() -> parse(lines))
        .actual()
        .problems()
        .stream()
        .map(ConfigProblem::toString)
        .toList();
  }

  static List<String> warnings(String... lines) throws ConfigException {
    return parse(lines).warnings().stream().map(ConfigProblem::toString).toList();
  }
}
