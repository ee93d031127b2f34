package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.DirectoryData.ADMIN_DN;
import static org.ldapbalancer.testing.DirectoryData.ADMIN_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.ComparableResult;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * {@code ldapadd}, {@code ldapmodify}, {@code ldapdelete}, {@code ldapmodrdn} and {@code
 * ldappasswd} through the balancer print what they print against a server directly, and a write
 * that succeeds lands on exactly one server.
 *
 * <p>The servers do not replicate, so every step here touches its own entry: whichever server the
 * balancer picks still holds the data all servers started with, and the same step run against a
 * separate reference server (same data, not behind the balancer) must give the same result.
 */
final class WriteToolsThroughBalancerMatchDirectIT {

  private static final int USERS = 20;
  private static final String NEW_ENTRY = "uid=new.%d," + PEOPLE_DN;

  /** Servers 0 and 1 are behind the balancer; server 2 is the reference, used directly. */
  private static SlapdGroup slapds;

  private static RunningBalancer balancer;

  @BeforeAll
  static void start() throws Exception {
    slapds = SlapdGroup.start(3, USERS);
    balancer =
        RunningBalancer.builder()
            .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
            .server(slapds.server(0).url(), 2, 1)
            .server(slapds.server(1).url(), 2, 1)
            .start();
    balancer.awaitReady(slapds.server(0).url(), slapds.server(1).url());
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
  void addCreatesTheEntryOnOneServer() {
    String dn = String.format(NEW_ENTRY, 1);
    ComparableResult result = assertSameAsDirect(admin(), tool -> tool.add(newEntry(dn)));
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEqualTo("adding new entry \"" + dn + "\"");
    assertThat(backendsWhere(server -> exists(server, dn))).isEqualTo(1);
  }

  @Test
  void addOfAnExistingEntryIsAlreadyExists() {
    ComparableResult result = assertSameAsDirect(admin(), tool -> tool.add(newEntry(userDn(1))));
    assertThat(result.exitCode()).isEqualTo(68);
    assertThat(result.stderr()).contains("Already exists (68)");
  }

  @Test
  void anonymousMayNotAdd() {
    ComparableResult result =
        assertSameAsDirect(
            LdapTool::anonymous, tool -> tool.add(newEntry(String.format(NEW_ENTRY, 2))));
    assertThat(result.exitCode()).isNotZero();
    assertThat(backendsWhere(server -> exists(server, String.format(NEW_ENTRY, 2)))).isZero();
  }

  @Test
  void userModifiesOwnEntryButNotAnother() {
    String own =
        "dn: " + userDn(5) + "\nchangetype: modify\nreplace: mail\nmail: five@example.com\n";
    ComparableResult ownResult = assertSameAsDirect(user(5), tool -> tool.modify(own));
    assertThat(ownResult.exitCode()).isZero();
    assertThat(ownResult.stdout()).isEqualTo("modifying entry \"" + userDn(5) + "\"");
    assertThat(backendsWhere(server -> attribute(server, userDn(5), "mail").contains("five@")))
        .isEqualTo(1);

    String other = "dn: " + userDn(6) + "\nchangetype: modify\nreplace: cn\ncn: Mine\n";
    ComparableResult otherResult = assertSameAsDirect(user(5), tool -> tool.modify(other));
    assertThat(otherResult.exitCode()).isEqualTo(50);
    assertThat(otherResult.stderr()).contains("Insufficient access (50)");
  }

  @Test
  void modifyOfMissingEntryIsNoSuchObject() {
    String ldif = "dn: uid=nobody," + PEOPLE_DN + "\nchangetype: modify\nreplace: cn\ncn: Nobody\n";
    assertThat(assertSameAsDirect(admin(), tool -> tool.modify(ldif)).exitCode()).isEqualTo(32);
  }

  @Test
  void deleteWithinTheAcls() {
    ComparableResult denied = assertSameAsDirect(user(7), tool -> tool.delete(userDn(8)));
    assertThat(denied.exitCode()).isEqualTo(50);
    assertThat(backendsWhere(server -> exists(server, userDn(8)))).isEqualTo(2);

    ComparableResult deleted = assertSameAsDirect(admin(), tool -> tool.delete(userDn(9)));
    assertThat(deleted.exitCode()).isZero();
    assertThat(backendsWhere(server -> exists(server, userDn(9)))).isEqualTo(1);

    ComparableResult missing =
        assertSameAsDirect(admin(), tool -> tool.delete("uid=nobody," + PEOPLE_DN));
    assertThat(missing.exitCode()).isEqualTo(32);
    assertThat(missing.stderr()).contains("No such object (32)");
  }

  @Test
  void modrdnWithinTheAcls() {
    ComparableResult denied =
        assertSameAsDirect(user(10), tool -> tool.modrdn("-r", userDn(11), "uid=renamed.11"));
    assertThat(denied.exitCode()).isEqualTo(50);

    ComparableResult renamed =
        assertSameAsDirect(admin(), tool -> tool.modrdn("-r", userDn(12), "uid=renamed.12"));
    assertThat(renamed.exitCode()).isZero();
    assertThat(backendsWhere(server -> exists(server, "uid=renamed.12," + PEOPLE_DN))).isEqualTo(1);
    assertThat(backendsWhere(server -> exists(server, userDn(12)))).isEqualTo(1);
  }

  @Test
  void userChangesOwnPassword() {
    ComparableResult result = assertSameAsDirect(user(13), tool -> tool.passwd("-s", "changed"));
    assertThat(result.exitCode()).isZero();
    assertThat(backendsWhere(server -> accepts(server, userDn(13), "changed"))).isEqualTo(1);
  }

  @Test
  void passwordChangeWithWrongOldPasswordIsRefused() {
    ComparableResult result =
        assertSameAsDirect(user(14), tool -> tool.passwd("-a", "wrong", "-s", "changed"));
    assertThat(result.exitCode()).isNotZero();
    assertThat(backendsWhere(server -> accepts(server, userDn(14), USER_PASSWORD))).isEqualTo(2);
  }

  @Test
  void adminSetsAnotherUsersPasswordButUsersMayNot() {
    ComparableResult denied =
        assertSameAsDirect(user(15), tool -> tool.passwd("-s", "mine", userDn(16)));
    // ldappasswd exits 1 on a refused request; the result is in what it prints.
    assertThat(denied.exitCode()).isEqualTo(1);
    assertThat(denied.stdout() + denied.stderr()).as("%s", denied).contains("(50)");
    assertThat(backendsWhere(server -> accepts(server, userDn(16), USER_PASSWORD))).isEqualTo(2);

    ComparableResult set =
        assertSameAsDirect(admin(), tool -> tool.passwd("-s", "reset", userDn(17)));
    assertThat(set.exitCode()).isZero();
    assertThat(backendsWhere(server -> accepts(server, userDn(17), "reset"))).isEqualTo(1);
  }

  private static Function<LdapTool, LdapTool> admin() {
    return tool -> tool.boundAs(ADMIN_DN, ADMIN_PASSWORD);
  }

  private static Function<LdapTool, LdapTool> user(int i) {
    return tool -> tool.boundAs(userDn(i), USER_PASSWORD);
  }

  private static String newEntry(String dn) {
    String uid = dn.substring("uid=".length(), dn.indexOf(','));
    return "dn: "
        + dn
        + "\nobjectClass: inetOrgPerson\nuid: "
        + uid
        + "\ncn: "
        + uid
        + "\nsn: New\n";
  }

  /**
   * Runs {@code run} with the tool {@code as} makes, once through the balancer and once against the
   * reference server, and asserts that the two results are the same.
   */
  private static ComparableResult assertSameAsDirect(
      Function<LdapTool, LdapTool> as, Function<LdapTool, LdapTool.Result> run) {
    LdapTool.Result balanced = run.apply(as.apply(LdapTool.at(balancer.url())));
    LdapTool.Result direct = run.apply(as.apply(LdapTool.at(slapds.server(2).url())));
    assertThat(ComparableResult.of(balanced))
        .as("through the balancer:\n%s\ndirectly:\n%s", balanced, direct)
        .isEqualTo(ComparableResult.of(direct));
    return ComparableResult.of(balanced);
  }

  /** How many of the servers behind the balancer {@code test} holds for. */
  private static long backendsWhere(Predicate<SlapdServer> test) {
    return List.of(slapds.server(0), slapds.server(1)).stream().filter(test).count();
  }

  private static boolean exists(SlapdServer server, String dn) {
    LdapTool.Result result =
        LdapTool.at(server.url())
            .boundAs(ADMIN_DN, ADMIN_PASSWORD)
            .search("-LLL", "-b", dn, "-s", "base", "1.1");
    if (result.exitCode() != 0 && result.exitCode() != 32) {
      throw new AssertionError("cannot tell whether " + dn + " exists:\n" + result);
    }
    return result.exitCode() == 0;
  }

  private static String attribute(SlapdServer server, String dn, String attribute) {
    LdapTool.Result result =
        LdapTool.at(server.url())
            .boundAs(ADMIN_DN, ADMIN_PASSWORD)
            .search("-LLL", "-b", dn, "-s", "base", attribute);
    assertThat(result.succeeded()).as("%s", result).isTrue();
    return result.stdout();
  }

  private static boolean accepts(SlapdServer server, String dn, String password) {
    return LdapTool.at(server.url()).boundAs(dn, password).whoami().succeeded();
  }
}
