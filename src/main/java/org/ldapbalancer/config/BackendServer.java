package org.ldapbalancer.config;

import java.time.Duration;

/**
 * One upstream server ({@code backend-server}).
 *
 * @param uri where it listens
 * @param numconns regular connections to keep open (at least one per event loop)
 * @param bindconns connections reserved for forwarding client binds (at least one per event
 *     loop)
 * @param retry how long to wait before retrying a failed connection attempt
 * @param maxPendingOps operations in flight on this server at most, 0 for no limit
 * @param connMaxPending operations in flight on one connection at most, 0 for no limit
 * @param startTls whether {@code ldap://} connections start TLS before they bind ({@code
 *     starttls=}); {@code ldaps://} connections use TLS from the start whatever it says
 * @param weight {@code weight=}: the server's share in a {@code weighted} tier (0: only when no
 *     weighted server can take an operation), a factor on its latency in a {@code bestof} tier
 * @param maxConns {@code max-conns=}: regular connections the pool may grow to under load, at
 *     least {@code numconns}
 */
public record BackendServer(
    LdapUrl uri,
    int numconns,
    int bindconns,
    Duration retry,
    int maxPendingOps,
    int connMaxPending,
    StartTls startTls,
    int weight,
    int maxConns) {

  /** With the default {@code max-conns}: four times {@code numconns} (at most {@link #MAX_CONNS}). */
  public BackendServer(
      LdapUrl uri,
      int numconns,
      int bindconns,
      Duration retry,
      int maxPendingOps,
      int connMaxPending,
      StartTls startTls,
      int weight) {
    this(uri, numconns, bindconns, retry, maxPendingOps, connMaxPending, startTls, weight,
        defaultMaxConns(numconns));
  }

  /** The default {@code max-conns}: room to grow to four times {@code numconns}. */
  public static int defaultMaxConns(int numconns) {
    return (int) Math.min(MAX_CONNS, 4L * numconns);
  }

  /** A server without StartTLS or {@code weight=} (0, as in lloadd). */
  public BackendServer(
      LdapUrl uri,
      int numconns,
      int bindconns,
      Duration retry,
      int maxPendingOps,
      int connMaxPending) {
    this(uri, numconns, bindconns, retry, maxPendingOps, connMaxPending, StartTls.NO, 0);
  }

  /** A server without {@code weight=}. */
  public BackendServer(
      LdapUrl uri,
      int numconns,
      int bindconns,
      Duration retry,
      int maxPendingOps,
      int connMaxPending,
      StartTls startTls) {
    this(uri, numconns, bindconns, retry, maxPendingOps, connMaxPending, startTls, 0);
  }

  /** A server with a {@code weight=} and without StartTLS. */
  public BackendServer(
      LdapUrl uri,
      int numconns,
      int bindconns,
      Duration retry,
      int maxPendingOps,
      int connMaxPending,
      int weight) {
    this(uri, numconns, bindconns, retry, maxPendingOps, connMaxPending, StartTls.NO, weight);
  }

  /** Whether connections to this server use TLS (from the start, or after StartTLS). */
  public boolean usesTls() {
    return uri.isTls() || startTls != StartTls.NO;
  }

  public static final int DEFAULT_NUMCONNS = 1;
  public static final int DEFAULT_BINDCONNS = 1;

  /**
   * {@code conn-max-pending} when the line does not set it. slapd defers a connection's requests
   * beyond half its threads and closes the connection once more than {@code conn_max_pending}
   * (100 for an anonymous session, {@code conn_max_pending_auth} 1000 for a bound one) are
   * deferred: without a limit, one client pipelining enough requests would have a shared
   * connection closed under every other client's operations. lloadd's default is no limit;
   * {@code conn-max-pending=0} still says so.
   */
  public static final int DEFAULT_CONN_MAX_PENDING = 100;
  public static final Duration DEFAULT_RETRY = Duration.ofSeconds(5);

  /**
   * The shortest wait between failed connection attempts. lloadd accepts {@code retry=0} and then
   * tries again at once; against a server that refuses connections that is a busy loop on the
   * event loop, so shorter values are raised to this one (with a warning).
   */
  public static final Duration MIN_RETRY = Duration.ofMillis(100);

  /** The longest {@code retry}, in milliseconds: one day. */
  public static final int MAX_RETRY_MILLIS = 86_400_000;

  /**
   * The most {@code numconns} or {@code bindconns} per server. Every connection is opened at start;
   * far more than any server wants would exhaust file descriptors and local ports, and at the
   * extreme memory, before a single client is served.
   */
  public static final int MAX_CONNS = 4096;

  /** A short name for logs: the URL as written. */
  public String name() {
    return uri.toString();
  }
}
