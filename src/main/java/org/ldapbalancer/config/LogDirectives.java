package org.ldapbalancer.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code loglevel}, {@code logfile} and {@code logformat}. {@code loglevel} lines add up, as in
 * slapd, and a level {@code 0} clears what came before it; for the others a later line overrides
 * an earlier one. Not thread-safe: one parse, one
 * thread.
 */
final class LogDirectives {
  private int level;
  private boolean sawLevel;
  private Path file;
  private LogSettings.Format format = LogSettings.Format.SLAPD;

  /** Applies the directive if it is one of these; false if it is not. */
  boolean apply(LogicalLine directive, Problems problems) {
    switch (directive.keyword()) {
      case "loglevel" -> level(directive, problems);
      case "logfile" -> file(directive, problems);
      case "logformat" -> format(directive, problems);
      default -> {
        return false;
      }
    }
    return true;
  }

  private void level(LogicalLine directive, Problems problems) {
    if (!Arguments.count(directive, 1, Integer.MAX_VALUE, problems)) {
      return;
    }
    if (!sawLevel) {
      level = 0; // the first line replaces the default; later ones add to it
      sawLevel = true;
    }
    for (LogicalLine.Word word : directive.args()) {
      for (String part : word.text().trim().split("\\s+")) {
        if (part.isEmpty()) {
          continue;
        }
        try {
          int parsed = LogLevel.parseWord(part);
          // As slapd's config_logging, which lloadd uses: an explicit 0 clears every level named
          // so far, on this line and earlier ones. "none" is a bit of its own and clears nothing.
          level = parsed == 0 ? 0 : level | parsed;
        } catch (IllegalArgumentException e) {
          problems.error(directive, word, directive.name() + ": " + e.getMessage());
        }
      }
    }
  }

  private void file(LogicalLine directive, Problems problems) {
    if (!Arguments.count(directive, 1, 1, problems)) {
      return;
    }
    String text = directive.args().get(0).text();
    Path path;
    try {
      path = Path.of(text);
    } catch (InvalidPathException e) {
      problems.error(directive, directive.name() + ": bad path \"" + text + "\": " + e.getReason());
      return;
    }
    // The file is opened at start-up; -t is to refuse what start-up would refuse.
    Path parent = path.toAbsolutePath().getParent();
    if (Files.isDirectory(path)) {
      problems.error(directive, directive.name() + ": " + text + " is a directory");
    } else if (parent == null || !Files.isDirectory(parent)) {
      problems.error(directive, directive.name() + ": no directory " + parent + " for " + text);
    } else if (Files.exists(path) ? !Files.isWritable(path) : !Files.isWritable(parent)) {
      problems.error(
          directive, directive.name() + ": cannot write " + text + " (permission denied)");
    }
    file = path;
  }

  private void format(LogicalLine directive, Problems problems) {
    if (!Arguments.count(directive, 1, 1, problems)) {
      return;
    }
    LogicalLine.Word word = directive.args().get(0);
    switch (word.text().toLowerCase(Locale.ROOT)) {
      case "slapd", "text" -> format = LogSettings.Format.SLAPD;
      case "json" -> format = LogSettings.Format.JSON;
      default ->
          problems.error(
              directive,
              word,
              directive.name()
                  + ": unknown format \""
                  + word.text()
                  + "\" (expected slapd or json)");
    }
  }

  LogSettings build() {
    return new LogSettings(level, Optional.ofNullable(file), format);
  }
}
