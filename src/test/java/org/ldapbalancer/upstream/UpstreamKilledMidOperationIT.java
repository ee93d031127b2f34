package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.sdk.ResultCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * An upstream that dies with operations in flight costs those operations an {@code other (80)}
 * answer, not silence; the next operation goes to a server that is still up.
 */
@Timeout(120)
class UpstreamKilledMidOperationIT {
  private static final String SLOW = "(uid=slow)";

  @Test
  void pendingOperationsFailAndTheNextOneUsesTheOtherServer() throws Exception {
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RecordingDirectory b = RecordingDirectory.start("b", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(a.url(), 1, 1)
            .server(b.url(), 1, 1).start().awaitReady(a.url(), b.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      a.holdRequestsMatching(r -> r.filter().equals(SLOW));
      b.holdRequestsMatching(r -> r.filter().equals(SLOW));
      raw.send(MessageClient.search(1, SLOW), MessageClient.search(2, SLOW));
      // Round robin: one on each server.
      await().atMost(Duration.ofSeconds(20))
          .until(() -> a.held().size() == 1 && b.held().size() == 1);
      // A third one, queued behind the held one on a's only connection.
      raw.send(MessageClient.search(3, SLOW), MessageClient.search(4, SLOW));

      a.shutDown();
      // Two of them were on a: severed. b's answer once released.
      List<LDAPMessage> failed = List.of(raw.read(), raw.read());
      for (LDAPMessage m : failed) {
        SearchResultDoneProtocolOp done = m.getSearchResultDoneProtocolOp();
        assertThat(done.getResultCode()).isEqualTo(ResultCode.OTHER_INT_VALUE);
        assertThat(done.getDiagnosticMessage())
            .isEqualTo("connection to the remote server has been severed");
      }
      b.release();
      int[] onB = failed.stream().mapToInt(LDAPMessage::getMessageID).toArray();
      assertThat(onB).doesNotHaveDuplicates();
      int[] others = java.util.stream.IntStream.rangeClosed(1, 4)
          .filter(id -> java.util.Arrays.stream(onB).noneMatch(x -> x == id)).toArray();
      Map<Integer, LDAPMessage> rest = raw.readFinals(others);
      rest.values().forEach(m ->
          assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());

      for (int id = 10; id < 14; id++) {
        raw.send(MessageClient.search(id, "(uid=user.1)"));
        List<LDAPMessage> replies = raw.readThrough(id);
        assertThat(replies).hasSize(2);
        assertThat(replies.get(1).getSearchResultDoneProtocolOp().getResultCode()).isZero();
      }
      assertThat(b.requests(r -> r.filter().equals("(uid=user.1)"))).hasSize(4);
    }
  }

  @Test
  void bindInFlightFailsAndTheNextBindUsesTheOtherServer() throws Exception {
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RecordingDirectory b = RecordingDirectory.start("b", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(a.url(), 1, 1)
            .server(b.url(), 1, 1).start().awaitReady(a.url(), b.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      java.util.function.Predicate<RecordingDirectory.Request> userBind = r ->
          r.op() instanceof BindRequestProtocolOp op && op.getBindDN().startsWith("uid=");
      a.holdRequestsMatching(userBind);
      b.holdRequestsMatching(userBind);
      raw.send(new LDAPMessage(1, new BindRequestProtocolOp(
          SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD)));
      await().atMost(Duration.ofSeconds(20)).until(() -> a.held().size() + b.held().size() == 1);
      RecordingDirectory dying = a.held().isEmpty() ? b : a;
      RecordingDirectory surviving = dying == a ? b : a;
      surviving.release();
      dying.shutDown();

      LDAPMessage failed = raw.read();
      assertThat(failed.getMessageID()).isEqualTo(1);
      assertThat(failed.getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.OTHER_INT_VALUE);
      assertThat(failed.getBindResponseProtocolOp().getDiagnosticMessage())
          .isEqualTo("connection to the remote server has been severed");

      raw.send(new LDAPMessage(2, new BindRequestProtocolOp(
          SampleDirectory.userDn(2), SampleDirectory.USER_PASSWORD)));
      LDAPMessage bound = raw.read();
      assertThat(bound.getMessageID()).isEqualTo(2);
      assertThat(bound.getBindResponseProtocolOp().getResultCode()).isZero();
      raw.send(MessageClient.search(3, "(uid=afterbind)"));
      raw.readThrough(3);
      assertThat(surviving.requests(r -> r.filter().equals("(uid=afterbind)"))).singleElement()
          .satisfies(r -> assertThat(r.proxiedAuthz())
              .isEqualTo("dn:" + SampleDirectory.userDn(2)));
    }
  }
}
