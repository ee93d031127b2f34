package org.ldapbalancer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.TestCertificates;

/** The packaged jar as an operator runs it: -t, -V, -f with -h, pidfile, SIGTERM. */
class CommandLineIT {
  @TempDir Path dir;
  private final List<InMemoryDirectoryServer> directories = new ArrayList<>();
  private Process process;

  @BeforeEach
  void startDirectories() throws Exception {
    directories.add(SampleDirectory.start("a", 20, 0));
    directories.add(SampleDirectory.start("b", 20, 0));
  }

  @AfterEach
  void stop() {
    if (process != null) {
      process.destroyForcibly();
    }
    directories.forEach(d -> d.shutDown(true));
  }

  private Path config(String extra) throws IOException {
    String text =
        "bindconf bindmethod=simple binddn=\"" + SampleDirectory.BALANCER_DN + "\"\n"
            + "  credentials=" + SampleDirectory.BALANCER_PASSWORD + " network-timeout=5\n"
            + "pidfile " + dir.resolve("balancer.pid") + "\n"
            + "tier roundrobin\n"
            + "backend-server uri=ldap://127.0.0.1:" + directories.get(0).getListenPort()
            + " numconns=2 bindconns=1 retry=500\n"
            + "backend-server uri=ldap://127.0.0.1:" + directories.get(1).getListenPort()
            + " numconns=2 bindconns=1 retry=500\n"
            + extra;
    Path file = dir.resolve("lloadd.conf");
    Files.writeString(file, text);
    return file;
  }

  private static ProcessBuilder jar(String... args) {
    String jar = System.getenv("LDAP_BALANCER_JAR");
    assertThat(jar).as("LDAP_BALANCER_JAR (set by the build)").isNotNull();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) throws Exception {
    Process p = jar(args).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("finished in time").isTrue();
    return new Run(p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void checkModeAcceptsAValidFile() throws Exception {
    Path file = config("");
    Run r = run("-t", "-f", file.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).contains("configuration is valid");
  }

  @Test
  void checkModeListsEveryErrorWithFileAndLine() throws Exception {
    Path file = config("backend-servr uri=ldap://x\nio-threads many\n");
    Run r = run("-t", "-f", file.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains(file + ":7: ")
        .contains(file + ":8: ")
        .contains("backend-servr");
  }

  @Test
  void checkModeRefusesAMonitorAccessValueThatIsNotADn() throws Exception {
    Path file = config("monitor-access cn=ops,dc=example,dc=com\nmonitor-access operators\n");
    Run r = run("-t", "-f", file.toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains(file + ":8: monitor-access: \"operators\" is not a DN");
    assertThat(r.err()).doesNotContain(file + ":7: ");
  }

  @Test
  void unusableTlsFilesAreRefusedWithFileAndLineByCheckAndByStartUp() throws Exception {
    TestCertificates certs = TestCertificates.get();
    Path file =
        config(
            "TLSCertificateFile " + certs.wrongHostCert() + "\n"
                + "TLSCertificateKeyFile " + certs.serverKey() + "\n"
                + "TLSCACertificateFile " + dir.resolve("missing.pem") + "\n"
                + "TLSVerifyClient try\n"
                + "bindconf tls_cacert=" + certs.serverKey() + "\n");
    Run check = run("-t", "-f", file.toString());
    assertThat(check.exit()).as(check.toString()).isEqualTo(1);
    assertThat(check.err())
        .contains(file + ":8: TLSCertificateKeyFile " + certs.serverKey()
            + ": the private key does not match the certificate in " + certs.wrongHostCert())
        .contains(file + ":9: TLSCACertificateFile " + dir.resolve("missing.pem")
            + ": no such file")
        .contains(file + ":11: bindconf tls_cacert " + certs.serverKey()
            + ": not a PEM or DER certificate");
    assertThat(check.out()).doesNotContain("valid");

    Run start = run("-f", file.toString(), "-h", "ldaps://127.0.0.1:0");
    assertThat(start.exit()).as(start.toString()).isEqualTo(1);
    assertThat(start.err()).isEqualTo(check.err()).doesNotContain("listening");
  }

  @Test
  void checkModeRefusesWhatStartUpWouldRefuseAndStartUpRefusesItToo() throws Exception {
    Path file =
        config(
            "sockbuf_max_incoming_client 8\n"
                + "listen ldapi:///\n"
                + "bindconf network-timeout=2147484\n"
                + "io-threads 100000\n");
    Run check = run("-t", "-f", file.toString());
    assertThat(check.exit()).as(check.toString()).isEqualTo(1);
    assertThat(check.err())
        .contains(file + ":7: sockbuf_max_incoming_client: bad value \"8\": must be at least 1024")
        .contains(
            file + ":8: listen: ldapi:///: ldapi:// needs the socket's path, e.g."
                + " ldapi://%2Frun%2Fldap-balancer%2Fldapi")
        .contains(file + ":9: bindconf: bad value network-timeout=2147484: must be at most 86400")
        .contains(file + ":10: io-threads: bad value \"100000\": must be at most 256");
    assertThat(check.out()).doesNotContain("valid");

    Run start = run("-f", file.toString(), "-h", "ldap://127.0.0.1:0");
    assertThat(start.exit()).as(start.toString()).isEqualTo(1);
    assertThat(start.err()).isEqualTo(check.err()).doesNotContain("listening");
  }

  @Test
  void anLdapsListenerOnTheCommandLineWithoutACertificateIsRefusedWithTheReason()
      throws Exception {
    Path file = config("");
    String both = "ldap://127.0.0.1:0 ldaps://127.0.0.1:1636";
    for (String[] args :
        List.of(
            new String[] {"-t", "-f", file.toString(), "-h", "ldaps://127.0.0.1:1636"},
            new String[] {"-f", file.toString(), "-h", both})) {
      Run r = run(args);
      assertThat(r.exit()).as(r.toString()).isEqualTo(1);
      assertThat(r.err())
          .contains(
              "ldap-balancer: ldaps://127.0.0.1:1636: an ldaps:// listener needs a certificate"
                  + " (TLSCertificateFile and TLSCertificateKeyFile)")
          .doesNotContain("listening");
    }
  }

  @Test
  void checkModeShowsTheRetryFloorAsAWarningAndAccepts() throws Exception {
    Path file = config("backend-server uri=ldap://127.0.0.1:1 retry=0\n");
    Run r = run("-t", "-f", file.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.err())
        .contains(
            file + ":7: backend-server: retry=0 would retry a failed connection without pause;"
                + " waiting 100 ms instead (warning)");
  }

  @Test
  void versionIsPrinted() throws Exception {
    Run r = run("-V");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("ldap-balancer ");
  }

  @Test
  void servesOnTheGivenUrlAndStopsCleanlyOnSigterm() throws Exception {
    Path file = config("");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    process = jar("-f", file.toString(), "-h", "ldap://127.0.0.1:" + port, "-n", "lb-test")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.log").toFile())
        .start();
    Path pid = dir.resolve("balancer.pid");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pid));
    assertThat(Files.readString(pid).trim()).isEqualTo(Long.toString(process.pid()));

    AtomicReference<ExtendedResult> notice = new AtomicReference<>();
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setUnsolicitedNotificationHandler((c, n) -> notice.set(n));
    try (LDAPConnection c = new LDAPConnection(options, "127.0.0.1", port)) {
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
          c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.7)").getEntryCount()
              == 1);
      process.destroy(); // SIGTERM
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(Files.readString(dir.resolve("out.log"))).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> notice.get() != null);
      assertThat(notice.get().getOID()).isEqualTo("1.3.6.1.4.1.1466.20036");
      assertThat(notice.get().getResultCode().intValue()).isEqualTo(52);
    }
    assertThat(pid).doesNotExist();
    // Logging is asynchronous: the last line, logged just before exit, must still be written, in
    // the shipped format with the -n service name.
    assertThat(Files.readString(dir.resolve("out.log")))
        .containsPattern(
            "(?m)^\\d{4}-\\d\\d-\\d\\dT[0-9:.]+(Z|[+-][0-9:]+) lb-test INFO  Balancer:"
                + " listening on ldap://127.0.0.1:" + port + "$")
        .containsPattern("(?m)^\\S+ lb-test INFO  Balancer: stopped$");
  }
}
