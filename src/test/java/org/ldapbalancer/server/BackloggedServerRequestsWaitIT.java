package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import com.unboundid.ldap.sdk.AsyncRequestID;
import com.unboundid.ldap.sdk.AsyncResultListener;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * When the only server's connection has a write backlog (the server stopped reading), new
 * requests wait for it to drain instead of being refused with busy, as lloadd refuses requests
 * that find every connection mid-write.
 */
final class BackloggedServerRequestsWaitIT {
  private static final int VALUE_BYTES = 200 * 1024;
  private static final int CONNECTIONS = 3;
  private static final int MAX_MODIFIES = 400;

  @Test
  void requestsWaitForTheBacklogToDrainAndAreThenServed() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, 3);
        RunningBalancer balancer =
            slapds.balancerOnOneSharedConnection().start()) {
      balancer.awaitReady(slapds.urls());
      slapds.server(0).pause();

      Map<Integer, Integer> resultCodes = new ConcurrentHashMap<>();
      List<LDAPConnection> connections = new ArrayList<>();
      String value = "x".repeat(VALUE_BYTES);
      int sent = 0;
      try {
        for (int c = 0; c < CONNECTIONS; c++) {
          LDAPConnection connection = new LDAPConnection("127.0.0.1", balancer.port());
          connection.getConnectionOptions().setResponseTimeoutMillis(120_000);
          connections.add(connection);
        }
        // Large requests until the balancer holds some back: the connection to the stopped
        // server is then backlogged beyond the kernel's buffers and its own high-water mark.
        while (balancer.balancer().waitingOperations() == 0) {
          assertThat(sent).as("requests sent before any was held back").isLessThan(MAX_MODIFIES);
          ModifyRequest modify =
              new ModifyRequest(userDn(1),
                  new Modification(ModificationType.REPLACE, "description", value));
          connections.get(sent % CONNECTIONS).asyncModify(modify, new AsyncResultListener() {
            @Override
            public void ldapResultReceived(AsyncRequestID id, LDAPResult result) {
              resultCodes.merge(result.getResultCode().intValue(), 1, Integer::sum);
            }
          });
          sent++;
        }

        CompletableFuture<SearchResult> search = Background.supply(() -> {
          try (LDAPConnection c = new LDAPConnection("127.0.0.1", balancer.port())) {
            return c.search(DirectoryData.PEOPLE_DN, SearchScope.ONE, "(uid=user.2)");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        // The kernel may take more of the backlog meanwhile (its buffers grow), letting what
        // waited go out: keep adding until requests wait again, the search among them or behind.
        int[] more = {0};
        await("the search waiting too")
            .atMost(Duration.ofSeconds(30))
            .until(() -> {
              if (balancer.balancer().waitingOperations() == 0 && more[0] < MAX_MODIFIES) {
                more[0]++;
                connections.get(more[0] % CONNECTIONS).asyncModify(
                    new ModifyRequest(userDn(1),
                        new Modification(ModificationType.REPLACE, "description", value)),
                    new AsyncResultListener() {
                      @Override
                      public void ldapResultReceived(AsyncRequestID id, LDAPResult result) {
                        resultCodes.merge(result.getResultCode().intValue(), 1, Integer::sum);
                      }
                    });
                return false;
              }
              return balancer.balancer().waitingOperations() > 0 && !search.isDone();
            });
        sent += more[0];
        slapds.server(0).resume();

        assertThat(search.get().getEntryCount()).isEqualTo(1);
        int total = sent;
        await("every modify answered")
            .atMost(Duration.ofSeconds(60))
            .until(() -> resultCodes.values().stream().mapToInt(Integer::intValue).sum() == total);
        assertThat(resultCodes).as("result codes").doesNotContainKey(51);
      } finally {
        connections.forEach(LDAPConnection::close);
      }
    }
  }
}
