package org.ldapbalancer.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.sdk.ResultCode;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * Limits answer {@code busy (51)} at once instead of queueing without bound; nothing to forward
 * to answers {@code unavailable (52)}.
 */
@Timeout(120)
class BusyAndUnavailableIT {
  private static final String SLOW = "(uid=slow)";

  private static SearchResultDoneProtocolOp done(List<LDAPMessage> replies) {
    return replies.get(replies.size() - 1).getSearchResultDoneProtocolOp();
  }

  /**
   * Sends two searches that the server holds, then a third; returns the answer to the third and
   * checks that the first two succeed once released.
   */
  private static SearchResultDoneProtocolOp thirdWhileTwoAreHeld(
      RecordingDirectory dir, RunningBalancer lb, int heldUpstream) throws Exception {
    dir.holdRequestsMatching(r -> r.filter().equals(SLOW));
    try (MessageClient raw = MessageClient.connect(lb.port())) {
      raw.send(MessageClient.search(1, SLOW), MessageClient.search(2, SLOW));
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == heldUpstream);
      raw.send(MessageClient.search(3, "(uid=user.1)"));
      SearchResultDoneProtocolOp third = done(raw.readThrough(3));
      dir.release();
      var finals = raw.readFinals(1, 2);
      assertThat(finals.get(1).getSearchResultDoneProtocolOp().getResultCode()).isZero();
      assertThat(finals.get(2).getSearchResultDoneProtocolOp().getResultCode()).isZero();
      raw.send(MessageClient.search(4, "(uid=user.1)"));
      assertThat(done(raw.readThrough(4)).getResultCode()).as("after the load").isZero();
      return third;
    }
  }

  @Test
  void clientMaxPendingExceededAnswersBusy() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().clientMaxPending(2)
            .server(dir.url(), 2, 1).start().awaitReady(dir.url())) {
      SearchResultDoneProtocolOp third = thirdWhileTwoAreHeld(dir, lb, 1);
      assertThat(third.getResultCode()).isEqualTo(ResultCode.BUSY_INT_VALUE);
      assertThat(dir.requests(r -> r.filter().equals("(uid=user.1)"))).hasSize(1);
    }
  }

  @Test
  void connectionMaxPendingExceededAnswersBusy() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1)
            .server(dir.url(), 2, 1, 0, 1).start().awaitReady(dir.url())) {
      // Two connections, one operation each: both are held, the third finds no room.
      SearchResultDoneProtocolOp third = thirdWhileTwoAreHeld(dir, lb, 2);
      assertThat(third.getResultCode()).isEqualTo(ResultCode.BUSY_INT_VALUE);
      assertThat(third.getDiagnosticMessage()).as("lloadd's words").isEqualTo("server busy");
    }
  }

  @Test
  void serverMaxPendingOpsExceededAnswersBusy() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1)
            .server(dir.url(), 4, 1, 2, 0).start().awaitReady(dir.url())) {
      SearchResultDoneProtocolOp third = thirdWhileTwoAreHeld(dir, lb, 2);
      assertThat(third.getResultCode()).isEqualTo(ResultCode.BUSY_INT_VALUE);
    }
  }

  @Test
  void busyServerIsPassedOverForAnotherOne() throws Exception {
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RecordingDirectory b = RecordingDirectory.start("b", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1)
            .server(a.url(), 1, 1, 0, 1).server(b.url(), 1, 1, 0, 0).start()
            .awaitReady(a.url(), b.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      a.holdRequestsMatching(r -> r.filter().equals(SLOW));
      b.holdRequestsMatching(r -> r.filter().equals(SLOW));
      raw.send(MessageClient.search(1, SLOW));
      await().atMost(Duration.ofSeconds(20)).until(() -> a.held().size() + b.held().size() == 1);
      RecordingDirectory holding = a.held().isEmpty() ? b : a;
      for (int i = 2; i < 8; i++) {
        raw.send(MessageClient.search(i, "(uid=user.1)"));
        assertThat(done(raw.readThrough(i)).getResultCode()).isZero();
      }
      a.release();
      b.release();
      assertThat(done(raw.readThrough(1)).getResultCode()).isZero();
      if (holding == a) {
        assertThat(a.requests(r -> r.filter().equals("(uid=user.1)"))).isEmpty();
      }
    }
  }

  @Test
  void noServerUpAnswersUnavailable() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, SampleDirectory.loopback())) {
      deadPort = s.getLocalPort(); // closed again: nothing listens there
    }
    try (RunningBalancer lb =
            RunningBalancer.builder().server("ldap://127.0.0.1:" + deadPort, 1, 1).start();
        MessageClient raw = MessageClient.connect(lb.port())) {
      raw.send(MessageClient.search(1, "(uid=user.1)"));
      SearchResultDoneProtocolOp search = done(raw.readThrough(1));
      assertThat(search.getResultCode()).isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);
      assertThat(search.getDiagnosticMessage()).isEqualTo("no connections available");

      raw.send(new LDAPMessage(2, new BindRequestProtocolOp(SampleDirectory.userDn(1), "x")));
      LDAPMessage bind = raw.read();
      assertThat(bind.getMessageID()).isEqualTo(2);
      assertThat(bind.getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);
      assertThat(bind.getBindResponseProtocolOp().getDiagnosticMessage())
          .isEqualTo("no connections available");

      // The client is still usable after both refusals.
      raw.send(MessageClient.search(3, "(uid=user.1)"));
      assertThat(done(raw.readThrough(3)).getResultCode())
          .isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);
    }
  }
}
