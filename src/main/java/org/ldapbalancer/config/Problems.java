package org.ldapbalancer.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the errors and warnings of one parse, so that an operator sees every mistake in one run
 * instead of fixing them one restart at a time. Not thread-safe: one parse, one thread.
 */
final class Problems {
  private final List<ConfigProblem> errors = new ArrayList<>();
  private final List<ConfigProblem> warnings = new ArrayList<>();

  void error(Path file, int line, String message) {
    errors.add(new ConfigProblem(file, line, message));
  }

  void error(LogicalLine directive, String message) {
    error(directive.file(), directive.line(), message);
  }

  void error(LogicalLine directive, LogicalLine.Word word, String message) {
    error(directive.file(), word.line(), message);
  }

  void warn(Path file, int line, String message) {
    warnings.add(new ConfigProblem(file, line, message));
  }

  void warn(LogicalLine directive, String message) {
    warnings.add(new ConfigProblem(directive.file(), directive.line(), message));
  }

  void warn(LogicalLine directive, LogicalLine.Word word, String message) {
    warnings.add(new ConfigProblem(directive.file(), word.line(), message));
  }

  int errorCount() {
    return errors.size();
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  List<ConfigProblem> errors() {
    return List.copyOf(errors);
  }

  List<ConfigProblem> warnings() {
    return List.copyOf(warnings);
  }
}
