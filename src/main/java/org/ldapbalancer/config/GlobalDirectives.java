package org.ldapbalancer.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The global settings: {@code io-threads}, {@code client_max_pending}, the {@code
 * sockbuf_max_incoming_*} limits, {@code feature} / {@code enable} / {@code disable}, {@code
 * pidfile} and {@code listen}. A later line overrides an earlier one, as in lloadd; {@code listen}
 * lines add up. Not thread-safe: one parse, one thread.
 */
final class GlobalDirectives {
  /** Ours, not lloadd's: the Session Tracking control on forwarded operations. */
  static final String SESSION_TRACKING = "session-tracking";

  private static final Pattern LISTEN_URL =
      Pattern.compile("(?i)(ldap|ldaps|ldapi|pldap|pldaps|http|https)://\\S*");

  private int ioThreads = BalancerConfig.defaultIoThreads();
  private int clientMaxPending;
  private int maxIncomingClient = BalancerConfig.DEFAULT_MAX_INCOMING_CLIENT;
  private int maxIncomingUpstream = BalancerConfig.DEFAULT_MAX_INCOMING_UPSTREAM;
  private boolean proxyAuthz = true;
  /** Whether a {@code feature}, {@code enable} or {@code disable} line named proxyauthz. */
  private boolean proxyAuthzNamed;
  private boolean sessionTracking;
  private boolean verifyCredentials;
  private Path pidFile;
  private Duration ioTimeout = BalancerConfig.DEFAULT_IO_TIMEOUT;
  private Duration healthInterval = HealthCheck.DEFAULT_INTERVAL;
  private Duration healthTimeout = HealthCheck.DEFAULT_TIMEOUT;
  private Duration idleTimeout = Duration.ZERO;
  private final List<String> listenUrls = new ArrayList<>();
  private final Set<LdapUrl> listenAddresses = new HashSet<>();

  /** Applies the directive if it is one of these; false if it is not. */
  boolean apply(LogicalLine directive, Problems problems) {
    switch (directive.keyword()) {
      case "io-threads" -> ioThreads(directive, problems);
      case "client_max_pending" ->
          Arguments.singleInteger(directive, 0, problems).ifPresent(n -> clientMaxPending = n);
      case "sockbuf_max_incoming_client" ->
          Arguments.singleInteger(directive, BalancerConfig.MIN_MAX_INCOMING, problems)
              .ifPresent(n -> maxIncomingClient = n);
      case "sockbuf_max_incoming_upstream" ->
          Arguments.singleInteger(directive, BalancerConfig.MIN_MAX_INCOMING, problems)
              .ifPresent(n -> maxIncomingUpstream = n);
      case "feature", "enable" -> features(directive, true, problems);
      case "disable" -> features(directive, false, problems);
      case "pidfile" -> pidFile(directive, problems);
      case "iotimeout" ->
          Arguments.singleInteger(directive, 0, problems)
              .ifPresent(n -> ioTimeout = Duration.ofMillis(n));
      case "listen" -> listen(directive, problems);
      case "health-check-interval" ->
          Arguments.singleInteger(directive, 0, MAX_MILLIS, problems)
              .ifPresent(n -> healthInterval = Duration.ofMillis(n));
      case "health-check-timeout" ->
          Arguments.singleInteger(directive, 0, MAX_MILLIS, problems)
              .ifPresent(n -> healthTimeout = Duration.ofMillis(n));
      // slapd.conf(5): seconds; 0, the default, never closes an idle client.
      case "idletimeout" ->
          Arguments.singleInteger(directive, 0, BindConf.MAX_TIMEOUT_SECONDS, problems)
              .ifPresent(n -> idleTimeout = Duration.ofSeconds(n));
      default -> {
        return false;
      }
    }
    return true;
  }

  /** lloadd rounds {@code io-threads 0} to one thread (its power-of-two rounding); so does this. */
  private void ioThreads(LogicalLine directive, Problems problems) {
    Arguments.singleInteger(directive, 0, BalancerConfig.MAX_IO_THREADS, problems)
        .ifPresent(
            n -> {
              if (n == 0) {
                problems.warn(directive, directive.name() + ": 0 means 1 thread, as in lloadd");
                n = 1;
              }
              ioThreads = n;
            });
  }

  private void features(LogicalLine directive, boolean on, Problems problems) {
    if (!Arguments.count(directive, 1, Integer.MAX_VALUE, problems)) {
      return;
    }
    for (LogicalLine.Word word : directive.args()) {
      String name = word.text().toLowerCase(Locale.ROOT);
      if (name.equals("proxyauthz")) {
        proxyAuthz = on;
        proxyAuthzNamed = true;
      } else if (name.equals(SESSION_TRACKING)) {
        sessionTracking = on;
      } else if (name.equals("vc")) {
        verifyCredentials = on;
      } else if (UnsupportedDirectives.FEATURES.contains(name)) {
        // Switching off what is not implemented changes nothing; switching it on would.
        if (on) {
          problems.warn(
              directive,
              word,
              directive.name() + " " + word.text() + ": not supported yet, ignored");
        }
      } else {
        problems.error(
            directive, word, directive.name() + ": unknown feature \"" + word.text() + '"');
      }
    }
  }

  private void pidFile(LogicalLine directive, Problems problems) {
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
    // Start-up writes the file before it serves; -t is to refuse what start-up would refuse.
    Path parent = path.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      problems.error(directive, directive.name() + ": no directory " + parent + " for " + text);
    } else if (!Files.isWritable(parent)) {
      problems.error(
          directive, directive.name() + ": cannot write in " + parent + " (permission denied)");
    }
    pidFile = path;
  }

  /** lloadd takes one quoted list of URLs; several arguments are accepted as well. */
  private void listen(LogicalLine directive, Problems problems) {
    if (!Arguments.count(directive, 1, Integer.MAX_VALUE, problems)) {
      return;
    }
    int before = listenUrls.size();
    int errorsBefore = problems.errorCount();
    for (LogicalLine.Word word : directive.args()) {
      for (String url : word.text().trim().split("\\s+")) {
        if (url.isEmpty()) {
          continue;
        }
        if (LISTEN_URL.matcher(url).matches()) {
          listenUrl(directive, word, url, problems);
        } else {
          problems.error(
              directive,
              word,
              directive.name()
                  + ": bad URL \""
                  + url
                  + "\" (expected ldap://, ldaps://, ldapi://, pldap://, pldaps:// or http://)");
        }
      }
    }
    if (listenUrls.size() == before && problems.errorCount() == errorsBefore) {
      problems.error(directive, directive.name() + ": missing URL");
    }
  }

  /** Checks one URL as start-up would open it, so that {@code -t} refuses what start would. */
  private void listenUrl(
      LogicalLine directive, LogicalLine.Word word, String url, Problems problems) {
    LdapUrl parsed;
    try {
      parsed = LdapUrl.parseListener(url);
    } catch (IllegalArgumentException e) {
      problems.error(directive, word, directive.name() + ": " + e.getMessage());
      return;
    }
    if (!listenAddresses.add(parsed)) {
      // The second listener on one address could not be bound.
      problems.error(
          directive,
          word,
          directive.name() + ": " + url + " names the same address as an earlier URL");
      return;
    }
    listenUrls.add(url);
  }

  /** One day, as for the other time-outs: longer is no limit in practice. */
  private static final int MAX_MILLIS = BindConf.MAX_TIMEOUT_SECONDS * 1000;

  HealthCheck healthCheck() {
    return new HealthCheck(healthInterval, healthTimeout);
  }

  Duration idleTimeout() {
    return idleTimeout;
  }

  int ioThreads() {
    return ioThreads;
  }

  Duration ioTimeout() {
    return ioTimeout;
  }

  int clientMaxPending() {
    return clientMaxPending;
  }

  int maxIncomingClient() {
    return maxIncomingClient;
  }

  int maxIncomingUpstream() {
    return maxIncomingUpstream;
  }

  boolean proxyAuthz() {
    return proxyAuthz;
  }

  boolean proxyAuthzNamed() {
    return proxyAuthzNamed;
  }

  boolean sessionTracking() {
    return sessionTracking;
  }

  boolean verifyCredentials() {
    return verifyCredentials;
  }

  Optional<Path> pidFile() {
    return Optional.ofNullable(pidFile);
  }

  List<String> listenUrls() {
    return listenUrls;
  }
}
