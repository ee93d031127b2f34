package org.ldapbalancer.config;

import java.time.Duration;

/**
 * How the balancer authenticates its regular upstream connections ({@code bindconf}).
 *
 * @param method {@link BindMethod#NONE}, {@link BindMethod#SIMPLE} or {@link BindMethod#SASL}
 * @param bindDn the DN bound as, empty for none
 * @param credentials the password, empty for none
 * @param networkTimeout how long a connection attempt (TCP connect and bind) may take; {@link
 *     Duration#ZERO} for no limit of the balancer's own
 * @param timeout how long an operation may wait for its final response upstream before
 *     the client is answered with a time-out; {@link Duration#ZERO} for no limit
 * @param tls TLS towards the servers ({@code tls_*} options), used by {@code ldaps://} servers
 *     and {@code starttls=yes|critical}
 * @param sasl the mechanism and identities with {@link BindMethod#SASL}, else null
 */
public record BindConf(
    BindMethod method,
    String bindDn,
    String credentials,
    Duration networkTimeout,
    Duration timeout,
    TlsSettings tls,
    SaslBind sasl) {

  /** A bind that is not SASL. */
  public BindConf(
      BindMethod method,
      String bindDn,
      String credentials,
      Duration networkTimeout,
      Duration timeout,
      TlsSettings tls) {
    this(method, bindDn, credentials, networkTimeout, timeout, tls, null);
  }

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

  /**
   * The identity regular connections act as, for telling whether a client's identity is the
   * balancer's own: {@code dn:binddn} for a simple bind, the {@code authzid} (or {@code u:authcid})
   * of a SASL bind, {@code dn:} (anonymous) for none.
   */
  public String ownAuthzId() {
    return switch (method) {
      case NONE -> "dn:";
      case SIMPLE -> "dn:" + bindDn;
      case SASL -> !sasl.authzid().isEmpty() ? sasl.authzid() : "u:" + sasl.authcid();
    };
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
        + ", sasl="
        + sasl
        + "]";
  }
}
