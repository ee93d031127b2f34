package org.ldapbalancer.tls;

import java.util.List;
import org.ldapbalancer.config.ConfigProblem;

/** TLS settings that cannot be used; every problem names the file and line at fault. */
public final class TlsConfigException extends Exception {
  private final List<ConfigProblem> problems;

  TlsConfigException(List<ConfigProblem> problems) {
    super(problems.stream().map(ConfigProblem::toString).reduce((a, b) -> a + "\n" + b).orElse(""));
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
