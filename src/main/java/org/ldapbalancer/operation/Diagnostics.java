package org.ldapbalancer.operation;

/**
 * The diagnostic messages of the results the balancer makes itself, in lloadd's wording so
 * that scripts and monitoring written against lloadd keep matching. One place, because the
 * client and upstream sides both send them.
 */
public final class Diagnostics {
  /** With {@code other (80)}: the upstream connection carrying the operation was lost. */
  public static final String SEVERED = "connection to the remote server has been severed";

  /** With {@code unavailable (52)}: selection found no connection to any server. */
  public static final String NO_CONNECTIONS = "no connections available";

  /**
   * With {@code busy (51)}: the servers' connections are all at a limit ({@code
   * max-pending-ops}, {@code conn-max-pending}) or taken.
   */
  public static final String SERVER_BUSY = "server busy";

  /** With {@code adminLimitExceeded (11)}: the {@code bindconf timeout} passed. */
  public static final String TIMED_OUT = "upstream did not respond in time";

  /**
   * With {@code other (80)}: the client is pinned to an upstream connection ({@code restrict_*
   * connection}) that was lost, with whatever state it held; the pin is dropped.
   */
  public static final String PIN_LOST =
      "the upstream connection this client's operations were pinned to was lost";

  /**
   * With {@code protocolError (2)}: a paged search continues with a cookie whose state is gone.
   * slapd's words for a cookie it does not know, and why the balancer knows it not.
   */
  public static final String PAGED_STATE_LOST =
      "paged results cookie is invalid (the connection that held the paged search was lost,"
          + " or it waited longer than its hold allows)";

  private Diagnostics() {}
}
