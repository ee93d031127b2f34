package org.ldapbalancer.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RecordingDirectory.Request;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * When every bind connection is occupied a Bind waits its turn instead of failing, and each
 * client ends up with its own identity, never another's.
 */
@Timeout(180)
class BindsQueueForBusyBindConnectionsIT {
  private static final int CLIENTS = 40;

  private static boolean isUserBind(Request r) {
    return r.op() instanceof BindRequestProtocolOp b && b.getBindDN().startsWith("uid=");
  }

  @Test
  void fortyClientsBindingAtOnceEachGetTheirOwnIdentity() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<LDAPConnection> clients = new ArrayList<>();
    try (RecordingDirectory a = RecordingDirectory.start("a", CLIENTS);
        RecordingDirectory b = RecordingDirectory.start("b", CLIENTS);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(2)
            .server(a.url(), 2, 1).server(b.url(), 2, 1).start()
            .awaitReady(a.url(), b.url())) {
      for (int i = 0; i < CLIENTS; i++) {
        clients.add(new LDAPConnection("127.0.0.1", lb.port()));
      }
      // Hold the first binds upstream so that every bind connection is surely occupied while
      // the rest arrive: they can only wait in the queue.
      a.holdRequestsMatching(BindsQueueForBusyBindConnectionsIT::isUserBind);
      b.holdRequestsMatching(BindsQueueForBusyBindConnectionsIT::isUserBind);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<BindResult>> binds = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        LDAPConnection c = clients.get(i);
        String dn = SampleDirectory.userDn(i);
        binds.add(pool.submit(() -> {
          go.await();
          return c.bind(dn, SampleDirectory.USER_PASSWORD);
        }));
      }
      go.countDown();
      // 2 event loops × 2 servers × 1 bind connection: 4 binds in flight, 36 queued.
      await().atMost(Duration.ofSeconds(30))
          .until(() -> a.held().size() + b.held().size() == 4);
      assertThat(Stream.concat(a.requests().stream(), b.requests().stream())
          .filter(BindsQueueForBusyBindConnectionsIT::isUserBind).count()).isEqualTo(4);
      a.release();
      b.release();

      for (int i = 0; i < CLIENTS; i++) {
        assertThat(binds.get(i).get(60, TimeUnit.SECONDS).getResultCode())
            .as("bind of client %d", i).isEqualTo(ResultCode.SUCCESS);
      }
      for (int i = 0; i < CLIENTS; i++) {
        clients.get(i).search(SampleDirectory.BASE_DN, SearchScope.SUB, "(uid=who" + i + ")");
      }
      for (int i = 0; i < CLIENTS; i++) {
        String filter = "(uid=who" + i + ")";
        List<Request> seen = Stream.concat(a.requests().stream(), b.requests().stream())
            .filter(r -> r.filter().equals(filter)).toList();
        assertThat(seen).as("search of client %d", i).singleElement()
            .satisfies(r -> assertThat(r.proxiedAuthz()).isEqualTo(
                "dn:" + SampleDirectory.userDn(Integer.parseInt(filter.replaceAll("\\D", "")))));
      }
    } finally {
      clients.forEach(LDAPConnection::close);
      pool.shutdownNow();
    }
  }
}
