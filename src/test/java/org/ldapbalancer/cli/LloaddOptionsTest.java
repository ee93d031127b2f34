package org.ldapbalancer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.config.LdapUrl;

/** lloadd(8)'s options beyond -f, -h, -d, -t, -V and -n, as {@code -t} meets them. */
class LloaddOptionsTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int exit = Main.run(args);
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }

  private String config(String... lines) throws Exception {
    return Files.writeString(
            dir.resolve("lloadd.conf"),
            "backend-server uri=ldap://127.0.0.1:3890\n" + String.join("\n", lines) + "\n")
        .toString();
  }

  @Test
  void debugQuestionMarkListsTheLevelsAndExitsZeroWithoutAFile() {
    Run r = run("-d", "?");

    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .startsWith("Installed log subsystems:")
        .containsPattern("\tAny +\\(-1, 0xffffffff\\)")
        .containsPattern("\tStats +\\(256, 0x100\\)")
        .containsPattern("\tNone +\\(32768, 0x8000\\)");
  }

  @Test
  void syslogLevelAndFacilityAreCheckedThenIgnoredWithAWarning() throws Exception {
    Run r = run("-t", "-s", "stats", "-S", "notice", "-l", "local4", "-f", config());

    assertThat(r.exit()).isZero();
    assertThat(r.err())
        .contains("ldap-balancer: -s stats: ignored; nothing is logged to syslog")
        .contains("ldap-balancer: -S notice: ignored; nothing is logged to syslog")
        .contains("ldap-balancer: -l local4: ignored; nothing is logged to syslog");
  }

  @Test
  void badSyslogValuesAreRefusedAsLloaddRefusesThem() throws Exception {
    Run level = run("-t", "-s", "statz", "-f", config());
    Run user = run("-t", "-l", "LOCAL9", "-f", config());
    Run severity = run("-t", "-S", "LOUD", "-f", config());

    assertThat(level.exit()).isEqualTo(1);
    assertThat(level.err()).contains("ldap-balancer: -s: unknown level \"statz\"");
    assertThat(user.exit()).isEqualTo(1);
    assertThat(user.err()).contains("ldap-balancer: -l: unrecognized syslog user \"LOCAL9\"");
    assertThat(severity.exit()).isEqualTo(1);
    assertThat(severity.err()).contains("ldap-balancer: -S: unknown syslog level \"LOUD\"");
  }

  @Test
  void versionTwiceExitsAndOnceWithAFileCarriesOnAsLloadd() throws Exception {
    Run twice = run("-VV", "-t", "-f", config());
    Run once = run("-V", "-t", "-f", config());
    Run unknown = run("-Z");

    assertThat(twice.exit()).isZero();
    assertThat(twice.out()).startsWith("ldap-balancer ").doesNotContain("valid");
    assertThat(once.exit()).isZero();
    assertThat(once.out()).startsWith("ldap-balancer ");
    assertThat(once.out() + once.err()).as("the file checked too").contains("valid");
    assertThat(unknown.exit()).as("lloadd's exit for a bad option").isEqualTo(1);
  }

  @Test
  void slpIsTheOnlyGenericOption() throws Exception {
    Run slp = run("-t", "-o", "slp=off", "-f", config());
    Run other = run("-t", "-o", "foo=bar", "-f", config());

    assertThat(slp.exit()).isZero();
    assertThat(slp.err()).contains("-o slp=off: ignored; SLP registration is not supported");
    assertThat(other.exit()).isEqualTo(1);
    assertThat(other.err()).contains("ldap-balancer: -o: unknown option \"foo\"");
  }

  @Test
  void userGroupAndRootDirectoryAreRefusedWithWhatToUseInstead() throws Exception {
    Run u = run("-t", "-u", "ldap", "-f", config());
    Run g = run("-t", "-g", "ldap", "-f", config());
    Run r = run("-t", "-r", "/var/empty", "-f", config());

    assertThat(u.exit()).isEqualTo(1);
    assertThat(u.err()).contains("-u: the JVM cannot change its user").contains("User=");
    assertThat(g.exit()).isEqualTo(1);
    assertThat(g.err()).contains("-g: the JVM cannot change its user or group").contains("Group=");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("-r: the JVM cannot change its root directory")
        .contains("RootDirectory=");
  }

  @Test
  void ipv4OnlyBindsTheIpv4WildcardAndResolvesNamesToIpv4() throws Exception {
    Run both = run("-t", "-4", "-6", "-f", config());
    assertThat(both.exit()).isEqualTo(1);
    assertThat(both.err()).contains("-4 and -6 exclude each other");

    assertThat(run("-t", "-4", "-h", "ldap:/// ldap://localhost:1389", "-f", config()).exit())
        .isZero();
    assertThat(AddressFamily.IPV4.restrict(LdapUrl.parseListener("ldap:///")))
        .isEqualTo(new LdapUrl("ldap", "0.0.0.0", 389));
    assertThat(AddressFamily.IPV4.restrict(LdapUrl.parseListener("ldap://127.0.0.1:1389")))
        .isEqualTo(new LdapUrl("ldap", "127.0.0.1", 1389));
    assertThat(AddressFamily.IPV4.restrict(LdapUrl.parseListener("ldapi://%2Frun%2Fx")))
        .isEqualTo(LdapUrl.parseListener("ldapi://%2Frun%2Fx"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AddressFamily.IPV4.restrict(LdapUrl.parseListener("ldap://[::1]:1389")))
        .withMessage("-4: ldap://[::1]:1389 has no IPv4 address");
  }

  @Test
  void ipv6OnlyKeepsIpv6AddressesAndWarnsAboutTheDualStackWildcard() throws Exception {
    assertThat(AddressFamily.IPV6.restrict(LdapUrl.parseListener("ldap://[::1]:1389")))
        .isEqualTo(new LdapUrl("ldap", "0:0:0:0:0:0:0:1", 1389));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> AddressFamily.IPV6.restrict(LdapUrl.parseListener("ldap://127.0.0.1")))
        .withMessage("-6: ldap://127.0.0.1:389 has no IPv6 address");

    Run r = run("-t", "-6", "-h", "ldap://:1389", "-f", config());

    assertThat(r.exit()).isZero();
    assertThat(r.err()).contains("-6: ldap://:1389 also accepts IPv4 clients");
    assertThat(AddressFamily.ANY.restrict(LdapUrl.parseListener("ldap://:1389")))
        .isEqualTo(new LdapUrl("ldap", "", 1389));
  }
}
