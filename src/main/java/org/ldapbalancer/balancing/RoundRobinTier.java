package org.ldapbalancer.balancing;

import java.util.List;

/**
 * Round robin over a tier's servers (lloadd's {@code tier roundrobin}); within the chosen server
 * the ready connection with the fewest pending operations, preferring one with nothing
 * half-written. A server or connection at its limit is passed over.
 *
 * <p>Not thread-safe: each event loop has its own instance.
 */
final class RoundRobinTier<E extends Endpoint> implements Tier<E> {
  private final List<? extends ServerEndpoints<E>> servers;
  private int next;

  RoundRobinTier(List<? extends ServerEndpoints<E>> servers) {
    this.servers = List.copyOf(servers);
  }

  @Override
  public E select(SelectionOutcome outcome) {
    int n = servers.size();
    if (n == 0) {
      return null;
    }
    int first = next;
    for (int i = 0; i < n; i++) {
      int index = first + i < n ? first + i : first + i - n;
      E chosen = ConnectionChoice.leastBusy(servers.get(index), outcome);
      if (chosen != null) {
        // Advances past the server that took it, and only then: a refused attempt does not
        // shift the rotation.
        next = index + 1 == n ? 0 : index + 1;
        return chosen;
      }
    }
    return null;
  }
}
