package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
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
 * {@code bindconf} credentials (its data lack the balancer account), one where nothing listens,
 * and one whose host name does not resolve. Every search through the balancer succeeds.
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

  /** A loopback port nobody listens on: bound once to find it, then released. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
