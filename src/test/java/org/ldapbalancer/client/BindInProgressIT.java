package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.ResultCode;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * RFC 4511 §4.2.1: while a Bind is in progress no other request may be processed, and a Bind
 * first ends whatever the client had pending.
 */
@Timeout(120)
class BindInProgressIT {
  private static LDAPMessage bind(int id, int user) {
    return new LDAPMessage(id,
        new BindRequestProtocolOp(SampleDirectory.userDn(user), SampleDirectory.USER_PASSWORD));
  }

  @Test
  void requestSentDuringABindGetsProtocolError() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().server(dir.url(), 1, 1).start()
            .awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      raw.send(bind(1, 1), MessageClient.search(2, "(uid=user.1)"));
      List<LDAPMessage> replies = List.of(raw.read(), raw.read()).stream()
          .sorted(Comparator.comparingInt(LDAPMessage::getMessageID)).toList();

      assertThat(replies.get(0).getMessageID()).isEqualTo(1);
      assertThat(replies.get(0).getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.SUCCESS_INT_VALUE);
      assertThat(replies.get(1).getMessageID()).isEqualTo(2);
      assertThat(replies.get(1).getProtocolOpType())
          .isEqualTo(LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE);
      assertThat(replies.get(1).getSearchResultDoneProtocolOp().getResultCode())
          .isEqualTo(ResultCode.PROTOCOL_ERROR_INT_VALUE);
      assertThat(replies.get(1).getSearchResultDoneProtocolOp().getDiagnosticMessage())
          .isEqualTo("bind in progress");
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).isEmpty();

      // Once the bind is over, requests are served again, as the new identity.
      raw.send(MessageClient.search(3, "(uid=user.1)"));
      List<LDAPMessage> answer = raw.readThrough(3);
      assertThat(answer).hasSize(2);
      assertThat(answer.get(1).getSearchResultDoneProtocolOp().getResultCode()).isZero();
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).singleElement()
          .satisfies(r -> assertThat(r.proxiedAuthz()).isEqualTo("dn:" + SampleDirectory.userDn(1)));
    }
  }

  @Test
  void bindAbandonsTheClientsPendingOperations() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        // One regular connection, so that everything upstream happens in order on it.
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(r -> r.filter().equals("(objectClass=person)"));
      raw.send(MessageClient.search(1, "(objectClass=person)"));
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);
      int upstreamId = dir.held().get(0).messageId();

      raw.send(bind(2, 2));
      LDAPMessage bound = raw.read();
      assertThat(bound.getMessageID()).isEqualTo(2);
      assertThat(bound.getBindResponseProtocolOp().getResultCode()).isZero();

      dir.release();
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.abandons().stream()
          .anyMatch(a -> a.idToAbandon() == upstreamId));
      // The abandoned search's entries and result reached the balancer before the abandon was
      // read upstream; none of them may reach the client.
      raw.send(MessageClient.search(3, "(uid=user.2)"));
      List<LDAPMessage> after = raw.readThrough(3);
      assertThat(after).extracting(LDAPMessage::getMessageID).containsOnly(3);
      assertThat(after).hasSize(2);
    }
  }

  @Test
  void aBindSentDuringABindReplacesIt() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 2)
            .start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      // The first bind waits at the server: the second arrives while it is in flight.
      dir.holdRequestsMatching(r -> r.op() instanceof BindRequestProtocolOp b
          && b.getBindDN().equals(SampleDirectory.userDn(1)));
      raw.send(bind(1, 1));
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);
      raw.send(bind(2, 2));
      LDAPMessage bound = raw.read();
      assertThat(bound.getMessageID()).as("only the second bind is answered").isEqualTo(2);
      assertThat(bound.getBindResponseProtocolOp().getResultCode()).isZero();
      dir.release();

      raw.send(MessageClient.search(3, "(uid=user.2)"));
      List<LDAPMessage> after = raw.readThrough(3);
      assertThat(after).extracting(LDAPMessage::getMessageID).containsOnly(3);
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).singleElement()
          .satisfies(r -> assertThat(r.proxiedAuthz())
              .isEqualTo("dn:" + SampleDirectory.userDn(2)));
    }
  }

  @Test
  void aBindRefusedByTheBalancerLeavesTheClientAnonymousAndConnected() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      raw.send(bind(1, 1));
      assertThat(raw.read().getBindResponseProtocolOp().getResultCode()).isZero();
      // BindRequest { version 3, name "", [1] "" }: a method the CHOICE may grow (RFC 4511 §4.2).
      raw.sendBytes(new byte[] {0x30, 0x0c, 0x02, 0x01, 0x02, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04,
          0x00, (byte) 0x81, 0x00});
      LDAPMessage refused = raw.read();
      assertThat(refused.getMessageID()).isEqualTo(2);
      assertThat(refused.getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.AUTH_METHOD_NOT_SUPPORTED_INT_VALUE);
      raw.send(MessageClient.search(3, "(uid=user.1)"));
      assertThat(raw.readThrough(3)).hasSize(2);
      // A failed bind leaves the client anonymous (RFC 4511 §4.2.1), as slapd does.
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).singleElement()
          .satisfies(r -> assertThat(r.proxiedAuthz()).isEqualTo("dn:"));
    }
  }
}
