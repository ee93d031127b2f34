package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * Coherence under failure (lloadd's test007 in spirit): clients keep searching through the balancer
 * while, once their load is seen reaching the servers, one of three servers is killed, another
 * stopped gracefully, and the first started again. Every search gets exactly one result, a real one or {@code other (80)} for those caught on the dying server, and
 * every entry a client was told about is the one it asked for.
 */
final class EveryOperationAnsweredOnceAcrossServerDeathIT {

  private static final int USERS = 50;
  private static final int CLIENTS = 4;
  private static final int SEARCHES = 1000;

  /** About a hundred search requests: the load has reached a server. */
  private static final long UNDER_WAY_BYTES = 8 * 1024;

  @TempDir Path dir;

  @Test
  void everySearchGetsExactlyOneResultWhileServersDie() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(3, USERS);
        RunningBalancer balancer = slapds.balancer(Duration.ZERO).start()) {
      balancer.awaitReady(slapds.urls());
      Path uids = Files.createTempFile(dir, "uids-", ".txt");
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < SEARCHES; i++) {
        lines.append("user.").append(i % USERS).append('\n');
      }
      Files.writeString(uids, lines);

      SlapdServer killed = slapds.server(0);
      SlapdServer stopped = slapds.server(1);
      long killedRead = killed.bytesRead();
      long stoppedRead = stopped.bytesRead();
      List<CompletableFuture<LdapTool.Result>> runs = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        LdapTool tool =
            LdapTool.at(balancer.url())
                .boundAs(userDn(c), USER_PASSWORD)
                .withTimeout(Duration.ofSeconds(120));
        runs.add(
            Background.supply(
                () ->
                    tool.search("-c", "-f", uids.toString(), "-b", PEOPLE_DN, "(uid=%s)", "uid")));
      }
      await("searches reaching both servers")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(10))
          .until(
              () ->
                  killed.bytesRead() > killedRead + UNDER_WAY_BYTES
                      && stopped.bytesRead() > stoppedRead + UNDER_WAY_BYTES);
      assertThat(runs).as("clients still searching").noneMatch(CompletableFuture::isDone);
      killed.kill();
      stopped.stop();
      killed.restart();

      for (CompletableFuture<LdapTool.Result> run : runs) {
        LdapTool.Result result = run.join();
        assertThat(result.timedOut()).as("%s", head(result)).isFalse();
        List<String> codes = result.stdout().lines().filter(l -> l.startsWith("result: ")).toList();
        assertThat(codes).as("one result per search:\n%s", head(result)).hasSize(SEARCHES);
        assertThat(codes.stream().map(l -> l.split(" ")[1]).distinct())
            .as("%s", head(result))
            .isSubsetOf(Set.of("0", "80"));
        // Each search shows only the entry it asked for (no response went to the wrong search):
        // exactly one when it succeeded; at most one when it failed with 80, since a server can
        // die between sending an entry and the search's result.
        List<String> output = result.stdout().lines().toList();
        String asked = null;
        int entries = 0;
        for (String line : output) {
          if (line.startsWith("# filter: (uid=")) {
            asked = line.substring("# filter: (uid=".length(), line.length() - 1);
            entries = 0;
          } else if (line.startsWith("dn: ")) {
            assertThat(line).isEqualTo("dn: uid=" + asked + "," + PEOPLE_DN);
            entries++;
          } else if (line.startsWith("result: 0 ")) {
            assertThat(entries).as("entries of the search for %s", asked).isEqualTo(1);
          } else if (line.startsWith("result: 80 ")) {
            assertThat(entries).as("entries of the search for %s", asked).isLessThanOrEqualTo(1);
          }
        }
      }
    }
  }

  private static String head(LdapTool.Result result) {
    return String.join("\n", result.toString().lines().limit(40).toList());
  }
}
