package org.ldapbalancer.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What is logged, and where: {@code loglevel}, {@code logfile} and {@code logformat}. Immutable.
 *
 * @param level the levels of {@code loglevel}, added up ({@link LogLevel}); 0 when not given
 * @param file where the access log is written ({@code logfile}); empty for the main log on
 *     standard error
 * @param format how access log lines are written ({@code logformat})
 */
public record LogSettings(int level, Optional<Path> file, Format format) {

  /** The layout of access log lines. */
  public enum Format {
    /** slapd's own lines ({@code conn=1000 op=1 SRCH base=...}): {@code logformat slapd}. */
    SLAPD,
    /** One JSON object per line with the same fields: {@code logformat json}. */
    JSON
  }

  /** Nothing beyond the main log: no {@code loglevel}, {@code logfile} or {@code logformat}. */
  public static final LogSettings DEFAULT = new LogSettings(0, Optional.empty(), Format.SLAPD);

  /** Whether the access log is on ({@code loglevel stats}, or any level that includes it). */
  public boolean accessLog() {
    return LogLevel.hasStats(level);
  }

  /** The same settings with {@code extra} levels added (the command line's {@code -d}). */
  public LogSettings withLevel(int extra) {
    return new LogSettings(level | extra, file, format);
  }
}
