package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.ResultCode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/** Shutting down tells every client with a Notice of Disconnection and closes it. */
@Timeout(120)
class BalancerShutdownIT {
  @Test
  void clientsGetANoticeOfDisconnectionAtShutdown() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5)) {
      RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1).start()
          .awaitReady(dir.url());
      try (MessageClient idle = MessageClient.connect(lb.port());
          MessageClient busy = MessageClient.connect(lb.port())) {
        idle.send(MessageClient.search(1, "(uid=user.1)"));
        assertThat(idle.readThrough(1)).hasSize(2);
        dir.holdRequestsMatching(r -> r.filter().equals("(uid=held)"));
        busy.send(MessageClient.search(1, "(uid=held)"));
        await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);

        lb.close();

        for (MessageClient c : List.of(idle, busy)) {
          List<LDAPMessage> last = c.readUntilClosed();
          assertThat(last).hasSize(1);
          LDAPMessage notice = last.get(0);
          assertThat(notice.getMessageID()).isZero();
          assertThat(notice.getExtendedResponseProtocolOp().getResponseOID())
              .isEqualTo("1.3.6.1.4.1.1466.20036");
          assertThat(notice.getExtendedResponseProtocolOp().getResultCode())
              .isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);
        }
      } finally {
        lb.close();
      }
    }
  }
}
