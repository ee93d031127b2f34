package org.ldapbalancer.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ldapbalancer.testing.DirectoryData.ADMIN_DN;
import static org.ldapbalancer.testing.DirectoryData.ADMIN_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.BALANCER_DN;
import static org.ldapbalancer.testing.DirectoryData.BALANCER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.SUFFIX;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.telephoneNumber;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proves the {@link SlapdServer} fixture and {@link LdapTool} against Debian's slapd. */
final class SlapdServerIT {

  private static final int USERS = 20;

  /** Read-only checks share one instance; tests that kill or pause start their own. */
  private static SlapdServer shared;

  @BeforeAll
  static void startShared() {
    shared = SlapdServer.builder().users(USERS).start();
  }

  @AfterAll
  static void closeShared() {
    if (shared != null) {
      shared.close();
    }
  }

  @Test
  void twoInstancesStartAtOnceOnDifferentPorts() throws Exception {
    CompletableFuture<SlapdServer> first = CompletableFuture.supplyAsync(SlapdServer::start);
    CompletableFuture<SlapdServer> second = CompletableFuture.supplyAsync(SlapdServer::start);
    try (SlapdServer a = first.get(); SlapdServer b = second.get()) {
      assertThat(a.port()).isNotEqualTo(b.port());
      assertThat(a.url()).isEqualTo("ldap://127.0.0.1:" + a.port());
      for (SlapdServer server : new SlapdServer[] {a, b}) {
        LdapTool.Result result =
            LdapTool.at(server.url()).search("-LLL", "-b", PEOPLE_DN, "(uid=user.99)", "uid");
        assertThat(result.succeeded()).as("%s", result).isTrue();
        assertThat(result.stdout()).contains("dn: " + userDn(99));
      }
    }
  }

  @Test
  void anonymousSearchFindsUserButNotPasswordOrTelephone() {
    LdapTool.Result result =
        LdapTool.at(shared.url()).search("-LLL", "-b", SUFFIX, "(uid=user.1)");
    assertThat(result.succeeded()).as("%s", result).isTrue();
    assertThat(result.stdout())
        .contains("dn: " + userDn(1), "cn: User 1", "mail: user.1@example.com")
        .doesNotContain("userPassword", "telephoneNumber");
  }

  @Test
  void userBindsAndWhoAmIShowsItsDn() {
    LdapTool.Result result =
        LdapTool.at(shared.url()).boundAs(userDn(1), USER_PASSWORD).whoami();
    assertThat(result.succeeded()).as("%s", result).isTrue();
    assertThat(result.stdout().trim()).isEqualTo("dn:" + userDn(1));
    assertThat(userDn(1)).isEqualTo("uid=user.1,ou=people,dc=example,dc=com");
  }

  @Test
  void wrongPasswordIsInvalidCredentials() {
    LdapTool.Result result = LdapTool.at(shared.url()).boundAs(userDn(1), "wrong").whoami();
    assertThat(result.exitCode()).as("%s", result).isEqualTo(49);
    assertThat(result.stderr()).contains("Invalid credentials");
  }

  @Test
  void userReadsOwnTelephoneNumberButOnlyTheCnOfAnother() {
    LdapTool user2 = LdapTool.at(shared.url()).boundAs(userDn(2), USER_PASSWORD);

    LdapTool.Result other =
        user2.search("-LLL", "-b", userDn(1), "-s", "base", "cn", "telephoneNumber");
    assertThat(other.succeeded()).as("%s", other).isTrue();
    assertThat(other.stdout()).contains("cn: User 1").doesNotContain("telephoneNumber");

    LdapTool.Result own = user2.search("-LLL", "-b", userDn(2), "-s", "base", "telephoneNumber");
    assertThat(own.stdout()).contains("telephoneNumber: " + telephoneNumber(2));
  }

  @Test
  void adminReadsEveryTelephoneNumber() {
    LdapTool.Result result =
        LdapTool.at(shared.url())
            .boundAs(ADMIN_DN, ADMIN_PASSWORD)
            .search("-LLL", "-b", PEOPLE_DN, "(uid=user.*)", "telephoneNumber");
    assertThat(result.succeeded()).as("%s", result).isTrue();
    assertThat(result.stdout().lines().filter(l -> l.startsWith("telephoneNumber:")))
        .hasSize(USERS);
  }

  @Test
  void balancerActsAsUserThroughProxiedAuthorization() {
    LdapTool balancer = LdapTool.at(shared.url()).boundAs(BALANCER_DN, BALANCER_PASSWORD);

    LdapTool.Result whoami = balancer.whoami("-e", "!authzid=dn:" + userDn(1));
    assertThat(whoami.succeeded()).as("%s", whoami).isTrue();
    assertThat(whoami.stdout().trim()).isEqualTo("dn:" + userDn(1));

    // Acting as user.1, the balancer sees what user.1 sees: its own telephone number.
    LdapTool.Result search =
        balancer.search(
            "-LLL", "-e", "!authzid=dn:" + userDn(1), "-b", userDn(1), "-s", "base",
            "telephoneNumber");
    assertThat(search.stdout()).contains("telephoneNumber: " + telephoneNumber(1));

    LdapTool.Result anonymous = balancer.whoami("-e", "!authzid=dn:");
    assertThat(anonymous.stdout().trim()).as("%s", anonymous).isEqualTo("anonymous");
  }

  @Test
  void withoutBalancerAccountTheBalancerCannotBindButUsersCan() {
    try (SlapdServer slapd = SlapdServer.builder().users(3).withoutBalancerAccount().start()) {
      LdapTool.Result balancer =
          LdapTool.at(slapd.url()).boundAs(BALANCER_DN, BALANCER_PASSWORD).whoami();
      assertThat(balancer.exitCode()).as("%s", balancer).isEqualTo(49);
      LdapTool.Result user = LdapTool.at(slapd.url()).boundAs(userDn(2), USER_PASSWORD).whoami();
      assertThat(user.stdout().trim()).as("%s", user).isEqualTo("dn:" + userDn(2));
    }
  }

  @Test
  void ordinaryUserMayNotUseProxiedAuthorization() {
    LdapTool.Result result =
        LdapTool.at(shared.url())
            .boundAs(userDn(2), USER_PASSWORD)
            .whoami("-e", "!authzid=dn:" + userDn(1));
    assertThat(result.succeeded()).as("%s", result).isFalse();
    assertThat(result.stdout()).contains("Proxied Authorization Denied (123)");
  }

  @Test
  void compareSeesOnlyWhatAclsAllow() {
    LdapTool user2 = LdapTool.at(shared.url()).boundAs(userDn(2), USER_PASSWORD);
    assertThat(user2.compare(userDn(1), "cn:User 1").exitCode()).isEqualTo(6); // compareTrue
    assertThat(user2.compare(userDn(1), "cn:Nobody").exitCode()).isEqualTo(5); // compareFalse
    // No access at all to the attribute: slapd hides it behind noSuchObject or insufficient
    // access, never compareTrue.
    assertThat(user2.compare(userDn(1), "telephoneNumber:" + telephoneNumber(1)).exitCode())
        .isNotIn(5, 6);
  }

  @Test
  void writeToolsWorkWithinTheAcls() {
    try (SlapdServer slapd = SlapdServer.builder().users(3).start()) {
      LdapTool admin = LdapTool.at(slapd.url()).boundAs(ADMIN_DN, ADMIN_PASSWORD);
      LdapTool user1 = LdapTool.at(slapd.url()).boundAs(userDn(1), USER_PASSWORD);

      String newDn = "uid=new,ou=people," + SUFFIX;
      LdapTool.Result add =
          admin.add(
              "dn: " + newDn + "\nobjectClass: inetOrgPerson\nuid: new\ncn: New\nsn: New\n"
                  + "userPassword: pw\n");
      assertThat(add.succeeded()).as("%s", add).isTrue();

      LdapTool.Result ownChange =
          user1.modify(
              "dn: " + userDn(1) + "\nchangetype: modify\nreplace: mail\nmail: one@example.com\n");
      assertThat(ownChange.succeeded()).as("%s", ownChange).isTrue();

      LdapTool.Result otherChange =
          user1.modify("dn: " + newDn + "\nchangetype: modify\nreplace: cn\ncn: Mine\n");
      assertThat(otherChange.exitCode()).as("%s", otherChange).isEqualTo(50);

      LdapTool.Result passwd = user1.passwd("-s", "changed");
      assertThat(passwd.succeeded()).as("%s", passwd).isTrue();
      assertThat(LdapTool.at(slapd.url()).boundAs(userDn(1), "changed").whoami().succeeded())
          .isTrue();

      LdapTool.Result rename = admin.modrdn("-r", newDn, "uid=renamed");
      assertThat(rename.succeeded()).as("%s", rename).isTrue();
      LdapTool.Result delete = admin.delete("uid=renamed,ou=people," + SUFFIX);
      assertThat(delete.succeeded()).as("%s", delete).isTrue();
    }
  }

  @Test
  void killedServerRefusesConnectionsAndRestartsOnTheSamePort() {
    try (SlapdServer slapd = SlapdServer.builder().users(3).start()) {
      int port = slapd.port();
      slapd.kill();

      assertThat(slapd.isRunning()).isFalse();
      assertThatThrownBy(() -> connect(port)).isInstanceOf(ConnectException.class);
      LdapTool.Result refused = LdapTool.at(slapd.url()).whoami();
      assertThat(refused.exitCode()).as("%s", refused).isEqualTo(255);

      slapd.restart();
      assertThat(slapd.port()).isEqualTo(port);
      LdapTool.Result back = LdapTool.at(slapd.url()).boundAs(userDn(2), USER_PASSWORD).whoami();
      assertThat(back.stdout().trim()).as("%s", back).isEqualTo("dn:" + userDn(2));
    }
  }

  @Test
  void pausedServerAnswersNothingUntilResumed() {
    try (SlapdServer slapd = SlapdServer.builder().users(3).start()) {
      LdapTool impatient = LdapTool.at(slapd.url()).withTimeout(Duration.ofSeconds(2));

      slapd.pause();
      LdapTool.Result hung = impatient.search("-b", SUFFIX, "-s", "base");
      assertThat(hung.timedOut()).as("%s", hung).isTrue();

      slapd.resume();
      LdapTool.Result answered = impatient.search("-b", SUFFIX, "-s", "base");
      assertThat(answered.succeeded()).as("%s", answered).isTrue();
    }
  }

  @Test
  void stopIsGracefulAndCloseIsIdempotent() {
    SlapdServer slapd = SlapdServer.builder().users(0).start();
    slapd.pause();
    slapd.stop(); // must resume first, or SIGTERM would wait forever
    assertThat(slapd.isRunning()).isFalse();
    slapd.close();
    slapd.close();
  }

  @Test
  void badDataFailsWithSlapaddsOwnMessage() {
    assertThatThrownBy(
            () -> SlapdServer.builder().users(0).extraLdif("dn: cn=x,o=elsewhere\ncn: x\n").start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("slapadd failed")
        .hasMessageContaining("cn=x,o=elsewhere");
  }

  @Test
  void missingProgramIsAnErrorThatSaysWhatToInstall() {
    assertThatThrownBy(() -> Executables.require("no-such-slapd", "slapd"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("slapd not installed")
        .hasMessageContaining("apt-get install slapd ldap-utils");
  }

  private static void connect(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
    }
  }
}
