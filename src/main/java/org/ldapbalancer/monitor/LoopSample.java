package org.ldapbalancer.monitor;

import java.util.List;

/**
 * One event loop's part of a {@link MonitorSnapshot}, taken by a task on that loop.
 *
 * @param operations a copy of the loop's operation counters
 * @param queuedBinds binds waiting for a bind connection
 * @param queuedRequests requests waiting for a backlogged connection to drain
 * @param backloggedClients clients whose unread responses are over the high-water mark
 * @param servers every configured server, in configuration order
 */
public record LoopSample(
    OperationCounters operations,
    int queuedBinds,
    int queuedRequests,
    int backloggedClients,
    List<ServerSnapshot> servers) {}
