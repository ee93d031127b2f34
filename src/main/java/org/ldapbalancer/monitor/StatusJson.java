package org.ldapbalancer.monitor;

import java.util.List;

/**
 * The status document ({@code /status.json}) the status page polls: totals, and every tier with
 * its servers. Counters are cumulative since start; the page computes rates from the difference
 * between two documents, so that any number of viewers share nothing on the server.
 */
public final class StatusJson {
  private StatusJson() {}

  public static String of(MonitorSnapshot s, String version) {
    JsonText j = new JsonText().beginObject();
    j.member("version", version);
    j.member("startedAt", s.startedAtMillis());
    j.member("takenAt", s.takenAtMillis());
    OperationCounters ops = s.operations();
    j.name("clients").beginObject()
        .member("open", ops.clientsOpen())
        .member("accepted", ops.clientsAccepted())
        .member("tlsHandshakes", ops.tlsHandshakes())
        .member("tlsHandshakeFailures", ops.tlsHandshakeFailures())
        .member("backlogged", s.backloggedClients())
        .endObject();
    j.name("queued").beginObject()
        .member("binds", s.queuedBinds())
        .member("requests", s.queuedRequests())
        .endObject();
    operations(j, ops);
    j.name("latencyBounds").beginArray();
    for (int i = 0; i < LatencyHistogram.BUCKETS - 1; i++) {
      j.value(LatencyHistogram.upperBoundSeconds(i));
    }
    j.endArray();
    j.name("tiers").beginArray();
    List<ServerSnapshot> servers = s.servers();
    int i = 0;
    while (i < servers.size()) {
      int tier = servers.get(i).tier();
      j.beginObject().member("index", tier).member("policy", servers.get(i).policy());
      j.name("servers").beginArray();
      for (; i < servers.size() && servers.get(i).tier() == tier; i++) {
        server(j, servers.get(i));
      }
      j.endArray().endObject();
    }
    j.endArray();
    return j.endObject().toString();
  }

  private static void operations(JsonText j, OperationCounters ops) {
    j.name("operations").beginObject();
    for (int t = 0; t < OpType.COUNT; t++) {
      j.name(OpType.label(t)).beginObject()
          .member("received", ops.receivedOf(t))
          .member("forwarded", ops.forwardedOf(t))
          .member("completed", ops.completedOf(t))
          .member("rejected", ops.rejectedOf(t))
          .member("failed", ops.failedOf(t))
          .member("abandoned", ops.abandonedOf(t))
          .endObject();
    }
    j.endObject();
  }

  private static void server(JsonText j, ServerSnapshot s) {
    j.beginObject()
        .member("uri", s.uri())
        .member("weight", s.weight())
        .member("state", s.state().label())
        .member("since", s.stateSinceMillis())
        .member("lastError", s.lastError())
        .member("answersOutOfOrder", s.answersOutOfOrder());
    j.name("connections").beginObject();
    for (int k = 0; k < ServerSnapshot.KINDS.length; k++) {
      j.name(ServerSnapshot.KINDS[k]).beginObject();
      for (int c = 0; c < ServerSnapshot.CONNECTION_STATES.length; c++) {
        j.member(ServerSnapshot.CONNECTION_STATES[c], s.connections(k, c));
      }
      j.member("configured", s.target(k)).endObject();
    }
    j.endObject();
    j.member("inFlight", s.inFlight())
        .member("forwarded", s.forwarded())
        .member("answered", s.answered())
        .member("lost", s.lost())
        .member("timedOut", s.timedOut());
    LatencyHistogram h = s.latency();
    j.name("latency").beginObject()
        .member("count", h.count())
        .member("sumSeconds", h.sumSeconds());
    j.name("buckets").beginArray();
    for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
      j.value(h.bucket(i));
    }
    j.endArray().endObject();
    j.endObject();
  }
}
