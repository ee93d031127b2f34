package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.DirectoryData.ADMIN_DN;
import static org.ldapbalancer.testing.DirectoryData.ADMIN_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.SUFFIX;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.telephoneNumber;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.ComparableResult;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * {@code ldapsearch}, {@code ldapcompare} and {@code ldapwhoami} through the balancer (three slapd
 * servers with the same data, proxied authorization on) print exactly what they print against one
 * of those servers directly: same exit code, same entries, same result texts, whoever the client is
 * bound as. The tools' own binds go through the balancer's bind connections; their operations run
 * on its shared connections as the proxied identity.
 */
final class ReadToolsThroughBalancerMatchDirectIT {

  private static final int USERS = 20;

  /** A subordinate referral (RFC 3296): searches see a continuation reference or a referral. */
  private static final String REFERRAL_DN = "ou=elsewhere," + SUFFIX;

  private static final String REFERRAL =
      "dn: "
          + REFERRAL_DN
          + "\n"
          + "objectClass: referral\n"
          + "objectClass: extensibleObject\n"
          + "ou: elsewhere\n"
          + "ref: ldap://other.example.com/"
          + REFERRAL_DN
          + "\n";

  private static SlapdGroup slapds;
  private static RunningBalancer balancer;

  @BeforeAll
  static void start() throws Exception {
    List<SlapdServer.Builder> builders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      builders.add(SlapdServer.builder().users(USERS).extraLdif(REFERRAL));
    }
    slapds = SlapdGroup.start(builders);
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
  void anonymousSubtreeSearch() {
    ComparableResult result =
        assertSameThroughBalancer(
            LdapTool::anonymous,
            tool -> tool.search("-b", PEOPLE_DN, "(uid=user.*)", "cn", "mail", "telephoneNumber"));
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout())
        .contains("# numEntries: " + USERS)
        .doesNotContain("telephoneNumber:");
  }

  @Test
  void adminSeesEveryTelephoneNumber() {
    ComparableResult result =
        assertSameThroughBalancer(
            tool -> tool.boundAs(ADMIN_DN, ADMIN_PASSWORD),
            tool -> tool.search("-LLL", "-b", PEOPLE_DN, "(objectClass=inetOrgPerson)", "*"));
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).contains("telephoneNumber: " + telephoneNumber(USERS - 1));
  }

  @Test
  void userSeesOnlyWhatTheAclsGiveIt() {
    ComparableResult other =
        assertSameThroughBalancer(
            tool -> tool.boundAs(userDn(2), USER_PASSWORD),
            tool -> tool.search("-LLL", "-b", userDn(1), "-s", "base", "cn", "telephoneNumber"));
    assertThat(other.stdout()).contains("cn: User 1").doesNotContain("telephoneNumber");

    ComparableResult own =
        assertSameThroughBalancer(
            tool -> tool.boundAs(userDn(2), USER_PASSWORD),
            tool -> tool.search("-LLL", "-b", userDn(2), "-s", "base", "telephoneNumber"));
    assertThat(own.stdout()).contains("telephoneNumber: " + telephoneNumber(2));
  }

  @Test
  void searchBelowMissingEntryIsNoSuchObject() {
    ComparableResult result =
        assertSameThroughBalancer(
            LdapTool::anonymous, tool -> tool.search("-b", "ou=nowhere," + SUFFIX, "(cn=*)"));
    assertThat(result.exitCode()).isEqualTo(32);
    assertThat(result.stdout()).contains("matchedDN: " + SUFFIX);
  }

  @Test
  void sizeLimitEndsTheSearchWithSizeLimitExceeded() {
    ComparableResult result =
        assertSameThroughBalancer(
            LdapTool::anonymous, tool -> tool.search("-z", "5", "-b", PEOPLE_DN, "(uid=*)", "uid"));
    assertThat(result.exitCode()).isEqualTo(4);
    assertThat(result.stdout()).contains("# numEntries: 5");
  }

  @Test
  void rootDse() {
    ComparableResult result =
        assertSameThroughBalancer(
            LdapTool::anonymous,
            tool ->
                tool.search(
                    "-LLL", "-b", "", "-s", "base", "namingContexts", "supportedLDAPVersion"));
    assertThat(result.stdout()).contains("namingContexts: " + SUFFIX);
  }

  @Test
  void compareAnswersTrueFalseAndHidesWhatAclsHide() {
    Function<LdapTool, LdapTool> user2 = tool -> tool.boundAs(userDn(2), USER_PASSWORD);
    assertThat(assertSameThroughBalancer(user2, t -> t.compare(userDn(1), "cn:User 1")).exitCode())
        .isEqualTo(6);
    assertThat(assertSameThroughBalancer(user2, t -> t.compare(userDn(1), "cn:Nobody")).exitCode())
        .isEqualTo(5);
    assertThat(
            assertSameThroughBalancer(
                    user2, t -> t.compare(userDn(1), "telephoneNumber:" + telephoneNumber(1)))
                .exitCode())
        .isNotIn(5, 6);
    assertThat(
            assertSameThroughBalancer(
                    user2, t -> t.compare(userDn(2), "telephoneNumber:" + telephoneNumber(2)))
                .exitCode())
        .isEqualTo(6);
    assertThat(
            assertSameThroughBalancer(user2, t -> t.compare("uid=nobody," + PEOPLE_DN, "cn:x"))
                .exitCode())
        .isEqualTo(32);
  }

  @Test
  void whoAmIForEveryKindOfClient() {
    assertThat(assertSameThroughBalancer(LdapTool::anonymous, LdapTool::whoami).stdout())
        .isEqualTo("anonymous");
    assertThat(
            assertSameThroughBalancer(t -> t.boundAs(userDn(3), USER_PASSWORD), LdapTool::whoami)
                .stdout())
        .isEqualTo("dn:" + userDn(3));
    assertThat(
            assertSameThroughBalancer(t -> t.boundAs(ADMIN_DN, ADMIN_PASSWORD), LdapTool::whoami)
                .stdout())
        .isEqualTo("dn:" + ADMIN_DN);
  }

  @Test
  void clientControlsTravelAlongsideTheBalancersOwn() {
    Function<LdapTool, LdapTool> user2 = tool -> tool.boundAs(userDn(2), USER_PASSWORD);
    // The assertion control (RFC 4528): the operation runs only if the filter holds.
    ComparableResult holds =
        assertSameThroughBalancer(
            user2, t -> t.search("-e", "!assert=(cn=User 1)", "-b", userDn(1), "-s", "base", "cn"));
    assertThat(holds.exitCode()).isZero();
    assertThat(holds.stdout()).contains("cn: User 1");
    ComparableResult fails =
        assertSameThroughBalancer(
            user2, t -> t.search("-e", "!assert=(cn=Other)", "-b", userDn(1), "-s", "base", "cn"));
    assertThat(fails.exitCode()).isEqualTo(122);
    assertThat(
            assertSameThroughBalancer(
                    user2, t -> t.compare("-e", "!assert=(sn=1)", userDn(1), "cn:User 1"))
                .exitCode())
        .isEqualTo(6);
    assertThat(
            assertSameThroughBalancer(
                    user2, t -> t.compare("-e", "!assert=(sn=2)", userDn(1), "cn:User 1"))
                .exitCode())
        .isEqualTo(122);
    // Two client controls, one of them critical manageDSAit.
    ComparableResult two =
        assertSameThroughBalancer(
            user2,
            t ->
                t.search(
                    "-MM", "-e", "assert=(ou=people)", "-b", PEOPLE_DN, "(uid=user.1*)", "uid"));
    assertThat(two.exitCode()).isZero();
    assertThat(two.stdout()).contains("dn: " + userDn(10));
  }

  @Test
  void referralsAndContinuationReferencesPassThrough() {
    ComparableResult continuation =
        assertSameThroughBalancer(
            LdapTool::anonymous, tool -> tool.search("-b", SUFFIX, "(ou=*)", "ou"));
    assertThat(continuation.exitCode()).isZero();
    assertThat(continuation.stdout())
        .contains("ref: ldap://other.example.com/" + REFERRAL_DN)
        .contains("# numReferences: 1");

    ComparableResult referral =
        assertSameThroughBalancer(
            LdapTool::anonymous,
            tool -> tool.search("-b", "cn=below," + REFERRAL_DN, "-s", "base", "(cn=*)"));
    assertThat(referral.exitCode()).isEqualTo(10);
    assertThat(referral.stdout()).contains("ref: ldap://other.example.com/");

    ComparableResult managed =
        assertSameThroughBalancer(
            LdapTool::anonymous,
            tool -> tool.search("-M", "-LLL", "-b", REFERRAL_DN, "-s", "base", "ref"));
    assertThat(managed.exitCode()).isZero();
    assertThat(managed.stdout()).contains("dn: " + REFERRAL_DN);
  }

  @Test
  void wrongPasswordIsInvalidCredentials() {
    ComparableResult result =
        assertSameThroughBalancer(t -> t.boundAs(userDn(3), "wrong"), LdapTool::whoami);
    assertThat(result.exitCode()).isEqualTo(49);
    assertThat(result.stderr()).contains("Invalid credentials (49)");
  }

  /**
   * Runs {@code run} with the tool {@code as} makes, once against the first server directly and
   * once through the balancer, and asserts that the two results are the same.
   */
  private static ComparableResult assertSameThroughBalancer(
      Function<LdapTool, LdapTool> as, Function<LdapTool, LdapTool.Result> run) {
    LdapTool.Result direct = run.apply(as.apply(LdapTool.at(slapds.server(0).url())));
    LdapTool.Result balanced = run.apply(as.apply(LdapTool.at(balancer.url())));
    assertThat(ComparableResult.of(balanced))
        .as("through the balancer:\n%s\ndirectly:\n%s", balanced, direct)
        .isEqualTo(ComparableResult.of(direct));
    return ComparableResult.of(balanced);
  }
}
