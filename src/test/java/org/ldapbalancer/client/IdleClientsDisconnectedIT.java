package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * {@code idletimeout 1}: a client that sends nothing and waits for nothing is sent a Notice of
 * Disconnection and closed after about a second; a client whose search the server holds for longer
 * than that is not idle, and gets its result.
 */
@Timeout(120)
class IdleClientsDisconnectedIT {
  private static final String NOTICE_OF_DISCONNECTION = "1.3.6.1.4.1.1466.20036";

  @Test
  void anIdleClientIsToldAndClosedWhileABusyOneIsNot() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1)
            .idleTimeout(Duration.ofSeconds(1)).server(dir.url(), 2, 1).start()
            .awaitReady(dir.url());
        MessageClient busy = MessageClient.connect(lb.port())) {
      // The in-memory server holds it on one of the two connections; the other serves the rest.
      dir.holdRequestsMatching(r -> r.isSearch() && r.filter().equals("(uid=held)"));
      long busySince = System.nanoTime();
      busy.send(MessageClient.search(1, "(uid=held)"));

      // Two idle clients in turn: the busy one has waited through both of their time-outs.
      for (int i = 0; i < 2; i++) {
        try (MessageClient idle = MessageClient.connect(lb.port())) {
          idle.send(MessageClient.search(1, "(uid=user.1)"));
          assertThat(idle.readThrough(1)).last().satisfies(m ->
              assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());
          long since = System.nanoTime();
          List<LDAPMessage> last = idle.readUntilClosed();
          long closedAfterMillis = (System.nanoTime() - since) / 1_000_000;
          assertThat(closedAfterMillis).isBetween(900L, 10_000L);
          assertThat(last).singleElement().satisfies(m -> {
            assertThat(m.getMessageID()).isZero();
            ExtendedResponseProtocolOp notice = m.getExtendedResponseProtocolOp();
            assertThat(notice.getResponseOID()).isEqualTo(NOTICE_OF_DISCONNECTION);
            assertThat(notice.getResultCode()).isEqualTo(52);
            assertThat(notice.getDiagnosticMessage()).contains("idletimeout");
          });
        }
      }
      assertThat((System.nanoTime() - busySince) / 1_000_000).isGreaterThan(2_000);

      dir.release();
      assertThat(busy.readThrough(1)).last().satisfies(m ->
          assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());
      busy.send(MessageClient.search(2, "(uid=user.2)"));
      assertThat(busy.readThrough(2)).last().satisfies(m ->
          assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());
    }
  }
}
