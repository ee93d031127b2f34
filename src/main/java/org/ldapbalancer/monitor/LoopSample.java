package org.ldapbalancer.monitor;

import java.util.Comparator;
import java.util.List;

/**
 * One event loop's part of a {@link MonitorSnapshot}, taken by a task on that loop.
 *
 * @param operations a copy of the loop's operation counters
 * @param queuedBinds binds waiting for a bind connection
 * @param queuedRequests requests waiting for a backlogged connection to drain
 * @param backloggedClients clients whose unread responses are over the high-water mark
 * @param servers every configured server, in configuration order
 * @param clients the loop's client connections
 */
public record LoopSample(
    OperationCounters operations,
    int queuedBinds,
    int queuedRequests,
    int backloggedClients,
    List<ServerSnapshot> servers,
    List<ClientSnapshot> clients) {

  public LoopSample {
    servers = List.copyOf(servers);
    clients = clients.stream().sorted(Comparator.comparingLong(ClientSnapshot::connectionId)).toList();
  }

  /** A loop's part without its clients listed. */
  public LoopSample(
      OperationCounters operations,
      int queuedBinds,
      int queuedRequests,
      int backloggedClients,
      List<ServerSnapshot> servers) {
    this(operations, queuedBinds, queuedRequests, backloggedClients, servers, List.of());
  }
}
