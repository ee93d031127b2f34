package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.ResultCode;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.SlapdServer;
import org.ldapbalancer.testing.SocketQueues;

/**
 * The draining shutdown, against real slapd and the packaged balancer process: after SIGTERM a
 * 10,000-entry search that was in flight still arrives whole, new requests are answered {@code
 * unavailable (52)}, idle clients are told at once with a Notice of Disconnection, nothing new is
 * accepted, and the process exits 0. A second SIGTERM, or the end of the grace period, cuts the
 * drain short.
 *
 * <p>The search is held in flight by stopping slapd (SIGSTOP) after it was sent, so that it is
 * certainly unfinished when the signal comes, whatever the machine's speed.
 */
@Timeout(300)
class SigtermDrainsInFlightOperationsIT {
  private static final int USERS = 10_000;
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String NOTICE_OF_DISCONNECTION = "1.3.6.1.4.1.1466.20036";

  @TempDir Path dir;

  @Test
  void aSearchInFlightArrivesWholeAndNewRequestsAreRefused() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(USERS).start();
        BalancerProcess lb =
            BalancerProcess.builder(dir)
                .servers(slapd.url())
                .timeoutSeconds(120)
                .arguments("--shutdown-grace", "120")
                .start();
        MessageClient idle = MessageClient.connect(lb.port());
        MessageClient searching = MessageClient.connect(lb.port())) {
      idle.send(MessageClient.search(1, "(uid=" + DirectoryData.userId(1) + ")"));
      assertThat(idle.readThrough(1)).hasSize(2);

      slapd.pause();
      searching.send(MessageClient.search(1, "(uid=*)"));
      await("the search waiting at slapd").atMost(DEADLINE)
          .until(() -> SocketQueues.unreadBytes(slapd.port()) > 0);

      lb.sigterm();
      lb.awaitLog("draining", DEADLINE);

      List<LDAPMessage> toldIdle = idle.readUntilClosed();
      assertThat(toldIdle).hasSize(1);
      assertNotice(toldIdle.get(0));
      assertThatThrownBy(() -> MessageClient.connect(lb.port()).close())
          .as("a new connection while draining")
          .isInstanceOf(ConnectException.class);

      searching.send(MessageClient.search(2, "(uid=" + DirectoryData.userId(2) + ")"));
      LDAPMessage refused = searching.read();
      assertThat(refused.getMessageID()).isEqualTo(2);
      assertThat(refused.getSearchResultDoneProtocolOp().getResultCode())
          .isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);
      assertThat(lb.isRunning()).as("still draining while the search is in flight").isTrue();

      slapd.resume();
      List<LDAPMessage> rest = searching.readUntilClosed();
      assertThat(rest).as("entries, the search's result, the notice").hasSize(USERS + 2);
      assertThat(rest.subList(0, USERS))
          .allSatisfy(m -> assertThat(m.getProtocolOpType())
              .isEqualTo(LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_ENTRY));
      LDAPMessage done = rest.get(USERS);
      assertThat(done.getMessageID()).isEqualTo(1);
      assertThat(done.getSearchResultDoneProtocolOp().getResultCode())
          .isEqualTo(ResultCode.SUCCESS_INT_VALUE);
      assertNotice(rest.get(USERS + 1));

      assertThat(lb.awaitExit(DEADLINE)).as("exit status:\n%s", lb.log()).isZero();
    }
  }

  @Test
  void aSecondSigtermEndsTheDrainAtOnce() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(10).start();
        BalancerProcess lb =
            BalancerProcess.builder(dir)
                .servers(slapd.url())
                .timeoutSeconds(600)
                .arguments("--shutdown-grace", "600")
                .start();
        MessageClient searching = MessageClient.connect(lb.port())) {
      slapd.pause();
      searching.send(MessageClient.search(1, "(uid=*)"));
      await("the search waiting at slapd").atMost(DEADLINE)
          .until(() -> SocketQueues.unreadBytes(slapd.port()) > 0);

      lb.sigterm();
      lb.awaitLog("draining", DEADLINE);
      lb.signal("TERM");

      List<LDAPMessage> told = searching.readUntilClosed();
      assertThat(told).as("only the notice: the search was abandoned").hasSize(1);
      assertNotice(told.get(0));
      assertThat(lb.awaitExit(DEADLINE)).as("exit status:\n%s", lb.log()).isZero();
      slapd.resume();
    }
  }

  @Test
  void whatIsLeftAfterTheGracePeriodIsAbandoned() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(10).start();
        BalancerProcess lb =
            BalancerProcess.builder(dir)
                .servers(slapd.url())
                .timeoutSeconds(600)
                .arguments("--shutdown-grace", "2")
                .start();
        MessageClient searching = MessageClient.connect(lb.port())) {
      slapd.pause();
      searching.send(MessageClient.search(1, "(uid=*)"));
      await("the search waiting at slapd").atMost(DEADLINE)
          .until(() -> SocketQueues.unreadBytes(slapd.port()) > 0);

      lb.sigterm();
      List<LDAPMessage> told = searching.readUntilClosed();
      assertThat(told).hasSize(1);
      assertNotice(told.get(0));
      assertThat(lb.awaitExit(DEADLINE)).as("exit status:\n%s", lb.log()).isZero();
      assertThat(lb.log()).contains("drain ended with 1 clients left");
      slapd.resume();
    }
  }

  private static void assertNotice(LDAPMessage m) throws IOException {
    assertThat(m.getMessageID()).isZero();
    assertThat(m.getExtendedResponseProtocolOp().getResponseOID())
        .isEqualTo(NOTICE_OF_DISCONNECTION);
    assertThat(m.getExtendedResponseProtocolOp().getResultCode())
        .isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);
  }
}
