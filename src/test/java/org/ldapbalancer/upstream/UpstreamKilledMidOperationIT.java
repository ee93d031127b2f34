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
        MessageClient raw = MessageClient.connect(lb.port());
        MessageClient other = MessageClient.connect(lb.port())) {
      a.holdRequestsMatching(r -> r.filter().equals(SLOW));
      b.holdRequestsMatching(r -> r.filter().equals(SLOW));
      raw.send(MessageClient.search(1, SLOW));
      await().atMost(Duration.ofSeconds(20)).until(() -> a.held().size() + b.held().size() == 1);
      RecordingDirectory dying = a.held().isEmpty() ? b : a;
      RecordingDirectory surviving = dying == a ? b : a;
      // Another client's search: round robin sends it to the other server.
      other.send(MessageClient.search(1, SLOW));
      await().atMost(Duration.ofSeconds(20)).until(() -> surviving.held().size() == 1);
      // The first client's next two follow its search in flight (to the dying server), queued
      // behind the held one on that server's only connection.
      raw.send(MessageClient.search(2, SLOW), MessageClient.search(3, SLOW));
      await().atMost(Duration.ofSeconds(20)).until(() -> inFlight(lb) == 4);

      dying.shutDown();
      // The three on the dying server: severed.
      Map<Integer, LDAPMessage> failed = raw.readFinals(new int[] {1, 2, 3});
      for (LDAPMessage m : failed.values()) {
        SearchResultDoneProtocolOp done = m.getSearchResultDoneProtocolOp();
        assertThat(done.getResultCode()).isEqualTo(ResultCode.OTHER_INT_VALUE);
        assertThat(done.getDiagnosticMessage())
            .isEqualTo("connection to the remote server has been severed");
      }
      // The other client's, on the surviving server: answered once released.
      surviving.release();
      assertThat(other.readFinals(new int[] {1}).get(1).getSearchResultDoneProtocolOp()
          .getResultCode()).isZero();

      for (int id = 10; id < 14; id++) {
        raw.send(MessageClient.search(id, "(uid=user.1)"));
        List<LDAPMessage> replies = raw.readThrough(id);
        assertThat(replies).hasSize(2);
        assertThat(replies.get(1).getSearchResultDoneProtocolOp().getResultCode()).isZero();
      }
      assertThat(surviving.requests(r -> r.filter().equals("(uid=user.1)"))).hasSize(4);
    }
  }

  private static long inFlight(RunningBalancer lb) throws Exception {
    return lb.balancer().snapshot().toCompletableFuture().get().servers().stream()
        .mapToLong(org.ldapbalancer.monitor.ServerSnapshot::inFlight)
        .sum();
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
