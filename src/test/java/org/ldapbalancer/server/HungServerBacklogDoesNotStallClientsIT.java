package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SocketQueues;

/**
 * A hung server (SIGSTOP) that keeps receiving large requests: once its connection's buffers are
 * full, the balancer must still answer every client, by timing out what went to the hung server and
 * sending the rest elsewhere, rather than stop reading the clients that happened to be routed
 * there.
 */
final class HungServerBacklogDoesNotStallClientsIT {

  private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(2);
  private static final int CLIENTS = 24;
  private static final int RECORDS = 6;

  /** Below the balancer's largest accepted request (256 KiB). */
  private static final int VALUE_BYTES = 200 * 1024;

  @TempDir Path dir;

  @Test
  void everyClientIsAnsweredWhileRequestsPileUpAtTheHungServer() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 3);
        RunningBalancer balancer =
            RunningBalancer.builder()
                .bindConf(SlapdGroup.balancerBindConf(OPERATION_TIMEOUT))
                .ioThreads(1)
                .server(slapds.server(0).url(), 1, 1)
                .server(slapds.server(1).url(), 1, 1)
                .start()) {
      balancer.awaitReady(slapds.urls());
      // Anonymous modifications: the running server refuses them at once, the hung one never
      // answers; either way each request carries a large value to fill the buffers.
      StringBuilder ldif = new StringBuilder();
      String value = "x".repeat(VALUE_BYTES);
      for (int i = 0; i < RECORDS; i++) {
        ldif.append("dn: ")
            .append(userDn(1))
            .append("\nchangetype: modify\nreplace: description\n")
            .append("description: ")
            .append(value)
            .append("\n\n");
      }
      slapds.server(0).pause();

      LdapTool tool = LdapTool.at(balancer.url()).withTimeout(Duration.ofSeconds(90));
      List<CompletableFuture<LdapTool.Result>> runs = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        runs.add(Background.supply(() -> tool.modify(ldif.toString(), "-c")));
      }
      int timedOutAtServer = 0;
      for (CompletableFuture<LdapTool.Result> run : runs) {
        LdapTool.Result result = run.join();
        assertThat(result.timedOut()).as("%s", abbreviated(result)).isFalse();
        assertThat(result.exitCode()).as("%s", abbreviated(result)).isNotZero();
        timedOutAtServer +=
            result.stderr().split("Administrative limit exceeded \\(11\\)", -1).length - 1;
      }
      assertThat(timedOutAtServer).isPositive();
      // Megabytes of requests wait for the hung server: its connection was backlogged, and the
      // clients were answered all the same.
      long queued = SocketQueues.queuedTowards(slapds.server(0).port());
      assertThat(queued).isGreaterThan(1 << 20);

      // Once it resumes and works through the backlog, it is chosen again.
      slapds.server(0).resume();
      Path uids = Files.createTempFile(dir, "uids-", ".txt");
      Files.writeString(uids, "user.0\nuser.1\nuser.2\nuser.0\n");
      await("the resumed server answering again")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                LdapTool.Result search =
                    tool.search(
                        "-LLL", "-f", uids.toString(), "-b", PEOPLE_DN, "(uid=%s)", "entryUUID");
                assertThat(search.succeeded()).as("%s", search).isTrue();
                assertThat(
                        search.stdout().lines().filter(l -> l.startsWith("entryUUID: ")).distinct())
                    .as("both servers answer:\n%s", search)
                    .hasSize(4);
              });
    }
  }

  private static String abbreviated(LdapTool.Result result) {
    String text = result.toString();
    return text.replaceAll("x{100,}", "x...");
  }
}
