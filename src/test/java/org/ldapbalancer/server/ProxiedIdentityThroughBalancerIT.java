package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.telephoneNumber;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * A client's identity reaches the servers through the Proxied Authorization control the balancer
 * adds (RFC 4370): its operations run as the user who bound, on the balancer's shared connections,
 * and the servers' access rules apply to that user.
 *
 * <p>Each server's entries have their own {@code entryUUID}s, so reading one back tells which
 * server answered: the searches here are seen to reach all three.
 */
final class ProxiedIdentityThroughBalancerIT {

  private static final int SERVERS = 3;

  /** Searches per tool run, on one connection: round robin gives each server several. */
  private static final int SEARCHES = 3 * SERVERS;

  private static SlapdGroup slapds;
  private static RunningBalancer balancer;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    slapds = SlapdGroup.start(SERVERS, 5);
    balancer = slapds.balancer(Duration.ZERO).start();
    balancer.awaitReady(slapds.urls());
  }

  @AfterAll
  static void stop() {
    try {
      if (balancer != null) {
        balancer.close();
      }
    } finally {
      if (slapds != null) {
        slapds.close();
      }
    }
  }

  @Test
  void whoAmIPrintsTheBoundUsersDn() {
    for (int i = 0; i < SERVERS; i++) {
      LdapTool.Result result =
          LdapTool.at(balancer.url()).boundAs(userDn(1), USER_PASSWORD).whoami();
      assertThat(result.succeeded()).as("%s", result).isTrue();
      assertThat(result.stdout().trim()).isEqualTo("dn:" + userDn(1));
    }
  }

  @Test
  void anotherUserCannotReadTheTelephoneNumberOnAnyServer() throws IOException {
    List<Answer> answers =
        searchUser1Repeatedly(LdapTool.at(balancer.url()).boundAs(userDn(2), USER_PASSWORD));
    assertThat(answers).hasSize(SEARCHES).allSatisfy(a -> assertThat(a.telephone()).isNull());
    assertThat(servers(answers)).hasSize(SERVERS);
  }

  @Test
  void theOwnerReadsItsTelephoneNumberOnEveryServer() throws IOException {
    List<Answer> answers =
        searchUser1Repeatedly(LdapTool.at(balancer.url()).boundAs(userDn(1), USER_PASSWORD));
    assertThat(answers)
        .hasSize(SEARCHES)
        .allSatisfy(a -> assertThat(a.telephone()).isEqualTo(telephoneNumber(1)));
    assertThat(servers(answers)).hasSize(SERVERS);
  }

  @Test
  void anonymousClientsStayAnonymous() throws IOException {
    LdapTool.Result whoami = LdapTool.at(balancer.url()).whoami();
    assertThat(whoami.stdout().trim()).as("%s", whoami).isEqualTo("anonymous");
    List<Answer> answers = searchUser1Repeatedly(LdapTool.at(balancer.url()));
    assertThat(answers).hasSize(SEARCHES).allSatisfy(a -> assertThat(a.telephone()).isNull());
  }

  /** The telephone number one search showed (null if none) and the entryUUID it came with. */
  private record Answer(String entryUuid, String telephone) {}

  /**
   * {@link #SEARCHES} base searches for user.1 on one connection ({@code ldapsearch -f}: one search
   * per line of the file).
   */
  private static List<Answer> searchUser1Repeatedly(LdapTool tool) throws IOException {
    Path lines = Files.createTempFile(dir, "uids-", ".txt");
    Files.writeString(lines, "user.1\n".repeat(SEARCHES));
    LdapTool.Result result =
        tool.search(
            "-LLL",
            "-f",
            lines.toString(),
            "-b",
            PEOPLE_DN,
            "(uid=%s)",
            "entryUUID",
            "telephoneNumber");
    assertThat(result.succeeded()).as("%s", result).isTrue();
    List<Answer> answers = new ArrayList<>();
    for (String entry : result.stdout().split("\n\n")) {
      if (entry.isBlank()) {
        continue;
      }
      answers.add(new Answer(value(entry, "entryUUID"), value(entry, "telephoneNumber")));
    }
    return answers;
  }

  private static Set<String> servers(List<Answer> answers) {
    Set<String> uuids = new TreeSet<>();
    answers.forEach(a -> uuids.add(a.entryUuid()));
    return uuids;
  }

  private static String value(String entry, String attribute) {
    return entry
        .lines()
        .filter(l -> l.startsWith(attribute + ": "))
        .map(l -> l.substring(attribute.length() + 2))
        .findFirst()
        .orElse(null);
  }
}
