package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
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
 * A client that connects while the balancer's first connections to its servers are still being
 * set up waits for them instead of being answered {@code unavailable (52)}; a server that cannot
 * be reached still gets the client {@code unavailable} at once.
 */
@Timeout(60)
class ClientsAtStartWaitForTheFirstConnectionsIT {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private static boolean isBalancerBind(RecordingDirectory.Request r) {
    return r.op() instanceof BindRequestProtocolOp b
        && b.getBindDN().equals(SampleDirectory.BALANCER_DN);
  }

  private static int finalCode(List<LDAPMessage> replies) {
    LDAPMessage last = replies.get(replies.size() - 1);
    return last.getProtocolOpType() == com.unboundid.ldap.protocol.LDAPMessage
            .PROTOCOL_OP_TYPE_BIND_RESPONSE
        ? last.getBindResponseProtocolOp().getResultCode()
        : last.getSearchResultDoneProtocolOp().getResultCode();
  }

  @Test
  void aSearchAndABindSentBeforeTheServersAreReadyAreAnsweredOnceTheyAre() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5)) {
      // The balancer's own bind (bindconf) is held: its connections stay in set-up.
      dir.holdRequestsMatching(ClientsAtStartWaitForTheFirstConnectionsIT::isBalancerBind);
      try (RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
              .start();
          MessageClient searcher = MessageClient.connect(lb.port());
          MessageClient binder = MessageClient.connect(lb.port())) {
        await("the balancer's bind held").atMost(DEADLINE).until(() -> !dir.held().isEmpty());
        searcher.send(MessageClient.search(1, "(uid=user.1)"));
        binder.send(new LDAPMessage(1, new BindRequestProtocolOp(SampleDirectory.userDn(2),
            SampleDirectory.USER_PASSWORD)));
        // Nothing reached the server yet, and nothing was refused: both wait.
        assertThat(dir.requests(r -> r.isSearch() && r.filter().equals("(uid=user.1)")))
            .isEmpty();

        dir.release();
        assertThat(finalCode(searcher.readThrough(1))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
        assertThat(finalCode(binder.readThrough(1))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
        assertThat(dir.requests(r -> r.isSearch() && r.filter().equals("(uid=user.1)")))
            .singleElement()
            .satisfies(r -> assertThat(r.proxiedAuthz()).isEqualTo("dn:"));
      }
    }
  }

  @Test
  void aServerThatRefusesConnectionsStillGetsTheClientUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (RunningBalancer lb = RunningBalancer.builder().ioThreads(1)
            .server("ldap://127.0.0.1:" + closedPort, 1, 1).start();
        MessageClient client = MessageClient.connect(lb.port())) {
      client.send(MessageClient.search(1, "(uid=user.1)"));
      assertThat(finalCode(client.readThrough(1))).isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);
    }
  }
}
