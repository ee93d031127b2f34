package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
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

  /**
   * With {@code write_coherence}, a write pins its client: at start it waits like any request
   * (it was answered {@code unavailable}, as by lloadd), and the search sent right behind it
   * goes where the write went.
   */
  @Test
  void aWriteUnderWriteCoherenceWaitsAndTheSearchBehindItFollowsIt() throws Exception {
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RecordingDirectory b = RecordingDirectory.start("b", 5)) {
      a.holdRequestsMatching(ClientsAtStartWaitForTheFirstConnectionsIT::isBalancerBind);
      b.holdRequestsMatching(ClientsAtStartWaitForTheFirstConnectionsIT::isBalancerBind);
      try (RunningBalancer lb = RunningBalancer.builder().ioThreads(1)
              .server(a.url(), 1, 1).server(b.url(), 1, 1)
              .restrictions(new Restrictions(Map.of(), RestrictAction.IGNORE, Map.of(), 10))
              .start();
          MessageClient client = MessageClient.connect(lb.port())) {
        await("the balancer's binds held").atMost(DEADLINE)
            .until(() -> !a.held().isEmpty() && !b.held().isEmpty());
        client.send(
            new LDAPMessage(1, new ModifyRequestProtocolOp(SampleDirectory.userDn(1),
                List.of(new Modification(ModificationType.REPLACE, "mail", "one@example.com")))),
            MessageClient.search(2, "(uid=user.1)"));
        a.release();
        b.release();

        Map<Integer, LDAPMessage> finals = client.readFinals(1, 2);
        assertThat(finals.get(1).getModifyResponseProtocolOp().getResultCode())
            .isEqualTo(ResultCode.SUCCESS_INT_VALUE);
        assertThat(finalCode(List.of(finals.get(2)))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
        RecordingDirectory written =
            a.requests(r -> r.op() instanceof ModifyRequestProtocolOp).isEmpty() ? b : a;
        assertThat(written.requests(r -> r.filter().equals("(uid=user.1)")))
            .as("the search went where the write went").hasSize(1);
      }
    }
  }

  /** A page of (uid=user.*) under the sample base, two entries a page. */
  private static LDAPMessage page(int id, ASN1OctetString cookie) throws Exception {
    LDAPMessage plain = MessageClient.search(id, "(uid=user.*)");
    return new LDAPMessage(id, plain.getSearchRequestProtocolOp(),
        List.of(new SimplePagedResultsControl(2, cookie)));
  }

  private static ASN1OctetString cookieOf(LDAPMessage done) throws Exception {
    for (Control c : done.getControls()) {
      if (c.getOID().equals(SimplePagedResultsControl.PAGED_RESULTS_OID)) {
        return new SimplePagedResultsControl(c.getOID(), c.isCritical(), c.getValue())
            .getCookie();
      }
    }
    throw new AssertionError("no paged results control in " + done);
  }

  @Test
  void theFirstPageOfAPagedSearchWaitsAndItsNextPagesFollowIt() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5)) {
      dir.holdRequestsMatching(ClientsAtStartWaitForTheFirstConnectionsIT::isBalancerBind);
      // Two connections: a next page that did not know where its first page went would be
      // refused (its paged state unknown), not sent to the other by chance.
      try (RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 2, 1)
              .start();
          MessageClient client = MessageClient.connect(lb.port())) {
        await("the balancer's bind held").atMost(DEADLINE).until(() -> !dir.held().isEmpty());
        client.send(page(1, new ASN1OctetString()));
        dir.release();

        List<LDAPMessage> first = client.readThrough(1);
        assertThat(finalCode(first)).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
        assertThat(first).hasSize(3); // two entries and the result
        ASN1OctetString cookie = cookieOf(first.get(2));
        assertThat(cookie.getValueLength()).isPositive();

        client.send(page(2, cookie));
        List<LDAPMessage> second = client.readThrough(2);
        assertThat(finalCode(second)).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
        assertThat(second).hasSize(3);
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
