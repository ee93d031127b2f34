package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * Servers the balancer cannot use are passed over while the others serve: one that refuses the
 * {@code bindconf} credentials (its data lack the balancer account), one where nothing listens, and
 * one whose host name does not resolve. Every search through the balancer succeeds.
 */
final class UnusableServersAreSkippedIT {

  private static final int SEARCHES = 30;

  @TempDir Path dir;

  @Test
  void searchesSucceedWhileBadServersAreSkipped() throws IOException {
    String down = "ldap://127.0.0.1:" + closedPort();
    String unresolvable = "ldap://no-such-host.invalid:389";
    try (SlapdGroup slapds =
            SlapdGroup.start(
                List.of(
                    SlapdServer.builder().users(SEARCHES),
                    SlapdServer.builder().users(SEARCHES),
                    SlapdServer.builder().users(SEARCHES).withoutBalancerAccount()));
        RunningBalancer balancer =
            RunningBalancer.builder()
                .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
                // The bad ones first and in between, so round robin keeps meeting them.
                .server(slapds.server(2).url(), 2, 1)
                .server(down, 2, 1)
                .server(slapds.server(0).url(), 2, 1)
                .server(unresolvable, 2, 1)
                .server(slapds.server(1).url(), 2, 1)
                .start()) {
      String refusing = slapds.server(2).url();
      balancer.awaitReady(slapds.server(0).url(), slapds.server(1).url());

      Path uids = Files.createTempFile(dir, "uids-", ".txt");
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < SEARCHES; i++) {
        lines.append("user.").append(i).append('\n');
      }
      Files.writeString(uids, lines);

      for (LdapTool tool :
          List.of(
              LdapTool.at(balancer.url()),
              LdapTool.at(balancer.url()).boundAs(userDn(3), USER_PASSWORD))) {
        // -c: carry on after a failed search, so that every failure is seen, not just the first.
        LdapTool.Result result =
            tool.search("-c", "-LLL", "-f", uids.toString(), "-b", PEOPLE_DN, "(uid=%s)", "uid");
        assertThat(result.succeeded()).as("%s", result).isTrue();
        assertThat(result.stdout().lines().filter(l -> l.startsWith("dn: ")))
            .as("%s", result)
            .hasSize(SEARCHES);
      }

      Map<String, Integer> ready = balancer.balancer().readyConnections();
      assertThat(ready.getOrDefault(refusing, 0)).as("%s", ready).isZero();
      assertThat(ready.getOrDefault(down, 0)).as("%s", ready).isZero();
      assertThat(ready.getOrDefault(unresolvable, 0)).as("%s", ready).isZero();
      assertThat(ready.get(slapds.server(0).url())).as("%s", ready).isEqualTo(2);
      assertThat(ready.get(slapds.server(1).url())).as("%s", ready).isEqualTo(2);
    }
  }

  @Test
  void withNoUsableServerClientsAreToldUnavailableAtOnce() throws IOException {
    String down = "ldap://127.0.0.1:" + closedPort();
    try (RunningBalancer balancer =
        RunningBalancer.builder()
            .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
            .server(down, 2, 1)
            .server("ldap://no-such-host.invalid:389", 2, 1)
            .start()) {
      LdapTool tool = LdapTool.at(balancer.url()).withTimeout(Duration.ofSeconds(20));
      LdapTool.Result nothing = tool.search("-b", PEOPLE_DN, "(uid=user.1)");
      assertThat(nothing.exitCode()).as("%s", nothing).isEqualTo(52);
      assertThat(nothing.stderr()).contains("Server is unavailable (52)");
    }
  }

  @Test
  void aServerThatRefusesBindconfServesNoOperationsButStillTakesBinds() throws IOException {
    try (SlapdServer refusing = SlapdServer.builder().users(3).withoutBalancerAccount().start();
        RunningBalancer balancer =
            RunningBalancer.builder()
                .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
                .server(refusing.url(), 2, 1)
                .start()) {
      // Client binds need no bindconf: they go on the server's bind connections.
      await("a bind connection to " + refusing.url())
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> balancer.balancer().readyBindConnections().getOrDefault(refusing.url(), 0) > 0);
      LdapTool user =
          LdapTool.at(balancer.url())
              .boundAs(userDn(1), USER_PASSWORD)
              .withTimeout(Duration.ofSeconds(20));
      LdapTool.Result whoami = user.whoami();
      // ldapwhoami exits 1 when the Who Am I? request itself fails; the bind went through.
      assertThat(whoami.exitCode()).as("%s", whoami).isEqualTo(1);
      assertThat(whoami.stdout()).as("%s", whoami).contains("Result: Server is unavailable (52)");
      assertThat(whoami.stderr()).doesNotContain("ldap_bind");
      assertThat(balancer.balancer().readyConnections().getOrDefault(refusing.url(), 0)).isZero();
    }
  }

  /** A loopback port nobody listens on: bound once to find it, then released. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
