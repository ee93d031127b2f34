package org.ldapbalancer.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.ldapbalancer.monitor.Samples.loop;
import static org.ldapbalancer.monitor.Samples.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.testing.PrometheusText;

class PrometheusMetricsTest {
  private static final String A = "ldap://a.example.com:389";
  private static final String B = "ldaps://b.example.com:636";

  private static PrometheusText render(MonitorSnapshot s) {
    return PrometheusText.parse(new String(PrometheusMetrics.text(s), StandardCharsets.UTF_8));
  }

  @Test
  void operationCountsAppearByTypeAndResult() {
    OperationCounters ops = new OperationCounters();
    for (int i = 0; i < 5; i++) {
      ops.received(ProtocolOp.SEARCH_REQUEST);
      ops.forwarded(ProtocolOp.SEARCH_REQUEST);
      ops.completed(ProtocolOp.SEARCH_REQUEST, 0);
    }
    ops.received(ProtocolOp.BIND_REQUEST);
    ops.rejected(ProtocolOp.BIND_REQUEST, 52);
    ops.received(ProtocolOp.MODIFY_REQUEST);
    ops.forwarded(ProtocolOp.MODIFY_REQUEST);
    ops.failed(ProtocolOp.MODIFY_REQUEST, 80);
    ops.completed(ProtocolOp.EXTENDED_REQUEST, 5000);
    ops.clientAccepted();

    PrometheusText m = render(MonitorSnapshot.merge(0, 0, List.of(loop(ops))));

    assertThat(m.type("ldapbalancer_operations_received_total")).isEqualTo("counter");
    assertThat(m.value("ldapbalancer_operations_received_total", "op", "search")).isEqualTo(5);
    assertThat(m.value("ldapbalancer_operations_received_total", "op", "compare")).isZero();
    assertThat(m.value("ldapbalancer_operations_forwarded_total", "op", "modify")).isEqualTo(1);
    String completed = "ldapbalancer_operations_completed_total";
    assertThat(m.value(completed, "op", "search", "result", "success")).isEqualTo(5);
    assertThat(m.value("ldapbalancer_operations_rejected_total",
        "op", "bind", "result", "unavailable")).isEqualTo(1);
    assertThat(m.value("ldapbalancer_operations_failed_total", "op", "modify", "result", "other"))
        .isEqualTo(1);
    assertThat(m.value(completed, "op", "extended", "result", "above126")).isEqualTo(1);
    // Results that never occurred are not written.
    assertThatIllegalArgumentException().isThrownBy(() ->
        m.value("ldapbalancer_operations_completed_total", "op", "search", "result", "busy"));
    assertThat(m.value("ldapbalancer_client_connections")).isEqualTo(1);
    assertThat(m.type("ldapbalancer_client_connections")).isEqualTo("gauge");
  }

  @Test
  void everyServerHasItsStateConnectionsAndLatency() {
    ServerCounters counters = new ServerCounters();
    counters.state(ServerState.UP);
    counters.forwarded();
    counters.forwarded();
    counters.answered(700_000); // le="0.001"
    counters.answered(30_000_000); // le="0.05"
    counters.lost(1);
    ServerSnapshot a = server(A, 0, counters);
    a.connection(0, 0, 0);
    a.connection(0, 1, 0);
    a.connection(1, 0, 0);
    ServerSnapshot b = server(B, 1, ServerState.DOWN, 0, "cannot connect: refused", 0);

    PrometheusText m =
        render(MonitorSnapshot.merge(0, 0, List.of(loop(new OperationCounters(), a, b))));

    assertThat(m.value("ldapbalancer_server_up", "server", A)).isEqualTo(1);
    assertThat(m.value("ldapbalancer_server_up", "server", B)).isZero();
    assertThat(m.value("ldapbalancer_server_state", "server", B, "state", "down")).isEqualTo(1);
    assertThat(m.value("ldapbalancer_server_state", "server", B, "state", "up")).isZero();
    assertThat(m.value("ldapbalancer_server_connections",
        "server", A, "type", "regular", "state", "ready")).isEqualTo(1);
    assertThat(m.value("ldapbalancer_server_connections",
        "server", A, "type", "regular", "state", "setting_up")).isEqualTo(1);
    assertThat(m.value("ldapbalancer_server_connections",
        "server", A, "type", "bind", "state", "ready")).isEqualTo(1);
    assertThat(m.value("ldapbalancer_server_connections_configured",
        "server", A, "type", "regular")).isEqualTo(2);
    assertThat(m.value("ldapbalancer_server_operations_in_flight", "server", A)).isEqualTo(3);
    assertThat(m.value("ldapbalancer_server_operations_forwarded_total", "server", A)).isEqualTo(2);
    assertThat(m.value("ldapbalancer_server_operations_answered_total", "server", A)).isEqualTo(2);
    assertThat(m.value("ldapbalancer_server_operations_failed_total",
        "server", A, "reason", "lost")).isEqualTo(1);

    assertThat(m.type("ldapbalancer_server_latency_seconds")).isEqualTo("histogram");
    String bucket = "ldapbalancer_server_latency_seconds_bucket";
    assertThat(m.value(bucket, "server", A, "le", "5.0E-4")).isZero();
    assertThat(m.value(bucket, "server", A, "le", "0.001")).isEqualTo(1);
    assertThat(m.value(bucket, "server", A, "le", "0.025")).isEqualTo(1);
    assertThat(m.value(bucket, "server", A, "le", "0.05")).isEqualTo(2); // cumulative
    assertThat(m.value(bucket, "server", A, "le", "+Inf")).isEqualTo(2);
    assertThat(m.value("ldapbalancer_server_latency_seconds_count", "server", A)).isEqualTo(2);
    assertThat(m.value("ldapbalancer_server_latency_seconds_sum", "server", A))
        .isEqualTo(0.0307);
  }

  @Test
  void theStrictReaderRefusesWhatIsNotTheFormat() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PrometheusText.parse("x 1\n")); // no TYPE
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PrometheusText.parse("# TYPE x counter\nx{a=\"1} 1\n"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx 1\nx 2\n"));
    assertThatIllegalArgumentException().isThrownBy(() -> PrometheusText.parse(
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n"));
  }
}
