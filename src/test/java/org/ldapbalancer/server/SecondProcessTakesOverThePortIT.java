package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.ConnectSearchLoop;
import org.ldapbalancer.testing.SlapdServer;

/**
 * The upgrade hand-over (docs/operations.md): while a client connects and searches in a loop, a
 * second balancer process starts on the same port (listeners bind with {@code SO_REUSEPORT}), then
 * the first gets SIGTERM and drains. No connection is refused or reset, and every round is
 * answered; a client that connected to the old process just as it began to drain is told so
 * (Notice of Disconnection, or {@code unavailable}) and is answered on its next connection.
 * Repeated, since what it guards against is a race.
 *
 * <p>As docs/operations.md asks, the kernel must hand connections still queued at the old
 * listener over to the new one when it closes ({@code net.ipv4.tcp_migrate_req=1}, Linux 5.14
 * and later); without that, such a connection is reset. The test sets it for its own run (it is
 * per network namespace, and changes nothing for sockets without {@code SO_REUSEPORT}), restores
 * it after, and fails if it cannot.
 */
@Timeout(300)
class SecondProcessTakesOverThePortIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final int MAX_ROUNDS = 200_000;
  private static final long MAX_MILLIS = 180_000;
  /** Rounds to see answered in each phase: old alone, both, new alone. */
  private static final int ROUNDS_PER_PHASE = 200;

  private static final Path MIGRATE_REQ = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
  private static String migrateReqBefore;

  @TempDir Path dir;

  @BeforeAll
  static void queuedConnectionsMoveToTheNewListener() throws IOException {
    if (!Files.exists(MIGRATE_REQ)) {
      throw new IllegalStateException(MIGRATE_REQ + " is missing: the hand-over needs Linux 5.14+");
    }
    migrateReqBefore = Files.readString(MIGRATE_REQ).trim();
    if (migrateReqBefore.equals("1")) {
      return;
    }
    try {
      Files.writeString(MIGRATE_REQ, "1");
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot set net.ipv4.tcp_migrate_req=1 (" + e + "); run as root or set it beforehand",
          e);
    }
  }

  @AfterAll
  static void restoreMigrateReq() throws IOException {
    if (migrateReqBefore != null && !migrateReqBefore.equals("1")) {
      Files.writeString(MIGRATE_REQ, migrateReqBefore);
    }
  }

  @RepeatedTest(3)
  void aClientConnectingThroughoutIsNeverRefused() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(10).start();
        BalancerProcess old =
            BalancerProcess.builder(Files.createDirectory(dir.resolve("old")))
                .servers(slapd.url())
                .start()) {
      ConnectSearchLoop loop = ConnectSearchLoop.start(old.port(), MAX_ROUNDS, MAX_MILLIS);
      BalancerProcess next = null;
      try {
        next = awaitRounds(loop, () ->
            BalancerProcess.builder(Files.createDirectory(dir.resolve("new")))
                .servers(slapd.url())
                .port(old.port())
                .start());
        awaitRounds(loop, () -> null);
        old.sigterm();
        assertThat(old.awaitExit(DEADLINE)).as("old process:\n%s", old.log()).isZero();
        awaitRounds(loop, () -> null);
        assertThat(next.isRunning()).isTrue();
      } finally {
        loop.stop(); // before the new process goes, which would refuse the loop's next round
        if (next != null) {
          next.close();
        }
      }
      assertThat(loop.refused()).as("%s", loop).isZero();
      assertThat(loop.failed()).as("%s", loop).isZero();
      assertThat(loop.answered()).as("%s", loop).isGreaterThanOrEqualTo(3L * ROUNDS_PER_PHASE);
    }
  }

  private interface Step<T> {
    T run() throws Exception;
  }

  /** Waits for {@link #ROUNDS_PER_PHASE} more answered rounds, then runs {@code next}. */
  private static <T> T awaitRounds(ConnectSearchLoop loop, Step<T> next) throws Exception {
    long target = loop.answered() + ROUNDS_PER_PHASE;
    await("answered rounds: " + loop).atMost(DEADLINE)
        .until(() -> loop.answered() >= target || loop.failed() + loop.refused() > 0);
    return next.run();
  }
}
