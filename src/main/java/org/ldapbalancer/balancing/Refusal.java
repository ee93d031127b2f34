package org.ldapbalancer.balancing;

/** Why no connection was chosen. */
public enum Refusal {
  /** Something is up but every usable connection or server is at its limit. */
  BUSY,
  /** Nothing is connected and ready anywhere. */
  UNAVAILABLE
}
