package org.ldapbalancer.config;

import java.time.Duration;

/**
 * How hung servers are found ({@code health-check-interval}, {@code health-check-timeout}).
 *
 * @param interval how often each server is sent a probe (a base-object search of the root DSE
 *     asking for no attributes); {@link Duration#ZERO} for no periodic probe
 * @param timeout how long a server may leave operations without any response, or a probe
 *     unanswered, before it is taken out of selection; {@link Duration#ZERO} for never
 */
public record HealthCheck(Duration interval, Duration timeout) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** The defaults: a probe every 10 s, out after 5 s without an answer. */
  public static final HealthCheck DEFAULTS = new HealthCheck(DEFAULT_INTERVAL, DEFAULT_TIMEOUT);

  /** No checks at all: servers stay in selection whatever they do (as lloadd). */
  public static final HealthCheck OFF = new HealthCheck(Duration.ZERO, Duration.ZERO);

  /** Whether a server can be taken out of selection at all. */
  public boolean enabled() {
    return !timeout.isZero();
  }
}
