package org.ldapbalancer.balancing;

import java.util.List;

/** Choosing a connection within one server. */
public final class ConnectionChoice {
  /**
   * A connection already written to in this turn of the event loop takes further requests while
   * it has fewer than this many in flight: they leave in the same write, and the server reads them
   * in one go, instead of one request per connection per turn.
   */
  static final int BATCH_PENDING = 8;

  private ConnectionChoice() {}

  /**
   * The ready connection of {@code server} with the fewest pending operations among those with
   * nothing half-written, or one already written to in this turn of the event loop with fewer
   * than {@link #BATCH_PENDING} in flight (so that requests leave together); {@code null} when
   * none can take another operation. Joining this turn's write comes first where the server
   * {@linkplain ServerEndpoints#answersOutOfOrder() answers out of order}; elsewhere an idle
   * connection comes first, since a server that works through one connection's requests in turn
   * would make the request wait behind the others.
   *
   * <p>A connection whose outbound buffer is over its high-water mark is never chosen: its
   * server is not reading (hung, or slower than its clients), and sending it more would only
   * grow the buffer and keep the operation waiting behind the backlog. Selection moves on to
   * another server; if every server is backlogged the router holds the request until one
   * drains (see {@link Refusal#BACKLOGGED}).
   */
  public static <E extends Endpoint> E leastBusy(
      ServerEndpoints<E> server, SelectionOutcome outcome) {
    if (!server.isUsable()) {
      return null; // hung: unavailable, so that the next tier is tried when a whole tier is out
    }
    List<E> endpoints = server.endpoints();
    int maxPending = server.maxPendingOps();
    if (maxPending > 0 && server.pendingOps() >= maxPending) {
      boolean anyReady = false;
      for (int i = 0, n = endpoints.size(); i < n && !anyReady; i++) {
        anyReady = endpoints.get(i).isReady();
      }
      if (anyReady) {
        outcome.busy();
      }
      return null;
    }
    boolean anyReady = false;
    boolean anyBacklogged = false;
    E best = null;
    int bestPending = Integer.MAX_VALUE;
    E batch = null;
    int connMax = server.connMaxPending();
    for (int i = 0, n = endpoints.size(); i < n; i++) {
      E e = endpoints.get(i);
      if (!e.isReady()) {
        continue;
      }
      anyReady = true;
      if (outcome.passesOver(e)) {
        continue; // another client's paged search holds it: busy for this first page
      }
      int pending = e.pendingOps();
      if (connMax > 0 && pending >= connMax) {
        continue;
      }
      if (!e.isWritable()) {
        anyBacklogged = true;
        continue;
      }
      if (batch == null && pending > 0 && pending < BATCH_PENDING && e.hasUnflushedWrites()) {
        batch = e;
      }
      if (pending < bestPending) {
        best = e;
        bestPending = pending;
      }
    }
    if (!anyReady) {
      if (server.isReconnecting()) {
        outcome.busy(); // worth waiting for, not unavailable
      } else if (server.isStarting()) {
        outcome.starting();
      }
      return null;
    }
    if (best == null) {
      if (anyBacklogged) {
        outcome.backlogged();
      } else {
        outcome.busy();
      }
      return null;
    }
    if (batch == null || (bestPending == 0 && !server.answersOutOfOrder())) {
      return best;
    }
    return batch;
  }

  /**
   * {@code e} itself if it can take another operation now (ready, under the limits of its server
   * and its own, nothing half-written), else {@code null} with the reason in {@code outcome}: for
   * operations pinned to one connection, where no other will do.
   */
  public static <E extends Endpoint> E exactly(
      ServerEndpoints<E> server, E e, SelectionOutcome outcome) {
    if (!e.isReady()) {
      return null;
    }
    int maxPending = server.maxPendingOps();
    int connMax = server.connMaxPending();
    if ((maxPending > 0 && server.pendingOps() >= maxPending)
        || (connMax > 0 && e.pendingOps() >= connMax)) {
      outcome.busy();
      return null;
    }
    if (!e.isWritable()) {
      // The router cannot hold a pinned request for a drain (its queue may send it anywhere).
      outcome.busy();
      return null;
    }
    return e;
  }
}
