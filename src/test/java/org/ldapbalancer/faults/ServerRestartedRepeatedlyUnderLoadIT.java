package org.ldapbalancer.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.bench.BenchResult;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.BenchLoad;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * One of two servers restarted again and again under load, by SIGKILL and by SIGTERM in turn,
 * each time as soon as the load is seen reaching it again: every request gets exactly one final
 * response (a real one, or {@code other (80)} for those caught on the dying server), and
 * afterwards the balancer process holds what it held before: the same open files, no more
 * threads.
 *
 * <p>{@code bench/faults} runs the long version (every 3 s for a minute, with heap and RSS).
 */
final class ServerRestartedRepeatedlyUnderLoadIT {
  private static final int USERS = 100;
  private static final int RESTARTS = 6;
  private static final Duration RESTARTING = Duration.ofSeconds(12);
  /** About a hundred requests: the load has reached the restarted server again. */
  private static final long UNDER_WAY_BYTES = 8 * 1024;

  @TempDir Path dir;

  @Test
  void everyRequestAnsweredOnceAndTheBalancerHoldsWhatItHeldBefore() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, USERS);
        BalancerProcess lb = BalancerProcess.builder(dir).servers(slapds.urls()).start()) {
      SlapdServer restarted = slapds.server(0);
      // The same load briefly first, so that what the balancer loads once is in the baseline.
      BenchLoad.start(BenchLoad.searches(lb.url(), USERS).durationSeconds(1)).result();
      awaitPools(restarted, slapds.server(1));
      awaitNoClients(lb);
      int files = lb.openFiles();
      int threads = lb.threads();

      long readBefore = restarted.bytesRead();
      BenchLoad load = BenchLoad.start(
          BenchLoad.searches(lb.url(), USERS).durationSeconds(RESTARTING.toSeconds() + 3));
      // Under way first: a server killed while the load binds its connections would refuse it
      // its session bind, and there would be no load at all.
      await("load reaching the server").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> restarted.bytesRead() > readBefore + UNDER_WAY_BYTES);
      long stopRestarting = System.nanoTime() + RESTARTING.toNanos();
      int restarts = 0;
      while (restarts < RESTARTS && System.nanoTime() < stopRestarting) {
        if (restarts % 2 == 0) {
          restarted.kill();
        }
        restarted.restart(); // SIGTERM if it still runs, then start; waits until it answers
        restarts++;
        long read = restarted.bytesRead();
        try {
          await("load reaching the restarted server").atMost(Duration.ofSeconds(10))
              .pollInterval(Duration.ofMillis(20))
              .until(() -> restarted.bytesRead() > read + UNDER_WAY_BYTES);
        } catch (ConditionTimeoutException e) {
          throw new AssertionError("restart " + restarts + ": the load did not reach the"
              + " restarted server (read " + (restarted.bytesRead() - read) + " bytes; "
              + BalancerProcess.connectionsTo(restarted.port()) + " connections to it)\nload:\n"
              + load.progress() + "\nbalancer:\n" + lb.log(), e);
        }
      }
      BenchResult result = load.result();

      assertThat(restarts).as("restarts within %s", RESTARTING).isGreaterThanOrEqualTo(3);
      LedgerAssert.everyRequestAnsweredOnce(load, result, 0, 80);
      awaitPools(restarted, slapds.server(1));
      awaitNoClients(lb);
      await("the balancer's open files back to " + files).atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(lb.openFiles()).isEqualTo(files));
      // The JVM may start or end a compiler thread of its own meanwhile.
      assertThat(lb.threads()).as("threads").isLessThanOrEqualTo(threads + 1);
    }
  }

  /** The load's connections are closed on the balancer's side too. */
  private static void awaitNoClients(BalancerProcess lb) {
    await("the load's connections closed").atMost(Duration.ofSeconds(10))
        .until(() -> lb.clients() == 0);
  }

  /** Each server's pool is whole: two regular connections and one bind connection. */
  private static void awaitPools(SlapdServer... servers) {
    await("every pool whole").atMost(Duration.ofSeconds(10)).until(() -> {
      for (SlapdServer s : servers) {
        if (BalancerProcess.connectionsTo(s.port()) < 3) {
          return false;
        }
      }
      return true;
    });
  }
}
