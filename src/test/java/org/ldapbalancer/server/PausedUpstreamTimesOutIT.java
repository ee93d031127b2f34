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
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.config.HealthCheck;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * A hung server (SIGSTOP: its kernel still accepts connections and requests, nothing answers) with
 * the {@code bindconf} timeout set and the health checks off: searches sent to it are answered
 * {@code timeLimitExceeded (3)} (a bind {@code adminLimitExceeded (11)}) when the timeout passes
 * instead of hanging, operations sent to the other server are
 * answered as usual, and once the server resumes everything works again (its late answers to the
 * timed-out operations are dropped). Taking the hung server out of selection is {@code
 * HungServerTakenOutOfSelectionIT}.
 */
final class PausedUpstreamTimesOutIT {

  private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration TOOL_DEADLINE = Duration.ofSeconds(60);
  private static final int SEARCHES = 6;

  @TempDir Path dir;

  @Test
  void operationsAtThePausedServerTimeOutWhileTheOthersAreAnswered() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, SEARCHES);
        // One event loop: one round robin, so consecutive operations alternate between the two.
        RunningBalancer balancer = slapds.balancer(OPERATION_TIMEOUT).ioThreads(1)
            .healthCheck(HealthCheck.OFF).start()) {
      balancer.awaitReady(slapds.urls());
      Path uids = Files.createTempFile(dir, "uids-", ".txt");
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < SEARCHES; i++) {
        lines.append("user.").append(i).append('\n');
      }
      Files.writeString(uids, lines);
      LdapTool user =
          LdapTool.at(balancer.url()).boundAs(userDn(1), USER_PASSWORD).withTimeout(TOOL_DEADLINE);

      slapds.server(0).pause();

      LdapTool.Result run =
          searchPastATimedOutBind(
              user, "-c", "-f", uids.toString(), "-b", PEOPLE_DN, "(uid=%s)", "uid");
      List<Integer> results = resultCodes(run);
      assertThat(results).as("%s", run).hasSize(SEARCHES).containsOnly(0, 3);
      assertThat(results.stream().filter(r -> r == 3).count())
          .as("every other search went to the paused server:\n%s", run)
          .isEqualTo(SEARCHES / 2);
      assertThat(run.stdout())
          .contains(
              "result: 3 Time limit exceeded\ntext: upstream did not respond in time");
      long answered = run.stdout().lines().filter(l -> l.startsWith("dn: uid=user.")).count();
      assertThat(answered).as("%s", run).isEqualTo(SEARCHES / 2);

      slapds.server(0).resume();
      LdapTool.Result after =
          user.search("-c", "-f", uids.toString(), "-b", PEOPLE_DN, "(uid=%s)", "uid");
      assertThat(after.succeeded()).as("%s", after).isTrue();
      assertThat(resultCodes(after)).as("%s", after).hasSize(SEARCHES).containsOnly(0);
      assertThat(after.stdout().lines().filter(l -> l.startsWith("dn: uid=user.")))
          .as("%s", after)
          .hasSize(SEARCHES);
    }
  }

  @Test
  void aServerPausedWhenTheBalancerStartsJoinsOnceItAnswers() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, SEARCHES)) {
      slapds.server(0).pause();
      try (RunningBalancer balancer = slapds.balancer(OPERATION_TIMEOUT).ioThreads(1).start()) {
        balancer.awaitReady(slapds.server(1).url());
        Path uids = Files.createTempFile(dir, "uids-", ".txt");
        Files.writeString(uids, "user.1\n".repeat(SEARCHES));
        LdapTool user =
            LdapTool.at(balancer.url())
                .boundAs(userDn(1), USER_PASSWORD)
                .withTimeout(TOOL_DEADLINE);
        String[] search = {"-c", "-f", uids.toString(), "-b", PEOPLE_DN, "(uid=%s)", "entryUUID"};

        // Its regular connections never finish their bindconf bind, so no search goes there.
        LdapTool.Result meanwhile = searchPastATimedOutBind(user, search);
        assertThat(meanwhile.succeeded()).as("%s", meanwhile).isTrue();
        assertThat(entryUuids(meanwhile)).as("%s", meanwhile).hasSize(1);
        assertThat(balancer.balancer().readyConnections().getOrDefault(slapds.server(0).url(), 0))
            .isZero();

        slapds.server(0).resume();
        balancer.awaitReady(slapds.urls());
        LdapTool.Result after = user.search(search);
        assertThat(after.succeeded()).as("%s", after).isTrue();
        assertThat(resultCodes(after)).hasSize(SEARCHES).containsOnly(0);
        assertThat(entryUuids(after)).as("both servers answer:\n%s", after).hasSize(2);
      }
    }
  }

  /**
   * Runs {@code ldapsearch args} once or, if its bind went to the paused server and timed out,
   * twice: the bind selection's round robin then sends the next bind to the other server.
   */
  private static LdapTool.Result searchPastATimedOutBind(LdapTool tool, String... args) {
    LdapTool.Result run = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      long start = System.nanoTime();
      run = tool.search(args);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(run.timedOut()).as("%s", run).isFalse();
      if (!run.stderr().startsWith("ldap_bind")) {
        return run;
      }
      assertThat(run.exitCode()).as("%s", run).isEqualTo(11);
      assertThat(run.stderr()).contains("Administrative limit exceeded (11)");
      assertThat(took).isGreaterThanOrEqualTo(OPERATION_TIMEOUT);
    }
    return run;
  }

  private static Set<String> entryUuids(LdapTool.Result run) {
    return run.stdout()
        .lines()
        .filter(l -> l.startsWith("entryUUID: "))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The result code of each search, in order, from {@code ldapsearch}'s "result:" lines. */
  private static List<Integer> resultCodes(LdapTool.Result run) {
    List<Integer> codes = new ArrayList<>();
    run.stdout()
        .lines()
        .filter(l -> l.startsWith("result: "))
        .forEach(l -> codes.add(Integer.parseInt(l.split(" ")[1])));
    return codes;
  }
}
