package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.tls.TlsContexts;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * {@link Balancer#reload} in process, against in-memory directories that record which of the
 * balancer's connections carried each request: a server whose settings are unchanged keeps its
 * connections, a changed one gets new connections while the old ones close, a removed one's
 * connection with a request in flight stays until that request is answered (while a client
 * pinned to that server goes on with the others), and a reload that would change the balancer's
 * own identity is refused without changing anything.
 */
@Timeout(120)
class ReloadKeepsOrReplacesPoolsIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final int SEARCHES = 20;

  @Test
  void unchangedServersKeepTheirConnectionsAndRemovedOnesCloseOnceIdle() throws Exception {
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RecordingDirectory b = RecordingDirectory.start("b", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(2).server(a.url(), 2, 1).start()
            .awaitReady(a.url());
        MessageClient client = MessageClient.connect(lb.port())) {
      searches(client, 1);
      Set<Long> before = connectionsUsed(a, 0);

      // b added, a unchanged: a's connections carry on.
      assertThat(reload(lb, config(a.url(), 2, b.url()))).isEmpty();
      lb.awaitReady(a.url(), b.url());
      int seen = a.requests().size();
      searches(client, 100);
      assertThat(connectionsUsed(a, seen)).as("a's connections after the reload")
          .isSubsetOf(before);
      assertThat(lb.balancer().retiringConnections()).isZero();

      // a changed (numconns): new connections to it; the old ones close, having nothing to do.
      reload(lb, config(a.url(), 4, b.url()));
      await("a's old connections closed").atMost(DEADLINE)
          .until(() -> lb.balancer().retiringConnections() == 0);
      lb.awaitReady(a.url(), b.url());
      seen = a.requests().size();
      searches(client, 200);
      assertThat(connectionsUsed(a, seen)).as("a's connections after its change")
          .isNotEmpty().doesNotContainAnyElementsOf(before);

      // a removed with a search held in flight on it: that connection stays until it is answered.
      a.holdRequestsMatching(r -> r.isSearch() && r.filter().equals("(uid=held)"));
      int id = 300;
      for (; a.held().isEmpty() && id < 300 + SEARCHES; id++) {
        long atB = heldSearchesAt(b);
        client.send(MessageClient.search(id, "(uid=held)"));
        await("the search at a or b").atMost(DEADLINE)
            .until(() -> !a.held().isEmpty() || heldSearchesAt(b) > atB);
        if (a.held().isEmpty()) { // went to b: answered at once (nothing matches)
          assertThat(finalOf(client.readThrough(id))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
        }
      }
      int heldId = id - 1;
      await("the search held at a").atMost(DEADLINE).until(() -> a.held().size() == 1);
      reload(lb, config(b.url(), 1, null));
      assertThat(lb.balancer().readyConnections()).doesNotContainKey(a.url());
      searches(client, 400); // all to b now
      await("a's idle connections closed, the busy one kept").atMost(DEADLINE)
          .until(() -> lb.balancer().retiringConnections() == 1);
      a.release();
      assertThat(finalOf(client.readThrough(heldId))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
      await("a's last connection closed").atMost(DEADLINE)
          .until(() -> lb.balancer().retiringConnections() == 0);
    }
  }

  @Test
  void aClientPinnedToARemovedServerGoesOnWithTheOthers() throws Exception {
    // write_coherence -1: after a write, the client's operations go to that server until its
    // next bind.
    Restrictions coherent = new Restrictions(Map.of(), RestrictAction.IGNORE, Map.of(), -1);
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RecordingDirectory b = RecordingDirectory.start("b", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).restrictions(coherent)
            .server(a.url(), 1, 1).server(b.url(), 1, 1).start().awaitReady(a.url(), b.url());
        MessageClient client = MessageClient.connect(lb.port())) {
      client.send(new LDAPMessage(1, new ModifyRequestProtocolOp(DirectoryData.userDn(1),
          List.of(new Modification(ModificationType.REPLACE, "description", "pinned")))));
      assertThat(client.read().getMessageID()).isEqualTo(1);
      java.util.function.Predicate<RecordingDirectory.Request> modify =
          r -> r.op() instanceof ModifyRequestProtocolOp;
      RecordingDirectory pinned = a.requests(modify).isEmpty() ? b : a;
      RecordingDirectory other = pinned == a ? b : a;
      // A search held there keeps the pinned server's connection open through the reload.
      pinned.holdRequestsMatching(r -> r.isSearch() && r.filter().equals("(uid=held)"));
      client.send(MessageClient.search(2, "(uid=held)"));
      await("the search held where the write went").atMost(DEADLINE)
          .until(() -> pinned.held().size() == 1);

      reload(lb, RunningBalancer.builder().ioThreads(1).restrictions(coherent)
          .server(other.url(), 1, 1).config());
      searches(client, 10);
      assertThat(other.requests(r -> r.isSearch() && r.filter().equals("(uid=user.1)")))
          .hasSize(SEARCHES);
      assertThat(pinned.requests(r -> r.isSearch() && r.filter().equals("(uid=user.1)")))
          .as("nothing more to the removed server").isEmpty();
      pinned.release();
      assertThat(finalOf(client.readThrough(2))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
    }
  }

  @Test
  void anotherOwnIdentityIsRefusedAndNothingChanges() throws Exception {
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RecordingDirectory b = RecordingDirectory.start("b", 5);
        RunningBalancer lb = RunningBalancer.builder().server(a.url(), 1, 1).start()
            .awaitReady(a.url())) {
      BalancerConfig other = RunningBalancer.builder()
          .bindConf(new BindConf(BindMethod.SIMPLE, "cn=other", "secret", Duration.ofSeconds(5),
              Duration.ZERO))
          .server(b.url(), 1, 1)
          .config();

      assertThatThrownBy(() -> reload(lb, other))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dn:cn=other");
      assertThat(lb.balancer().readyConnections()).containsOnlyKeys(a.url());
    }
  }

  @Test
  void clientLimitsOfAReloadApplyToTheClientsThatConnectAfterIt() throws Exception {
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        // Three connections on one loop: the directory answers a connection's requests in
        // order, so the two held searches take two and the third stays free.
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(a.url(), 3, 1).start()
            .awaitReady(a.url());
        MessageClient before = MessageClient.connect(lb.port())) {
      // Answered before the reload: the balancer has accepted this client (a TCP connect alone
      // may still wait in the accept queue when the new settings take effect).
      before.send(MessageClient.search(9, "(uid=user.1)"));
      assertThat(finalOf(before.readThrough(9))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
      a.holdRequestsMatching(r -> r.isSearch() && r.filter().equals("(uid=held)"));
      BalancerConfig limited =
          RunningBalancer.builder().ioThreads(1).server(a.url(), 3, 1).clientMaxPending(1).config();
      assertThat(reload(lb, limited)).isEmpty();

      try (MessageClient after = MessageClient.connect(lb.port())) {
        after.send(MessageClient.search(1, "(uid=held)"));
        await("the new client's search held").atMost(DEADLINE).until(() -> a.held().size() == 1);
        after.send(MessageClient.search(2, "(uid=user.1)"));
        assertThat(finalOf(after.readThrough(2)))
            .as("client_max_pending 1 for a client accepted after the reload")
            .isEqualTo(ResultCode.BUSY_INT_VALUE);

        before.send(MessageClient.search(1, "(uid=held)"));
        await("the old client's search held").atMost(DEADLINE).until(() -> a.held().size() == 2);
        before.send(MessageClient.search(2, "(uid=user.1)"));
        assertThat(finalOf(before.readThrough(2)))
            .as("a client accepted before keeps its settings (no limit)")
            .isEqualTo(ResultCode.SUCCESS_INT_VALUE);

        a.release();
        assertThat(finalOf(after.readThrough(1))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
        assertThat(finalOf(before.readThrough(1))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
      }
    }
  }

  private static long heldSearchesAt(RecordingDirectory dir) {
    return dir.requests(r -> r.isSearch() && r.filter().equals("(uid=held)")).size();
  }

  private static BalancerConfig config(String first, int numconns, String second) {
    RunningBalancer.Builder builder = RunningBalancer.builder().ioThreads(2).server(first, numconns,
        1);
    if (second != null) {
      builder.server(second, 1, 1);
    }
    return builder.config();
  }

  private static List<String> reload(RunningBalancer lb, BalancerConfig next) throws Exception {
    return lb.balancer().reload(next, TlsContexts.build(next));
  }

  /** {@link #SEARCHES} searches with IDs from {@code firstId}, each answered with success. */
  private static void searches(MessageClient client, int firstId) throws Exception {
    for (int id = firstId; id < firstId + SEARCHES; id++) {
      client.send(MessageClient.search(id, "(uid=user.1)"));
      assertThat(finalOf(client.readThrough(id))).isEqualTo(ResultCode.SUCCESS_INT_VALUE);
    }
  }

  private static int finalOf(List<LDAPMessage> messages) {
    return messages.get(messages.size() - 1).getSearchResultDoneProtocolOp().getResultCode();
  }

  /** The balancer's connections that carried searches to {@code dir}, from request {@code from}. */
  private static Set<Long> connectionsUsed(RecordingDirectory dir, int from) {
    List<RecordingDirectory.Request> all = dir.requests();
    return all.subList(from, all.size()).stream()
        .filter(RecordingDirectory.Request::isSearch)
        .map(RecordingDirectory.Request::connection)
        .collect(Collectors.toSet());
  }
}
