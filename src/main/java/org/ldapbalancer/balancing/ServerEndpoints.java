package org.ldapbalancer.balancing;

import java.util.List;

/** One server's connections of one kind (regular or bind), with its limits. */
public interface ServerEndpoints<E extends Endpoint> {
  List<E> endpoints();

  /** Operations in flight on this server (within this event loop's share). */
  int pendingOps();

  /** The most operations this server may have in flight here, 0 for no limit. */
  int maxPendingOps();

  /** The most operations one connection may have in flight, 0 for no limit. */
  int connMaxPending();
}
