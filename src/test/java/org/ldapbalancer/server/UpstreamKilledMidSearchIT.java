package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;
import org.ldapbalancer.testing.SocketQueues;

/**
 * A server killed (SIGKILL) while it holds a client's search: the client gets {@code other (80)}
 * for that search, not silence, and its next operation on the same connection succeeds on another
 * server. Once the server is back the balancer uses it again.
 *
 * <p>The servers are paused before the tool starts, so that the request is certainly in flight at
 * one of them when that one dies; which one holds it is read from the kernel's receive queues
 * ({@link SocketQueues}), not guessed from the selection policy.
 */
final class UpstreamKilledMidSearchIT {

  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void killedServersSearchGetsOtherAndTheNextSearchSucceeds() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 5);
        RunningBalancer balancer = slapds.balancer(Duration.ZERO).start()) {
      balancer.awaitReady(slapds.urls());
      Path uids = Files.createTempFile(dir, "uids-", ".txt");
      Files.writeString(uids, "user.1\nuser.2\nuser.3\n");
      LdapTool tool =
          LdapTool.at(balancer.url()).boundAs(userDn(4), USER_PASSWORD).withTimeout(DEADLINE);

      slapds.servers().forEach(SlapdServer::pause);
      // -c: go on with the next search after one fails.
      CompletableFuture<LdapTool.Result> run =
          Background.supply(
              () -> tool.search("-c", "-f", uids.toString(), "-b", PEOPLE_DN, "(uid=%s)", "uid"));
      // The tool binds first: let the server that got the bind go on; the other stays paused
      // until the round robin sends it one of the searches, and dies holding it.
      SlapdServer binder = awaitRequestAtOneOf(slapds.servers());
      SlapdServer victim = binder == slapds.server(0) ? slapds.server(1) : slapds.server(0);
      binder.resume();
      assertThat(awaitRequestAtOneOf(List.of(victim))).isSameAs(victim);
      victim.kill();

      LdapTool.Result result = run.get(DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
      assertThat(result.timedOut()).as("%s", result).isFalse();
      List<String> searches = List.of(result.stdout().split("# search result"));
      assertThat(searches).as("%s", result).hasSize(4);
      int lost = -1;
      for (int i = 1; i <= 3; i++) {
        String search = searches.get(i);
        if (search.contains("result: 80 ")) {
          assertThat(lost).as("only one search is lost:\n%s", result).isEqualTo(-1);
          lost = i;
          assertThat(search)
              .as("%s", result)
              .contains("result: 80 Other (e.g., implementation specific) error")
              .contains("text: connection to the remote server has been severed");
        } else {
          assertThat(search).as("%s", result).contains("result: 0 Success");
        }
      }
      // Round robin over two servers gives the victim the first or second search.
      assertThat(lost).as("%s", result).isBetween(1, 2);
      assertThat(searches.get(lost - 1)).doesNotContain("dn: " + userDn(lost));
      assertThat(result.stdout()).contains("dn: " + userDn(3));

      victim.restart();
      balancer.awaitReady(slapds.urls());
      for (int i = 0; i < 2; i++) {
        LdapTool.Result after = tool.search("-LLL", "-b", userDn(i), "-s", "base", "uid");
        assertThat(after.succeeded()).as("%s", after).isTrue();
        assertThat(after.stdout()).contains("dn: " + userDn(i));
      }
    }
  }

  @Test
  void killedServersBindGetsOtherAndTheNextBindSucceeds() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 5);
        RunningBalancer balancer = slapds.balancer(Duration.ZERO).start()) {
      balancer.awaitReady(slapds.urls());
      LdapTool user =
          LdapTool.at(balancer.url()).boundAs(userDn(3), USER_PASSWORD).withTimeout(DEADLINE);

      slapds.servers().forEach(SlapdServer::pause);
      CompletableFuture<LdapTool.Result> whoami = Background.supply(user::whoami);
      SlapdServer victim = awaitRequestAtOneOf(slapds.servers());
      victim.kill();
      slapds.servers().stream().filter(s -> s != victim).forEach(SlapdServer::resume);

      LdapTool.Result lost = whoami.get(DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
      assertThat(lost.exitCode()).as("%s", lost).isEqualTo(80);
      assertThat(lost.stderr())
          .contains("ldap_bind: Other (e.g., implementation specific) error (80)")
          .contains("connection to the remote server has been severed");

      LdapTool.Result next = user.whoami();
      assertThat(next.succeeded()).as("%s", next).isTrue();
      assertThat(next.stdout().trim()).isEqualTo("dn:" + userDn(3));
    }
  }

  /**
   * Waits until a request sent through the balancer sits unread at one of {@code paused}.
   *
   * @return that server
   */
  private static SlapdServer awaitRequestAtOneOf(List<SlapdServer> paused) {
    AtomicReference<SlapdServer> holder = new AtomicReference<>();
    await("a request waiting at a paused server")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              for (SlapdServer server : paused) {
                if (SocketQueues.unreadBytes(server.port()) > 0) {
                  holder.set(server);
                  return true;
                }
              }
              return false;
            });
    return holder.get();
  }
}
