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
  /** Nothing is connected and ready anywhere. */
  UNAVAILABLE
}
