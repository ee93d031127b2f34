package org.ldapbalancer.operation;

/**
 * The diagnostic messages of the results the balancer makes itself, in lloadd's wording so
 * that scripts and monitoring written against lloadd keep matching. One place, because the
 * client and upstream sides both send them.
 */
public final class Diagnostics {
  /** With {@code other (80)}: the upstream connection carrying the operation was lost. */
  public static final String SEVERED = "connection to the remote server has been severed";

  /** With {@code busy (51)} or {@code unavailable (52)}: selection found no connection. */
  public static final String NO_CONNECTIONS = "no connections available";

  /** With {@code adminLimitExceeded (11)}: the {@code bindconf timeout} passed. */
  public static final String TIMED_OUT = "upstream did not respond in time";

  private Diagnostics() {}
}
