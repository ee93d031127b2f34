package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.URLEncoder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * An {@code ldapi://} listener (a Unix domain socket) in front of a real slapd: OpenLDAP's tools
 * reach the balancer over it, SASL EXTERNAL gives the process's user and group as slapd would
 * ({@code gidNumber=G+uidNumber=U,cn=peercred,cn=external,cn=auth}) and the root DSE lists
 * EXTERNAL there, a stale socket file is replaced, one in use or a file that is no socket is not,
 * and the file goes at shutdown.
 */
@Timeout(120)
final class LdapiListenerIT {
  @TempDir static Path dir;

  private static SlapdGroup slapds;
  private static RunningBalancer lb;
  private static Path socket;

  @BeforeAll
  static void start() throws Exception {
    slapds = SlapdGroup.start(1, 3);
    socket = dir.resolve("ldapi");
    lb =
        slapds
            .balancer(Duration.ZERO)
            .listen("ldap://127.0.0.1:0", url(socket))
            .start()
            .awaitReady(slapds.urls());
  }

  @AfterAll
  static void stop() {
    try {
      if (lb != null) {
        lb.close();
      }
    } finally {
      if (slapds != null) {
        slapds.close();
      }
    }
  }

  private static String url(Path path) {
    return "ldapi://" + URLEncoder.encode(path.toString(), StandardCharsets.UTF_8);
  }

  @Test
  void toolsSearchOverTheSocket() {
    LdapTool.Result search =
        LdapTool.at(url(socket)).search("-LLL", "-b", DirectoryData.userDn(1), "-s", "base", "uid");
    assertThat(search.succeeded()).as("%s", search).isTrue();
    assertThat(search.stdout()).contains("uid: user.1");
  }

  @Test
  void externalGivesThePeerCredentialsIdentity() throws IOException {
    LdapTool.Result whoami = LdapTool.at(url(socket)).whoami("-Y", "EXTERNAL");
    assertThat(whoami.succeeded()).as("%s", whoami).isTrue();
    assertThat(whoami.stdout().trim())
        .isEqualToIgnoringCase(
            "dn:gidNumber=" + ownId("Gid:") + "+uidNumber=" + ownId("Uid:")
                + ",cn=peercred,cn=external,cn=auth");
  }

  @Test
  void theRootDseListsExternalOverTheSocketOnly() {
    LdapTool.Result overSocket =
        LdapTool.at(url(socket)).search("-LLL", "-b", "", "-s", "base", "supportedSASLMechanisms");
    assertThat(overSocket.succeeded()).as("%s", overSocket).isTrue();
    assertThat(overSocket.stdout()).contains("supportedSASLMechanisms: EXTERNAL");

    LdapTool.Result overTcp =
        LdapTool.at(lb.url()).search("-LLL", "-b", "", "-s", "base", "supportedSASLMechanisms");
    assertThat(overTcp.succeeded()).as("%s", overTcp).isTrue();
    assertThat(overTcp.stdout()).doesNotContain("EXTERNAL");
  }

  @Test
  void aStaleSocketIsReplacedAndTheFileGoesAtShutdown() throws Exception {
    Path stale = dir.resolve("stale");
    try (ServerSocketChannel left = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      left.bind(UnixDomainSocketAddress.of(stale)); // closed below: the file stays, unused
    }
    assertThat(stale).exists();
    try (RunningBalancer second =
        slapds.balancer(Duration.ZERO).listen("ldap://127.0.0.1:0", url(stale)).start()) {
      second.awaitReady(slapds.urls());
      LdapTool.Result search =
          LdapTool.at(url(stale))
              .search("-LLL", "-b", DirectoryData.userDn(2), "-s", "base", "1.1");
      assertThat(search.succeeded()).as("%s", search).isTrue();
    }
    assertThat(stale).doesNotExist();
  }

  @Test
  void aSocketInUseOrAFileThatIsNoSocketIsLeftAlone() throws Exception {
    assertThatThrownBy(
            () -> slapds.balancer(Duration.ZERO).listen("ldap://127.0.0.1:0", url(socket)).start())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("another process listens on " + socket);
    Path plain = Files.writeString(dir.resolve("plain"), "data");
    assertThatThrownBy(
            () -> slapds.balancer(Duration.ZERO).listen("ldap://127.0.0.1:0", url(plain)).start())
        .isInstanceOf(IOException.class)
        .hasMessageContaining(plain + " exists and is not a socket");
    assertThat(plain).hasContent("data");
    assertThat(socket).exists();
  }

  /** This process's real user or group id, from {@code /proc/self/status}. */
  private static String ownId(String field) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
    return lines.stream()
        .filter(l -> l.startsWith(field))
        .map(l -> l.substring(field.length()).trim().split("\\s+")[0])
        .findFirst()
        .orElseThrow();
  }
}
