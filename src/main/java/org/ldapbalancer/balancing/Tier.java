package org.ldapbalancer.balancing;

import java.util.List;

/**
 * A group of servers and the policy for choosing among them. Tiers are tried in order; a later
 * tier is used only when no server of the earlier ones is usable at all (as lloadd: a tier whose
 * servers are up but busy answers busy rather than spilling into a disaster-recovery tier).
 */
public interface Tier<E extends Endpoint> {
  /**
   * Chooses a connection for one operation, or returns {@code null} and records in {@code
   * outcome} whether anything was merely busy.
   */
  E select(SelectionOutcome outcome);

  /** A tier that rotates the server it tries first with every operation ({@code roundrobin}). */
  static <E extends Endpoint> Tier<E> roundRobin(List<? extends ServerEndpoints<E>> servers) {
    return new RoundRobinTier<>(servers);
  }

  /**
   * A tier that draws each operation's server at random in proportion to the servers' weights,
   * as RFC 2782 orders SRV records ({@code weighted}).
   */
  static <E extends Endpoint> Tier<E> weighted(List<? extends ServerEndpoints<E>> servers) {
    return new WeightedTier<>(servers);
  }

  /**
   * A tier that draws two servers at random and takes the one with the lower recent latency
   * ({@code bestof}: the power of two choices).
   */
  static <E extends Endpoint> Tier<E> bestOf(List<? extends ServerEndpoints<E>> servers) {
    return new BestOfTier<>(servers);
  }
}
