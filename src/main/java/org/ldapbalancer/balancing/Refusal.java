package org.ldapbalancer.balancing;

/** Why no connection was chosen. */
public enum Refusal {
  /**
   * Connections are up and under their limits, but every one of them has a write backlog: the
   * request may wait (bounded) for the first to drain rather than be refused.
   */
  BACKLOGGED,
  /** Something is up but every usable connection or server is at its limit. */
  BUSY,
  /**
   * Nothing is ready yet, but a server's first connections are being set up (the balancer has
   * just started): the request may wait (bounded) for them rather than be refused. Tiers after
   * this one are still tried, as for {@link #UNAVAILABLE}.
   */
  STARTING,
  /** Nothing is connected and ready anywhere. */
  UNAVAILABLE,
  /**
   * The client is pinned to an upstream connection ({@code restrict_* connection}) that has been
   * lost, and with it the state the pin was for; the pin is dropped.
   */
  PIN_LOST,
  /**
   * A paged search's next page names state that no longer exists here: the connection that held
   * it was lost, its hold expired, or the client never started one.
   */
  PAGED_STATE_LOST;

  /**
   * Whether the operation may wait (bounded) for a connection rather than be refused: a backlog
   * that will drain, or a server's first connections on their way.
   */
  public boolean mayWait() {
    return this == BACKLOGGED || this == STARTING;
  }

  /** Whether nothing is ready here: the next tier is tried, and a refusal is unavailable (52). */
  public boolean nothingReady() {
    return this == UNAVAILABLE || this == STARTING;
  }
}
