package org.ldapbalancer.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.bench.BenchResult;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.BenchLoad;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * SIGTERM to the balancer process while clients keep requests in flight: it exits 0 within
 * seconds, every client gets a Notice of Disconnection ({@code unavailable}), no request is
 * answered twice or after its client was told, and every request is either answered or was in
 * flight when its client got the notice.
 *
 * <p>Requests in flight at that moment finish (the draining shutdown), later ones are answered
 * {@code unavailable}; a request the client wrote just as its notice was sent may still go
 * unanswered. {@code SigtermDrainsInFlightOperationsIT} covers the drain itself,
 * {@code CommandLineIT} and {@code BalancerShutdownIT} shutdown without load.
 */
final class BalancerStoppedBySigtermUnderLoadIT {
  private static final int USERS = 100;
  private static final long UNDER_WAY_BYTES = 8 * 1024;

  @TempDir Path dir;

  @Test
  void everyClientIsToldAndTheProcessExitsZero() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, USERS);
        BalancerProcess lb = BalancerProcess.builder(dir).servers(slapds.urls()).start()) {
      long read = slapds.server(0).bytesRead();
      BenchLoad load = BenchLoad.start(BenchLoad.searches(lb.url(), USERS).durationSeconds(30));
      await("load reaching a server").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> slapds.server(0).bytesRead() > read + UNDER_WAY_BYTES);

      lb.sigterm();
      assertThat(lb.awaitExit(Duration.ofSeconds(10))).as("exit status:\n%s", lb.log()).isZero();
      BenchResult result = load.result();

      BenchResult.Answers a = result.answers();
      String context = a + "\n" + load.progress();
      assertThat(result.stopReason()).as(context).isEqualTo("connections lost");
      assertThat(a.noticesOfDisconnection()).as(context).isEqualTo(result.connectionsReady());
      assertThat(a.unexpected()).as(context).isZero();
      assertThat(a.unanswered()).as(context).isZero();
      assertThat(a.lostWithConnection()).as("at most what was in flight: %s", context)
          .isLessThanOrEqualTo((long) result.connectionsReady() * result.settings().inFlight());
      assertThat(a.byResultCode().keySet()).as(context).isSubsetOf(0, 52);
      assertThat(lb.answers()).as("answering after exit").isFalse();
    }
  }
}
