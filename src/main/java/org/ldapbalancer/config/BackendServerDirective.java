package org.ldapbalancer.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntConsumer;

/**
 * {@code backend-server uri=... [option=value ...]}: one upstream server.
 *
 * <p>Not thread-safe: a new instance per directive.
 */
final class BackendServerDirective {
  private final LogicalLine directive;
  private final Problems problems;
  private Arguments.KeyValue uri;
  private int numconns = BackendServer.DEFAULT_NUMCONNS;
  private int bindconns = BackendServer.DEFAULT_BINDCONNS;
  private Duration retry = BackendServer.DEFAULT_RETRY;
  private int maxPendingOps;
  private int connMaxPending = BackendServer.DEFAULT_CONN_MAX_PENDING;
  private int weight;
  /** {@code max-conns=}, or 0 when not given (four times numconns). */
  private int maxConns;
  private StartTls startTls = StartTls.NO;

  private BackendServerDirective(LogicalLine directive, Problems problems) {
    this.directive = directive;
    this.problems = problems;
  }

  /** The server, or empty if the line has errors (they are reported). */
  static Optional<BackendServer> parse(LogicalLine directive, Problems problems) {
    return new BackendServerDirective(directive, problems).parse();
  }

  private Optional<BackendServer> parse() {
    int errorsBefore = problems.errorCount();
    for (LogicalLine.Word word : directive.args()) {
      Arguments.keyValue(directive, word, true, problems).ifPresent(this::option);
    }
    Optional<LdapUrl> url = url();
    if (url.isEmpty() || problems.errorCount() > errorsBefore) {
      return Optional.empty();
    }
    return Optional.of(
        new BackendServer(
            url.get(),
            numconns,
            bindconns,
            retry,
            maxPendingOps,
            connMaxPending,
            startTls,
            weight,
            maxConns()));
  }

  private void option(Arguments.KeyValue option) {
    String key = option.lowerKey();
    switch (key) {
      case "uri" -> uri = option;
      case "numconns" -> integer(option, 1, BackendServer.MAX_CONNS, n -> numconns = n);
      case "bindconns" -> integer(option, 1, BackendServer.MAX_CONNS, n -> bindconns = n);
      case "retry" -> integer(option, 0, BackendServer.MAX_RETRY_MILLIS, ms -> retry(option, ms));
      case "max-pending-ops" -> integer(option, 0, n -> maxPendingOps = n);
      case "conn-max-pending" -> integer(option, 0, n -> connMaxPending = n);
      case "starttls" -> startTls(option);
      case "weight" -> integer(option, 0, w -> weight = w);
      case "max-conns" -> integer(option, 1, BackendServer.MAX_CONNS, n -> maxConns = n);
      default -> {
        if (UnsupportedDirectives.TLS_OPTIONS.contains(key)
            || UnsupportedDirectives.SOCKET_OPTIONS.contains(key)) {
          unsupported(option);
        } else {
          problems.error(
              directive,
              option.word(),
              directive.name() + ": unknown option \"" + option.key() + '"');
        }
      }
    }
  }

  private int maxConns() {
    if (maxConns == 0) {
      return BackendServer.defaultMaxConns(numconns);
    }
    if (maxConns < numconns) {
      problems.warn(
          directive,
          directive.name()
              + ": max-conns="
              + maxConns
              + " is below numconns="
              + numconns
              + "; the pool keeps numconns and does not grow");
      return numconns;
    }
    return maxConns;
  }

  private void retry(Arguments.KeyValue option, int millis) {
    retry = Duration.ofMillis(millis);
    if (retry.compareTo(BackendServer.MIN_RETRY) < 0) {
      retry = BackendServer.MIN_RETRY;
      problems.warn(
          directive,
          option.word(),
          directive.name()
              + ": "
              + option.shown()
              + " would retry a failed connection without pause; waiting "
              + BackendServer.MIN_RETRY.toMillis()
              + " ms instead");
    }
  }

  private void startTls(Arguments.KeyValue option) {
    switch (option.value().toLowerCase(Locale.ROOT)) {
      case "no" -> startTls = StartTls.NO;
      case "yes" -> startTls = StartTls.YES;
      case "critical" -> startTls = StartTls.CRITICAL;
      default ->
          problems.error(
              directive,
              option.word(),
              directive.name()
                  + ": bad value "
                  + option.shown()
                  + ": expected no, yes or critical");
    }
  }

  private Optional<LdapUrl> url() {
    if (uri == null) {
      problems.error(directive, directive.name() + ": uri= is required");
      return Optional.empty();
    }
    String text = uri.value();
    String scheme = text.contains("://") ? text.substring(0, text.indexOf("://")) : "";
    scheme = scheme.toLowerCase(Locale.ROOT);
    try {
      if (scheme.equals("ldapi")) {
        return Optional.of(LdapUrl.parseListener(text)); // the same syntax: a socket's path
      }
      LdapUrl url = LdapUrl.parse(text);
      if (url.host().isEmpty()) {
        problems.error(
            directive,
            uri.word(),
            directive.name() + ": bad value " + uri.shown() + ": a host name is required");
        return Optional.empty();
      }
      if (url.port() == 0) {
        // Nothing listens on port 0: every attempt would fail, retried forever.
        problems.error(
            directive,
            uri.word(),
            directive.name() + ": bad value " + uri.shown() + ": port 0 cannot be connected to");
        return Optional.empty();
      }
      return Optional.of(url);
    } catch (IllegalArgumentException e) {
      problems.error(
          directive,
          uri.word(),
          directive.name() + ": bad value " + uri.shown() + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private void integer(Arguments.KeyValue option, int min, IntConsumer sink) {
    integer(option, min, Integer.MAX_VALUE, sink);
  }

  private void integer(Arguments.KeyValue option, int min, int max, IntConsumer sink) {
    OptionalInt value =
        Arguments.integer(
            directive, option.word(), option.shown(), option.value(), min, max, problems);
    value.ifPresent(sink);
  }

  private void unsupported(Arguments.KeyValue option) {
    problems.warn(
        directive,
        option.word(),
        directive.name() + ": option " + option.key() + " not supported yet, ignored");
  }
}
