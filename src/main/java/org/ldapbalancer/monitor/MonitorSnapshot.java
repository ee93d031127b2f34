package org.ldapbalancer.monitor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Everything the monitor shows, at one moment, summed over the event loops. Made off the hot path
 * from {@link LoopSample}s; immutable once made.
 */
public final class MonitorSnapshot {
  private final long startedAtMillis;
  private final long takenAtMillis;
  private final OperationCounters operations;
  private final int queuedBinds;
  private final int queuedRequests;
  private final int backloggedClients;
  private final List<ServerSnapshot> servers;
  private final List<ClientSnapshot> clients;

  private MonitorSnapshot(
      long startedAtMillis,
      long takenAtMillis,
      OperationCounters operations,
      int queuedBinds,
      int queuedRequests,
      int backloggedClients,
      List<ServerSnapshot> servers,
      List<ClientSnapshot> clients) {
    this.startedAtMillis = startedAtMillis;
    this.takenAtMillis = takenAtMillis;
    this.operations = operations;
    this.queuedBinds = queuedBinds;
    this.queuedRequests = queuedRequests;
    this.backloggedClients = backloggedClients;
    this.servers = List.copyOf(servers);
    this.clients = List.copyOf(clients);
  }

  /**
   * Sums the loops' parts. Every loop lists the same servers in the same (configuration) order,
   * so they are matched by position.
   *
   * @throws IllegalArgumentException if the loops disagree on the servers
   */
  public static MonitorSnapshot merge(
      long startedAtMillis, long nowMillis, List<LoopSample> loops) {
    OperationCounters ops = new OperationCounters();
    int binds = 0;
    int requests = 0;
    int backlogged = 0;
    List<ServerSnapshot> servers = new ArrayList<>();
    List<ClientSnapshot> clients = new ArrayList<>();
    for (LoopSample loop : loops) {
      clients.addAll(loop.clients());
      ops.add(loop.operations());
      binds += loop.queuedBinds();
      requests += loop.queuedRequests();
      backlogged += loop.backloggedClients();
      if (servers.isEmpty()) {
        servers.addAll(loop.servers());
        continue;
      }
      if (loop.servers().size() != servers.size()) {
        throw new IllegalArgumentException("event loops list different servers");
      }
      for (int i = 0; i < servers.size(); i++) {
        ServerSnapshot s = loop.servers().get(i);
        if (!s.uri().equals(servers.get(i).uri())) {
          throw new IllegalArgumentException("event loops list different servers");
        }
        servers.get(i).merge(s);
      }
    }
    return new MonitorSnapshot(
        startedAtMillis, nowMillis, ops, binds, requests, backlogged, servers,
        clients.stream().sorted(Comparator.comparingLong(ClientSnapshot::connectionId)).toList());
  }

  public long startedAtMillis() {
    return startedAtMillis;
  }

  public long takenAtMillis() {
    return takenAtMillis;
  }

  public OperationCounters operations() {
    return operations;
  }

  public int queuedBinds() {
    return queuedBinds;
  }

  public int queuedRequests() {
    return queuedRequests;
  }

  public int backloggedClients() {
    return backloggedClients;
  }

  /** Every configured server, in configuration order (tier by tier). */
  public List<ServerSnapshot> servers() {
    return servers;
  }

  /** Every client connection, in accept order. */
  public List<ClientSnapshot> clients() {
    return clients;
  }

  /** Servers with a regular connection ready for operations. */
  public long serversUp() {
    return servers.stream()
        .filter(s -> s.readyRegular() > 0 && s.state() != ServerState.UNRESPONSIVE)
        .count();
  }
}
