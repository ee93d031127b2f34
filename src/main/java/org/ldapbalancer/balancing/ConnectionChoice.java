package org.ldapbalancer.balancing;

import java.util.List;

/** Choosing a connection within one server. */
public final class ConnectionChoice {
  private ConnectionChoice() {}

  /**
   * The ready connection of {@code server} with the fewest pending operations, preferring those
   * with nothing half-written; {@code null} when none can take another operation.
   */
  public static <E extends Endpoint> E leastBusy(
      ServerEndpoints<E> server, SelectionOutcome outcome) {
    List<E> endpoints = server.endpoints();
    int maxPending = server.maxPendingOps();
    boolean anyReady = false;
    E best = null;
    boolean bestWritable = false;
    int bestPending = Integer.MAX_VALUE;
    int connMax = server.connMaxPending();
    for (int i = 0, n = endpoints.size(); i < n; i++) {
      E e = endpoints.get(i);
      if (!e.isReady()) {
        continue;
      }
      anyReady = true;
      int pending = e.pendingOps();
      if (connMax > 0 && pending >= connMax) {
        continue;
      }
      boolean writable = e.isWritable();
      if (best == null
          || (writable && !bestWritable)
          || (writable == bestWritable && pending < bestPending)) {
        best = e;
        bestWritable = writable;
        bestPending = pending;
      }
    }
    if (!anyReady) {
      return null;
    }
    if (best == null || (maxPending > 0 && server.pendingOps() >= maxPending)) {
      outcome.busy();
      return null;
    }
    return best;
  }
}
