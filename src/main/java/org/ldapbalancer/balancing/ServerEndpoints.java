package org.ldapbalancer.balancing;

import java.util.List;

/** One server's connections of one kind (regular or bind), with its limits. */
public interface ServerEndpoints<E extends Endpoint> {
  List<E> endpoints();

  /**
   * Whether the server answers: false while it is taken out of selection as unresponsive (hung),
   * when none of its connections is chosen and it counts as unavailable.
   */
  default boolean isUsable() {
    return true;
  }

  /**
   * Whether the server, though none of these connections is ready, is expected to have one
   * shortly: then an operation may wait (the server counts as busy) rather than be refused as
   * unavailable. True for a server's bind connections while they are replaced and its regular
   * connections work.
   */
  default boolean isReconnecting() {
    return false;
  }

  /**
   * Whether the balancer has only just started towards this server: none of its connections has
   * been ready yet and no attempt has failed. An operation then waits (bounded) for the first
   * connection instead of being refused as unavailable: clients that connect as the balancer
   * starts are served, not turned away.
   */
  default boolean isStarting() {
    return false;
  }

  /**
   * Whether the server has been seen answering a connection's requests out of order (a later
   * request's result before an earlier one's): it works on them concurrently, as OpenLDAP's slapd
   * and the other directory servers do, so a request may join a connection that already carries
   * some without waiting behind them. Then selection puts the requests of one turn of the event
   * loop on one connection, to leave in one write; until then (a server that answers each
   * connection's requests in turn, such as UnboundID's in-memory server) an idle connection
   * comes first.
   */
  default boolean answersOutOfOrder() {
    return false;
  }

  /** Operations in flight on this server (within this event loop's share). */
  int pendingOps();

  /** The most operations this server may have in flight here, 0 for no limit. */
  int maxPendingOps();

  /** The most operations one connection may have in flight, 0 for no limit. */
  int connMaxPending();

  /**
   * Its {@code weight=}: in a weighted tier, its share of the operations relative to the others
   * (0: only when no server with a weight can take the operation); in a bestof tier, a factor
   * on its latency (0 or 1: none).
   */
  default int weight() {
    return 0;
  }

  /**
   * Its recent response time, in nanoseconds: a moving average over the operations it has
   * answered in this event loop, halving every 100 ms while it has nothing outstanding and answers nothing (so that a
   * server that was slow is tried again); 0 before any measurement.
   */
  default long latencyNanos() {
    return 0;
  }
}
