package org.ldapbalancer.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.ldapbalancer.monitor.Samples.loop;
import static org.ldapbalancer.monitor.Samples.server;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.ProtocolOp;

class MonitorSnapshotTest {
  private static final String A = "ldap://a:389";
  private static final String B = "ldap://b:389";

  @Test
  void aServerIsUpIfAnyLoopHasAReadyConnection() {
    OperationCounters ops1 = new OperationCounters();
    ops1.received(ProtocolOp.SEARCH_REQUEST);
    OperationCounters ops2 = new OperationCounters();
    ops2.received(ProtocolOp.SEARCH_REQUEST);
    MonitorSnapshot s =
        MonitorSnapshot.merge(
            1,
            2,
            List.of(
                loop(ops1,
                    server(A, 0, ServerState.DOWN, 100, "refused", 0),
                    server(B, 1, ServerState.DOWN, 300, "refused", 0)),
                loop(ops2,
                    server(A, 0, ServerState.UP, 200, null, 2),
                    server(B, 1, ServerState.DOWN, 250, "timed out", 0))));

    assertThat(s.operations().receivedOf(OpType.SEARCH)).isEqualTo(2);
    ServerSnapshot a = s.servers().get(0);
    assertThat(a.state()).isEqualTo(ServerState.UP);
    assertThat(a.stateSinceMillis()).isEqualTo(200);
    assertThat(a.lastError()).isNull(); // up: an old failure is not shown
    assertThat(a.readyRegular()).isEqualTo(2);
    assertThat(a.connections(1, 0)).isEqualTo(2);
    assertThat(a.target(0)).isEqualTo(4);
    // 2 regular and 1 bind on one loop, 1 bind on the other
    assertThat(a.connectionList()).hasSize(4)
        .filteredOn(c -> c.kind() == 0).hasSize(2);
    ServerSnapshot b = s.servers().get(1);
    assertThat(b.state()).isEqualTo(ServerState.DOWN);
    assertThat(b.stateSinceMillis()).isEqualTo(250);
    assertThat(b.lastError()).isEqualTo("refused");
    assertThat(s.serversUp()).isEqualTo(1);
  }

  @Test
  void countsAndHistogramsOfEveryLoopAddUp() {
    ServerCounters c1 = new ServerCounters();
    c1.forwarded();
    c1.answered(1_000_000);
    ServerCounters c2 = new ServerCounters();
    c2.forwarded();
    c2.forwarded();
    c2.answered(2_000_000);
    c2.lost(1);
    c2.timedOut(2);
    c2.tlsHandshake(true);
    MonitorSnapshot s =
        MonitorSnapshot.merge(0, 0, List.of(
            loop(new OperationCounters(), server(A, 0, c1)),
            loop(new OperationCounters(), server(A, 0, c2))));
    ServerSnapshot a = s.servers().get(0);
    assertThat(a.forwarded()).isEqualTo(3);
    assertThat(a.answered()).isEqualTo(2);
    assertThat(a.lost()).isEqualTo(1);
    assertThat(a.timedOut()).isEqualTo(2);
    assertThat(a.tlsHandshakes()).isEqualTo(1);
    assertThat(a.inFlight()).isEqualTo(6);
    assertThat(a.latency().count()).isEqualTo(2);
  }

  @Test
  void loopsThatDisagreeOnTheServersAreRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> MonitorSnapshot.merge(0, 0, List.of(
            loop(new OperationCounters(), server(A, 0, ServerState.UP, 0, null, 1)),
            loop(new OperationCounters(), server(B, 0, ServerState.UP, 0, null, 1)))));
  }

  @Test
  void aServerStateChangeKeepsItsTime() {
    ServerCounters c = new ServerCounters();
    c.stateSinceMillis = 5;
    c.state(ServerState.CONNECTING); // no change: the time stays
    assertThat(c.stateSinceMillis).isEqualTo(5);
    c.state(ServerState.UP);
    assertThat(c.state()).isEqualTo(ServerState.UP);
    assertThat(c.stateSinceMillis).isGreaterThan(5);
  }
}
