package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.LDAPMessage;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * {@code numconns=1 conn-max-pending=4 max-conns=3}: while the server holds searches, the pool
 * opens a connection each time every connection has three in flight, up to three connections;
 * the requests that come meanwhile go to the new connections, and once the server answers, every
 * search is answered.
 */
@Timeout(120)
class PoolGrowsUnderLoadIT {
  private static final String HELD = "(uid=held)";

  @Test
  void thePoolGrowsToMaxConnsWhileItsConnectionsAreLoaded() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5)) {
      BackendServer growing = new BackendServer(LdapUrl.parse(dir.url()), 1, 1,
          Duration.ofMillis(200), 0, 4, StartTls.NO, 0, 3);
      try (RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(growing).start()
              .awaitReady(dir.url());
          MessageClient client = MessageClient.connect(lb.port())) {
        dir.holdRequestsMatching(r -> r.isSearch() && r.filter().equals(HELD));
        int id = 0;
        for (int expected = 2; expected <= 3; expected++) {
          for (int i = 0; i < 3; i++) {
            client.send(MessageClient.search(++id, HELD));
          }
          int want = expected;
          await("the pool grown to " + want).atMost(Duration.ofSeconds(20))
              .until(() -> ready(lb, dir) == want);
        }
        for (int i = 0; i < 3; i++) {
          client.send(MessageClient.search(++id, HELD));
        }
        // The third connection takes these; it is at the limit of three, no fourth comes.
        await("held on three connections").atMost(Duration.ofSeconds(20))
            .until(() -> dir.held().size() == 3);
        assertThat(ready(lb, dir)).as("max-conns").isEqualTo(3);

        dir.release();
        int[] ids = new int[id];
        for (int i = 0; i < id; i++) {
          ids[i] = i + 1;
        }
        Map<Integer, LDAPMessage> finals = client.readFinals(ids);
        assertThat(finals).hasSize(id);
        assertThat(finals.values()).allSatisfy(m ->
            assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());
      }
    }
  }

  private static int ready(RunningBalancer lb, RecordingDirectory dir) {
    return lb.balancer().readyConnections().getOrDefault(dir.url(), 0);
  }
}
