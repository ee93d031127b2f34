package org.ldapbalancer.monitor;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link MonitorSnapshot} as Prometheus metric families (io.prometheus metrics 1.x), built at
 * scrape time from the snapshot: nothing is counted twice on the hot path. Names are prefixed
 * {@code ldapbalancer_}; docs/operations.md lists every family with its labels.
 */
public final class PrometheusMetrics {
  /** The {@code Content-Type} of {@link #text}: the Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

  private PrometheusMetrics() {}

  /** The snapshot in the Prometheus text format. */
  public static byte[] text(MonitorSnapshot snapshot) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      WRITER.write(out, families(snapshot));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return out.toByteArray();
  }

  /** The snapshot as metric families. */
  public static MetricSnapshots families(MonitorSnapshot snapshot) {
    List<MetricSnapshot> all = new ArrayList<>();
    operations(snapshot.operations(), all);
    clients(snapshot, all);
    servers(snapshot.servers(), all);
    return new MetricSnapshots(all);
  }

  private static void operations(
      OperationCounters ops, List<MetricSnapshot> all) {
    CounterSnapshot.Builder received = counter("operations_received",
        "Requests received that are answered (every type but abandon and unbind)");
    CounterSnapshot.Builder forwarded = counter("operations_forwarded",
        "Operations written to a server");
    CounterSnapshot.Builder abandoned = counter("operations_abandoned",
        "Operations that ended unanswered: abandoned by the client, or the client rebound or left");
    CounterSnapshot.Builder completed = counter("operations_completed",
        "Operations answered by a server's final response, by its result code");
    CounterSnapshot.Builder rejected = counter("operations_rejected",
        "Operations the balancer answered itself without forwarding them (busy, unavailable,"
            + " protocolError, ...)");
    CounterSnapshot.Builder failed = counter("operations_failed",
        "Forwarded operations the balancer answered itself: connection lost (other),"
            + " time limit passed (adminLimitExceeded)");
    for (int t = 0; t < OpType.COUNT; t++) {
      Labels op = Labels.of("op", OpType.label(t));
      received.dataPoint(point(op, ops.receivedOf(t)));
      forwarded.dataPoint(point(op, ops.forwardedOf(t)));
      abandoned.dataPoint(point(op, ops.abandonedOf(t)));
      // Only the results that occurred: 128 possible codes per type would be mostly zeros.
      for (int slot = 0; slot < OperationCounters.RESULT_SLOTS; slot++) {
        long c = ops.completedOf(t, slot);
        long r = ops.rejectedOf(t, slot);
        long f = ops.failedOf(t, slot);
        if (c + r + f == 0) {
          continue;
        }
        Labels labels =
            Labels.of("op", OpType.label(t), "result", OperationCounters.resultLabel(slot));
        if (c > 0) {
          completed.dataPoint(point(labels, c));
        }
        if (r > 0) {
          rejected.dataPoint(point(labels, r));
        }
        if (f > 0) {
          failed.dataPoint(point(labels, f));
        }
      }
    }
    all.add(received.build());
    all.add(forwarded.build());
    all.add(completed.build());
    all.add(rejected.build());
    all.add(failed.build());
    all.add(abandoned.build());
  }

  private static void clients(
      MonitorSnapshot s, List<MetricSnapshot> all) {
    OperationCounters ops = s.operations();
    all.add(gauge("client_connections", "Client connections open now")
        .dataPoint(gaugePoint(Labels.EMPTY, ops.clientsOpen())).build());
    all.add(counter("client_connections_accepted", "Client connections accepted")
        .dataPoint(point(Labels.EMPTY, ops.clientsAccepted())).build());
    all.add(counter("client_tls_handshakes",
            "TLS handshakes with clients (ldaps:// and StartTLS), by outcome")
        .dataPoint(point(Labels.of("outcome", "success"), ops.tlsHandshakes()))
        .dataPoint(point(Labels.of("outcome", "failure"), ops.tlsHandshakeFailures()))
        .build());
    all.add(gauge("queued_operations",
            "Operations waiting: binds for a free bind connection (bind), other requests for a"
                + " backlogged connection to drain (backlog)")
        .dataPoint(gaugePoint(Labels.of("queue", "bind"), s.queuedBinds()))
        .dataPoint(gaugePoint(Labels.of("queue", "backlog"), s.queuedRequests()))
        .build());
    all.add(gauge("backlogged_clients",
            "Clients whose unread responses are over the high-water mark")
        .dataPoint(gaugePoint(Labels.EMPTY, s.backloggedClients())).build());
    all.add(gauge("start_time_seconds", "When the balancer started, in seconds since the epoch")
        .dataPoint(gaugePoint(Labels.EMPTY, s.startedAtMillis() / 1000.0)).build());
  }

  private static void servers(
      List<ServerSnapshot> servers, List<MetricSnapshot> all) {
    GaugeSnapshot.Builder up = gauge("server_up",
        "1 while the server has a regular connection ready for operations, else 0");
    GaugeSnapshot.Builder state = gauge("server_state",
        "1 for the server's current state (up, connecting, down), 0 for the others");
    GaugeSnapshot.Builder connections = gauge("server_connections",
        "Connections to the server by type (regular, bind) and state (ready, setting_up, closing)");
    GaugeSnapshot.Builder targets = gauge("server_connections_configured",
        "Connections the balancer keeps to the server by type (numconns, bindconns; at least one"
            + " per event loop)");
    GaugeSnapshot.Builder inFlight = gauge("server_operations_in_flight",
        "Operations written to the server and not yet answered");
    CounterSnapshot.Builder forwarded = counter("server_operations_forwarded",
        "Operations written to the server");
    CounterSnapshot.Builder answered = counter("server_operations_answered",
        "Final responses from the server");
    CounterSnapshot.Builder failed = counter("server_operations_failed",
        "Operations on the server the balancer answered itself: connection lost (lost), time"
            + " limit passed (timeout)");
    CounterSnapshot.Builder tls = counter("server_tls_handshakes",
        "TLS handshakes with the server (ldaps:// and starttls=), by outcome");
    HistogramSnapshot.Builder latency = HistogramSnapshot.builder()
        .name("ldapbalancer_server_latency_seconds")
        .help("Time from writing a request to the server to its final response");
    for (ServerSnapshot s : servers) {
      Labels server = Labels.of("server", s.uri());
      up.dataPoint(gaugePoint(server, s.state() == ServerState.UP ? 1 : 0));
      for (ServerState st : ServerState.values()) {
        state.dataPoint(gaugePoint(server.add("state", st.label()), s.state() == st ? 1 : 0));
      }
      for (int k = 0; k < ServerSnapshot.KINDS.length; k++) {
        Labels kind = server.add("type", ServerSnapshot.KINDS[k]);
        targets.dataPoint(gaugePoint(kind, s.target(k)));
        for (int c = 0; c < ServerSnapshot.CONNECTION_STATES.length; c++) {
          connections.dataPoint(gaugePoint(
              kind.add("state", ServerSnapshot.CONNECTION_STATES[c]), s.connections(k, c)));
        }
      }
      inFlight.dataPoint(gaugePoint(server, s.inFlight()));
      forwarded.dataPoint(point(server, s.forwarded()));
      answered.dataPoint(point(server, s.answered()));
      failed.dataPoint(point(server.add("reason", "lost"), s.lost()));
      failed.dataPoint(point(server.add("reason", "timeout"), s.timedOut()));
      tls.dataPoint(point(server.add("outcome", "success"), s.tlsHandshakes()));
      tls.dataPoint(point(server.add("outcome", "failure"), s.tlsHandshakeFailures()));
      latency.dataPoint(histogramPoint(server, s.latency()));
    }
    all.add(up.build());
    all.add(state.build());
    all.add(connections.build());
    all.add(targets.build());
    all.add(inFlight.build());
    all.add(forwarded.build());
    all.add(answered.build());
    all.add(failed.build());
    all.add(tls.build());
    all.add(latency.build());
  }

  private static HistogramDataPointSnapshot histogramPoint(Labels labels, LatencyHistogram h) {
    double[] bounds = new double[LatencyHistogram.BUCKETS];
    long[] counts = new long[LatencyHistogram.BUCKETS];
    for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
      bounds[i] = LatencyHistogram.upperBoundSeconds(i);
      counts[i] = h.bucket(i);
    }
    return HistogramDataPointSnapshot.builder()
        .labels(labels)
        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
        .sum(h.sumSeconds())
        .build();
  }

  /** A counter family; the writer adds {@code _total}. */
  private static CounterSnapshot.Builder counter(String name, String help) {
    return CounterSnapshot.builder().name("ldapbalancer_" + name).help(help);
  }

  private static GaugeSnapshot.Builder gauge(String name, String help) {
    return GaugeSnapshot.builder().name("ldapbalancer_" + name).help(help);
  }

  private static CounterDataPointSnapshot point(Labels labels, long value) {
    return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static GaugeDataPointSnapshot gaugePoint(Labels labels, double value) {
    return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }
}
