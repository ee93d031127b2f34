package org.ldapbalancer.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.bench.BenchResult;
import org.ldapbalancer.monitor.ServerSnapshot;
import org.ldapbalancer.testing.BenchLoad;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * Whether a server answers a connection's requests out of order is learnt from its answers
 * (docs/architecture.md, "Requests that share a write"): slapd, which works on them concurrently,
 * is recognised under load; UnboundID's in-memory server, which answers them in turn, never is,
 * so selection keeps giving its requests an idle connection first. One regular connection per
 * server and one event loop, so that eight requests in flight share the connection.
 */
@Timeout(120)
class ServerOrderLearntIT {
  private static final int USERS = 50;

  private static boolean answersOutOfOrder(RunningBalancer lb) throws Exception {
    return lb.balancer().snapshot().toCompletableFuture().get().servers().stream()
        .anyMatch(ServerSnapshot::answersOutOfOrder);
  }

  /** Searches over 4 client connections with 2 in flight each, as fast as the path allows. */
  private static BenchLoad load(RunningBalancer lb, int seconds) {
    return BenchLoad.start(
        BenchLoad.searches(lb.url(), USERS).rate(0).durationSeconds(seconds).drainSeconds(5));
  }

  private static void everySearchSucceeded(BenchResult r, BenchLoad load) {
    BenchResult.Answers a = r.answers();
    String context = a + "\n" + load.progress();
    assertThat(a.everyRequestAnsweredOnce()).as(context).isTrue();
    assertThat(a.byResultCode().keySet()).as(context).containsOnly(0);
    assertThat(a.answered()).as(context).isPositive();
  }

  /** The balancer with one connection to the one slapd, forwarding with proxied authorization. */
  private static RunningBalancer inFrontOf(SlapdGroup slapd) throws IOException {
    return RunningBalancer.builder()
        .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
        .proxyAuthz(true)
        .ioThreads(1)
        .server(slapd.server(0).url(), 1, 1)
        .start()
        .awaitReady(slapd.urls());
  }

  /** Loads slapd for at most {@code seconds} until it is seen answering out of order. */
  private static void seenAnsweringOutOfOrderUnderLoad(RunningBalancer lb, int seconds)
      throws Exception {
    BenchLoad load = load(lb, seconds);
    await("slapd seen answering out of order")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> answersOutOfOrder(lb) || load.isDone());
    assertThat(answersOutOfOrder(lb)).as(load.progress()).isTrue();
    everySearchSucceeded(load.result(), load);
  }

  @Test
  void slapdIsSeenAnsweringOutOfOrder() throws Exception {
    try (SlapdGroup slapd = SlapdGroup.start(1, USERS);
        RunningBalancer lb = inFrontOf(slapd)) {
      assertThat(answersOutOfOrder(lb)).as("before any load").isFalse();
      seenAnsweringOutOfOrderUnderLoad(lb, 20);
    }
  }

  @Test
  void whatAnswersAfterAnOutageIsLearntAfresh() throws Exception {
    try (SlapdGroup slapd = SlapdGroup.start(1, USERS);
        RunningBalancer lb = inFrontOf(slapd)) {
      seenAnsweringOutOfOrderUnderLoad(lb, 8);

      // The server goes away: the balancer's attempts to reach it fail, and whatever answers at
      // its address later may be another server.
      slapd.server(0).stop();
      await("the order forgotten once the server is seen down")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !answersOutOfOrder(lb));
      slapd.server(0).restart();
      lb.awaitReady(slapd.urls());
      assertThat(answersOutOfOrder(lb)).as("back, before any load").isFalse();
    }
  }

  @Test
  void anInOrderServerIsNeverTakenForOne() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", USERS);
        RunningBalancer lb =
            RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1).start()
                .awaitReady(dir.url())) {
      BenchLoad load = load(lb, 3);
      BenchResult r = load.result();
      everySearchSucceeded(r, load);
      // Requests overlapped on the one connection (eight in flight), and each was answered in
      // the order it was sent.
      assertThat(r.answers().answered()).isGreaterThan(100);
      assertThat(answersOutOfOrder(lb)).isFalse();
    }
  }
}
