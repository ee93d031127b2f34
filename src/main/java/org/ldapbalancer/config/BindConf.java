package org.ldapbalancer.config;

import java.time.Duration;

/**
 * How the balancer authenticates its regular upstream connections ({@code bindconf}).
 *
 * @param method {@link BindMethod#NONE} or {@link BindMethod#SIMPLE}
 * @param bindDn the DN bound as, empty for none
 * @param credentials the password, empty for none
 * @param networkTimeout how long a connection attempt (TCP connect and bind) may take; {@link
 *     Duration#ZERO} for no limit of the balancer's own
 * @param timeout how long an operation may wait for its final response upstream before
 *     the client is answered with a time-out; {@link Duration#ZERO} for no limit
 * @param tls TLS towards the servers ({@code tls_*} options), used by {@code ldaps://} servers
 *     and {@code starttls=yes|critical}
 */
public record BindConf(
    BindMethod method,
    String bindDn,
    String credentials,
    Duration networkTimeout,
    Duration timeout,
    TlsSettings tls) {

  public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The longest {@code timeout} and {@code network-timeout}, in seconds: one day. Longer is
   * indistinguishable from no limit ({@code 0}) in practice, and the limit keeps every time-out
   * within an {@code int} of milliseconds, which is what Netty's connect time-out takes.
   */
  public static final int MAX_TIMEOUT_SECONDS = 86_400;

  /** With the default TLS settings ({@code tls_reqcert=demand}, the system's trusted CAs). */
  public BindConf(
      BindMethod method,
      String bindDn,
      String credentials,
      Duration networkTimeout,
      Duration timeout) {
    this(method, bindDn, credentials, networkTimeout, timeout, TlsSettings.upstreamDefaults());
  }

  public static BindConf anonymous() {
    return new BindConf(BindMethod.NONE, "", "", DEFAULT_NETWORK_TIMEOUT, Duration.ZERO);
  }

  /** Like the record's default form, but the password is masked: this record ends up in logs. */
  @Override
  public String toString() {
    return "BindConf[method="
        + method
        + ", bindDn="
        + bindDn
        + ", credentials="
        + (credentials.isEmpty() ? "" : "***")
        + ", networkTimeout="
        + networkTimeout
        + ", timeout="
        + timeout
        + ", tls="
        + tls
        + "]";
  }
}
