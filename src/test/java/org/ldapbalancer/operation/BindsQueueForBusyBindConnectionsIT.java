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
import org.ldapbalancer.testing.MessageClient;
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

  @Test
  void clientLeavingWhileItsBindWaitsIsDroppedFromTheQueue() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        MessageClient first = MessageClient.connect(lb.port());
        MessageClient leaving = MessageClient.connect(lb.port());
        MessageClient last = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(BindsQueueForBusyBindConnectionsIT::isUserBind);
      first.send(bind(1, 1));
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);
      leaving.send(bind(1, 2));
      last.send(bind(1, 3));
      // The queue is on the balancer: nothing more reaches the server while the first is held.
      leaving.send(MessageClient.search(2, "(uid=user.1)"));
      assertThat(leaving.readThrough(2)).singleElement().satisfies(m -> assertThat(
          m.getSearchResultDoneProtocolOp().getDiagnosticMessage()).isEqualTo("bind in progress"));
      leaving.close();
      // An answer made on the same event loop after the close arrived shows it was handled.
      last.send(MessageClient.search(2, "(uid=user.1)"));
      assertThat(last.readThrough(2)).singleElement().satisfies(m -> assertThat(
          m.getSearchResultDoneProtocolOp().getDiagnosticMessage()).isEqualTo("bind in progress"));
      dir.release();

      assertThat(first.read().getBindResponseProtocolOp().getResultCode()).isZero();
      assertThat(last.read().getBindResponseProtocolOp().getResultCode()).isZero();
      assertThat(dir.requests(BindsQueueForBusyBindConnectionsIT::isUserBind))
          .extracting(r -> ((BindRequestProtocolOp) r.op()).getBindDN())
          .containsExactly(SampleDirectory.userDn(1), SampleDirectory.userDn(3));
    }
  }

  @Test
  void bindWaitingTooLongIsAnsweredBusy() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        MessageClient first = MessageClient.connect(lb.port());
        MessageClient waiting = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(BindsQueueForBusyBindConnectionsIT::isUserBind);
      first.send(bind(1, 1));
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);
      long start = System.nanoTime();
      waiting.send(bind(1, 2));
      com.unboundid.ldap.protocol.LDAPMessage answer = waiting.read();
      long waitedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertThat(answer.getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.BUSY_INT_VALUE);
      assertThat(waitedSeconds).isBetween(9L, 25L); // the queue's 10 s deadline
      dir.release();
      assertThat(first.read().getBindResponseProtocolOp().getResultCode()).isZero();
      // The client that was refused can bind now.
      waiting.send(bind(2, 2));
      assertThat(waiting.read().getBindResponseProtocolOp().getResultCode()).isZero();
    }
  }

  private static com.unboundid.ldap.protocol.LDAPMessage bind(int id, int user) {
    return new com.unboundid.ldap.protocol.LDAPMessage(id,
        new BindRequestProtocolOp(SampleDirectory.userDn(user), SampleDirectory.USER_PASSWORD));
  }
}
