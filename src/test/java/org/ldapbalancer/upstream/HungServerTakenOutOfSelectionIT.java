package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.HealthCheck;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;
import org.ldapbalancer.testing.SocketQueues;

/**
 * One of two real slapd servers stopped (SIGSTOP) under load: within {@code health-check-timeout}
 * it is taken out of selection, the load carries on on the other server and the stopped one is
 * sent nothing new; once it continues (SIGCONT) the probe it answers puts it back and it gets
 * operations again. Each change is logged once.
 */
@Timeout(180)
class HungServerTakenOutOfSelectionIT {
  private static final int USERS = 20;
  private static final int CLIENTS = 6;
  /** Bounds the load whatever happens: each client stops after this many searches. */
  private static final int MAX_SEARCHES_PER_CLIENT = 200_000;

  private static final HealthCheck HEALTH =
      new HealthCheck(Duration.ofMillis(500), Duration.ofMillis(1000));

  @Test
  void theStoppedServerIsSkippedUntilItAnswersAgain() throws Exception {
    try (LogCapture health = LogCapture.of(ServerHealth.class);
        SlapdGroup slapds = SlapdGroup.start(2, USERS);
        // No operation time limit: what the stopped server holds waits for it, and nothing new
        // (no Abandon) is sent to it after it is taken out.
        RunningBalancer lb = slapds.balancer(Duration.ZERO).healthCheck(HEALTH).start()) {
      lb.awaitReady(slapds.urls());
      SlapdServer steady = slapds.server(0);
      SlapdServer stopped = slapds.server(1);
      Load load = new Load(lb.port());
      try {
        long before = stopped.bytesRead();
        await("load reaching both servers").atMost(Duration.ofSeconds(20))
            .until(() -> stopped.bytesRead() > before + 4096 && load.succeeded() > 200);

        stopped.pause();
        try {
          long stoppedAt = System.nanoTime();
          await("the stopped server taken out").atMost(Duration.ofSeconds(15))
              .pollInterval(Duration.ofMillis(20))
              .until(() -> !lb.balancer().serversInSelection().get(stopped.url()));
          long detectedMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
          assertThat(lb.balancer().serversInSelection().get(steady.url())).isTrue();

          // Probes go out right after detection; then the queue towards it must stay as it is.
          long ok = load.succeeded();
          await("load carrying on").atMost(Duration.ofSeconds(20))
              .until(() -> load.succeeded() > ok + 300);
          long queued = SocketQueues.queuedTowards(stopped.port());
          long ok2 = load.succeeded();
          await("more load on the steady server").atMost(Duration.ofSeconds(30))
              .until(() -> load.succeeded() > ok2 + 1500);
          assertThat(SocketQueues.queuedTowards(stopped.port()))
              .as("bytes sent towards the stopped server after it was taken out")
              .isEqualTo(queued);
          assertThat(detectedMillis).as("detection time (ms)").isLessThan(10_000);
        } finally {
          stopped.resume();
        }

        await("back in selection").atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> lb.balancer().serversInSelection().get(stopped.url()));
        long resumedRead = stopped.bytesRead();
        await("operations reaching the server again").atMost(Duration.ofSeconds(20))
            .until(() -> stopped.bytesRead() > resumedRead + 8192);
      } finally {
        load.stop();
      }
      assertThat(load.failed()).as("searches that failed").isZero();
      assertThat(health.count("unresponsive")).as(String.join("\n", health.lines())).isEqualTo(1);
      assertThat(health.count("answers again")).as(String.join("\n", health.lines())).isEqualTo(1);
      assertThat(health.lines()).anyMatch(l -> l.contains(stopped.url())
          && l.contains("operations without a response"));
    }
  }

  /**
   * Clients searching in a loop, each with a short client-side response time-out: a client whose
   * search sits on the stopped server gives up on it and goes on (the balancer keeps the operation
   * for the server), so the load measures what the other server serves.
   */
  private static final class Load {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<CompletableFuture<Void>> runs = new ArrayList<>();

    Load(int port) {
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        runs.add(Background.supply(() -> {
          LDAPConnectionOptions options = new LDAPConnectionOptions();
          options.setResponseTimeoutMillis(3_000);
          try (LDAPConnection conn = new LDAPConnection(options, "127.0.0.1", port)) {
            for (int i = 0; i < MAX_SEARCHES_PER_CLIENT && !stop.get(); i++) {
              SearchRequest r = new SearchRequest(DirectoryData.userDn((client + i) % USERS),
                  SearchScope.BASE, "(objectClass=*)", "cn");
              try {
                conn.search(r);
                succeeded.incrementAndGet();
              } catch (LDAPException e) {
                if (e.getResultCode() == com.unboundid.ldap.sdk.ResultCode.TIMEOUT) {
                  timedOut.incrementAndGet();
                } else {
                  failed.incrementAndGet();
                }
              }
            }
          } catch (LDAPException e) {
            throw new IllegalStateException(e);
          }
          return null;
        }));
      }
    }

    long succeeded() {
      return succeeded.get();
    }

    long failed() {
      return failed.get();
    }

    void stop() throws Exception {
      stop.set(true);
      for (CompletableFuture<Void> r : runs) {
        r.get();
      }
    }
  }
}
