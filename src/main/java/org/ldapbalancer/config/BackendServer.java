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
 */
public record BackendServer(
    LdapUrl uri,
    int numconns,
    int bindconns,
    Duration retry,
    int maxPendingOps,
    int connMaxPending) {

  public static final int DEFAULT_NUMCONNS = 1;
  public static final int DEFAULT_BINDCONNS = 1;
  public static final Duration DEFAULT_RETRY = Duration.ofSeconds(5);

  /** A short name for logs: the URL as written. */
  public String name() {
    return uri.toString();
  }
}
