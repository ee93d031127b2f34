package org.ldapbalancer.balancing;

/**
 * How strongly an operation, or a client after it, is tied to where it was sent, weakest first
 * (lloadd's order: a stronger pin of a later operation replaces a weaker one, never the reverse).
 */
public enum Pin {
  /** Anywhere selection likes. */
  NONE,
  /**
   * A write ({@code write_coherence}, or {@code restrict_* write}): the client's operations stay
   * on this server while it has writes in flight and for {@code write_coherence} seconds after the
   * last one ends (for ever, until its next bind, when negative).
   */
  WRITE,
  /** {@code restrict_* backend}: the client stays on this server until its next bind. */
  BACKEND,
  /** {@code restrict_* connection}: the client stays on this connection until its next bind. */
  CONNECTION
}
