package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
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

/**
 * Upstream message IDs that reach 2³¹−1 and start again from 1 (RFC 4511 §4.1.1) are accepted by a
 * real slapd, and every response still finds its operation: the balancer's connections start
 * counting just below the top for this test.
 */
final class UpstreamMessageIdsWrapIT {

  private static final String FIRST_ID = "ldapbalancer.upstream.firstMessageId";
  private static final int SEARCHES = 40;

  @TempDir Path dir;

  @Test
  void searchesAcrossTheWrapAllSucceed() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, SEARCHES)) {
      RunningBalancer started;
      System.setProperty(FIRST_ID, String.valueOf(Integer.MAX_VALUE - 5));
      try {
        started = slapds.balancer(Duration.ZERO).ioThreads(1).start();
      } finally {
        System.clearProperty(FIRST_ID);
      }
      try (RunningBalancer balancer = started) {
        balancer.awaitReady(slapds.urls());
        Path uids = Files.createTempFile(dir, "uids-", ".txt");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < SEARCHES; i++) {
          lines.append("user.").append(i).append('\n');
        }
        Files.writeString(uids, lines);

        // Two clients at once share the connections, twice over: well past the wrap.
        List<CompletableFuture<LdapTool.Result>> runs = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
          for (int user = 1; user <= 2; user++) {
            int u = user;
            runs.add(Background.supply(() -> search(balancer, u, uids)));
          }
          CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).join();
        }
        for (CompletableFuture<LdapTool.Result> run : runs) {
          LdapTool.Result result = run.join();
          assertThat(result.succeeded()).as("%s", result).isTrue();
          assertThat(result.stdout().lines().filter(l -> l.startsWith("dn: ")))
              .as("%s", result)
              .hasSize(SEARCHES);
        }
      }
    }
  }

  private static LdapTool.Result search(RunningBalancer balancer, int user, Path uids) {
    return LdapTool.at(balancer.url())
        .boundAs(userDn(user), USER_PASSWORD)
        .search("-c", "-LLL", "-f", uids.toString(), "-b", PEOPLE_DN, "(uid=%s)", "uid");
  }
}
