package org.ldapbalancer.balancing;

/**
 * A group of servers and the policy for choosing among them. Tiers are tried in order; a later
 * tier is used only when no server of the earlier ones can take the operation.
 */
public interface Tier<E extends Endpoint> {
  /**
   * Chooses a connection for one operation, or returns {@code null} and records in {@code
   * outcome} whether anything was merely busy.
   */
  E select(SelectionOutcome outcome);

  /** A tier that rotates the server it tries first with every operation. */
  static <E extends Endpoint> Tier<E> roundRobin(java.util.List<? extends ServerEndpoints<E>> servers) {
    return new RoundRobinTier<>(servers);
  }
}
