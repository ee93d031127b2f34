package org.ldapbalancer.config;

/**
 * What {@code restrict_exop} / {@code restrict_control} ask for an operation (lloadd.conf(5)), in
 * lloadd's order of priority: when several controls of one request name actions, the highest
 * wins.
 */
public enum RestrictAction {
  /** Forwarded as any other operation. */
  IGNORE,
  /** Counts as a write for {@code write_coherence}. */
  WRITE,
  /** Like {@link #WRITE}, but the client stays on that server until its next bind. */
  BACKEND,
  /** The client stays on that one upstream connection until its next bind. */
  CONNECTION,
  /**
   * lloadd 2.6 accepts {@code isolate} and pins the client to the upstream connection as {@link
   * #CONNECTION} does (taking the connection out of the pool is a TODO there); here it is {@link
   * #CONNECTION}.
   */
  ISOLATE,
  /** Answered {@code unwillingToPerform (53)} by the balancer; never forwarded. */
  REJECT;

  /** Whether the client's later operations go to the upstream connection this one went to. */
  public boolean pinsConnection() {
    return this == CONNECTION || this == ISOLATE;
  }

  /** The word of lloadd.conf(5) for this action. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
