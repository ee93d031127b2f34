package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.ldap.protocol.UnbindRequestProtocolOp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * An Abandon goes upstream under the upstream message ID and is never answered; whatever the
 * server still sends for the abandoned operation is dropped. An Unbind closes the client and
 * abandons what it had pending.
 */
@Timeout(120)
class AbandonAndUnbindIT {
  private static final String SLOW = "(objectClass=person)";

  @Test
  void abandonedSearchIsAbandonedUpstreamAndItsResponsesAreDropped() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 50);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(r -> r.filter().equals(SLOW));
      raw.send(MessageClient.search(5, SLOW));
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);
      int upstreamId = dir.held().get(0).messageId();

      // StartTLS is answered by the balancer itself (no certificate here: unavailable); had the
      // abandoned search still been pending, the answer would be "operations are outstanding".
      raw.send(new LDAPMessage(6, new AbandonRequestProtocolOp(5)),
          new LDAPMessage(7, new ExtendedRequestProtocolOp(StartTLSExtendedRequest.STARTTLS_REQUEST_OID, null)));
      LDAPMessage startTls = raw.read();
      assertThat(startTls.getMessageID()).isEqualTo(7);
      assertThat(startTls.getExtendedResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);
      assertThat(startTls.getExtendedResponseProtocolOp().getDiagnosticMessage())
          .isEqualTo("Could not initialize TLS");
      dir.release(); // 50 entries and a result for the abandoned search now come back

      raw.send(MessageClient.search(7, "(uid=user.1)"));
      List<LDAPMessage> replies = raw.readThrough(7);
      assertThat(replies).extracting(LDAPMessage::getMessageID).containsOnly(7);
      assertThat(replies).hasSize(2);
      await().atMost(Duration.ofSeconds(20)).until(() -> !dir.abandons().isEmpty());
      assertThat(dir.abandons()).singleElement()
          .satisfies(a -> assertThat(a.idToAbandon()).isEqualTo(upstreamId));

      // Abandoning something unknown or finished is silently ignored too.
      raw.send(new LDAPMessage(8, new AbandonRequestProtocolOp(7)),
          new LDAPMessage(9, new AbandonRequestProtocolOp(12345)),
          MessageClient.search(10, "(uid=user.2)"));
      assertThat(raw.readThrough(10)).extracting(LDAPMessage::getMessageID).containsOnly(10);
    }
  }

  @Test
  void unbindClosesTheClientAndAbandonsItsPendingOperations() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 50);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port());
        MessageClient other = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(r -> r.filter().equals(SLOW));
      raw.send(MessageClient.search(1, SLOW));
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);
      int upstreamId = dir.held().get(0).messageId();

      raw.send(new LDAPMessage(2, new UnbindRequestProtocolOp()));
      assertThat(raw.readUntilClosed()).isEmpty();

      dir.release();
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.abandons().stream()
          .anyMatch(a -> a.idToAbandon() == upstreamId));

      other.send(MessageClient.search(1, "(uid=user.3)"));
      assertThat(other.readThrough(1)).hasSize(2);
    }
  }
}
