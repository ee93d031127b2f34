package org.ldapbalancer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive {@code mvn package} makes ({@code LDAP_BALANCER_DIST}): unpacked, it
 * has the layout docs/operations.md describes, its launcher finds the jar beside it and checks
 * the example configuration, and its systemd unit reloads with SIGHUP, stops with SIGTERM and
 * gives the drain time to finish.
 */
@Timeout(120)
class DistributionArchiveIT {
  @TempDir static Path root;

  @BeforeAll
  static void unpack() throws Exception {
    String dist = System.getenv("LDAP_BALANCER_DIST");
    assertThat(dist).as("LDAP_BALANCER_DIST (set by the build)").isNotNull();
    assertThat(Path.of(dist)).isRegularFile();
    Result tar = run(Map.of(), "tar", "-xzf", dist, "-C", root.toString());
    assertThat(tar.status()).as(tar.output()).isZero();
  }

  @Test
  void itUnpacksWhereADebianAdminLooks() throws IOException {
    for (String file : List.of(
        "usr/bin/ldap-balancer",
        "usr/share/ldap-balancer/ldap-balancer.jar",
        "etc/ldap-balancer/lloadd.conf",
        "etc/ldap-balancer/logback.xml",
        "etc/default/ldap-balancer",
        "lib/systemd/system/ldap-balancer.service",
        "lib/systemd/system/ldap-balancer@.service",
        "usr/lib/sysctl.d/60-ldap-balancer.conf",
        "usr/share/doc/ldap-balancer/README.md",
        "usr/share/doc/ldap-balancer/operations.md",
        "usr/share/doc/ldap-balancer/configuration.md")) {
      assertThat(root.resolve(file)).as(file).isRegularFile();
    }
    assertThat(Files.getPosixFilePermissions(root.resolve("usr/bin/ldap-balancer")))
        .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    assertThat(Files.getPosixFilePermissions(root.resolve("etc/ldap-balancer/lloadd.conf")))
        .as("the file that will hold the bindconf password")
        .doesNotContain(PosixFilePermission.OTHERS_READ);
  }

  @Test
  void theLauncherChecksTheExampleConfiguration() throws Exception {
    Path conf = root.resolve("etc/ldap-balancer/lloadd.conf");
    Result check = launcher("-t", "-f", conf.toString());
    assertThat(check.status()).as(check.output()).isZero();
    assertThat(check.output()).contains("configuration is valid");
  }

  @Test
  void theLauncherShowsItsOptions() throws Exception {
    Result help = launcher("--help");
    assertThat(help.status()).as(help.output()).isZero();
    assertThat(help.output()).contains("-f=FILE", "--shutdown-grace=SECONDS");
  }

  @Test
  void theUnitReloadsDrainsAndIsSandboxed() throws IOException {
    for (String unit : List.of("ldap-balancer.service", "ldap-balancer@.service")) {
      String text = Files.readString(root.resolve("lib/systemd/system").resolve(unit));
      assertThat(text).as(unit).contains(
          "ExecStart=/usr/bin/ldap-balancer -f /etc/ldap-balancer/lloadd.conf",
          "ExecReload=/bin/kill -HUP $MAINPID",
          "KillSignal=SIGTERM",
          "NoNewPrivileges=yes",
          "ProtectSystem=strict",
          "ProtectHome=yes",
          "PrivateTmp=yes",
          "PrivateDevices=yes",
          "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
          "AmbientCapabilities=CAP_NET_BIND_SERVICE",
          "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
          "LimitNOFILE=");
      assertThat(number(text, "TimeoutStopSec=(\\d+)"))
          .as("%s: time to stop, against the grace period in /etc/default", unit)
          .isGreaterThan(number(
              Files.readString(root.resolve("etc/default/ldap-balancer")),
              "(?m)^LDAP_BALANCER_OPTS=\"--shutdown-grace (\\d+)"));
    }
  }

  private static int number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("%s in:\n%s", regex, text).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static Result launcher(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = root.resolve("usr/bin/ldap-balancer").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    return run(
        Map.of("LDAP_BALANCER_LOGBACK", root.resolve("etc/ldap-balancer/logback.xml").toString()),
        command);
  }

  private record Result(int status, String output) {}

  private static Result run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin")
        + ":" + System.getenv("PATH"));
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
