package org.ldapbalancer.client;

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

/**
 * A request whose message ID is zero, negative or already in flight on the connection is a
 * protocol error the connection cannot recover from (RFC 4511 §4.1.1): the balancer sends a
 * Notice of Disconnection and closes.
 */
@Timeout(120)
class InvalidMessageIdDisconnectsIT {
  static void assertNoticeOfDisconnection(List<LDAPMessage> beforeClose) {
    assertThat(beforeClose).isNotEmpty();
    LDAPMessage notice = beforeClose.get(beforeClose.size() - 1);
    assertThat(notice.getMessageID()).isZero();
    assertThat(notice.getExtendedResponseProtocolOp().getResponseOID())
        .isEqualTo("1.3.6.1.4.1.1466.20036");
    assertThat(notice.getExtendedResponseProtocolOp().getResultCode())
        .isEqualTo(ResultCode.PROTOCOL_ERROR_INT_VALUE);
  }

  @Test
  void zeroAndNegativeMessageIdsEndTheConnection() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1).start()
            .awaitReady(dir.url())) {
      for (int id : new int[] {0, -1, Integer.MIN_VALUE}) {
        try (MessageClient raw = MessageClient.connect(lb.port())) {
          raw.send(MessageClient.search(id, "(uid=user.1)"));
          List<LDAPMessage> sent = raw.readUntilClosed();
          assertThat(sent).hasSize(1);
          assertNoticeOfDisconnection(sent);
        }
      }
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).isEmpty();
    }
  }

  @Test
  void messageIdAlreadyInFlightEndsTheConnection() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1).start()
            .awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(r -> r.filter().equals("(uid=user.1)"));
      raw.send(MessageClient.search(4, "(uid=user.1)"));
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);
      int upstreamId = dir.held().get(0).messageId();

      raw.send(MessageClient.search(4, "(uid=user.2)"));
      List<LDAPMessage> sent = raw.readUntilClosed();
      assertNoticeOfDisconnection(sent);
      assertThat(sent).hasSize(1);

      dir.release();
      // The operation still pending for the closed client is abandoned upstream.
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.abandons().stream()
          .anyMatch(a -> a.idToAbandon() == upstreamId));
      assertThat(dir.requests(r -> r.filter().equals("(uid=user.2)"))).isEmpty();
    }
  }

  @Test
  void reusingTheIdOfAFinishedOperationIsFine() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1).start()
            .awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      for (int i = 0; i < 3; i++) {
        raw.send(MessageClient.search(1, "(uid=user." + i + ")"));
        List<LDAPMessage> replies = raw.readThrough(1);
        assertThat(replies).hasSize(2);
        assertThat(replies.get(0).getSearchResultEntryProtocolOp().getDN())
            .startsWith("uid=user." + i + ",");
      }
    }
  }
}
