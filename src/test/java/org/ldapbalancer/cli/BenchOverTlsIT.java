package org.ldapbalancer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.util.json.JSONObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;
import picocli.CommandLine;

/**
 * {@code ldap-balancer bench} over {@code ldaps://}, against the balancer's own TLS listener:
 * the generator checks the certificate against {@code --cacert}, and connect mode makes full or
 * resumed handshakes as asked, which OpenSSL's session counters confirm.
 */
class BenchOverTlsIT {
  private static final String TEMPLATE = "uid=user.{0-99},ou=people,dc=example,dc=com";
  private static final Pattern HANDSHAKES = Pattern.compile("(\\d+) handshakes, (\\d+) resumed");
  private static final TestCertificates certs = TestCertificates.get();

  private static InMemoryDirectoryServer directory;
  private static RunningBalancer lb;
  private static String ldapsUrl;

  @BeforeAll
  static void start() throws Exception {
    directory = SampleDirectory.start("bench", 100, 0);
    String upstream = "ldap://127.0.0.1:" + directory.getListenPort();
    lb = RunningBalancer.builder()
        .server(upstream, 2, 2)
        .listenerTls(TlsSettingsForTests.listener(certs.serverCert(), certs.serverKey(),
            certs.caCert(), CertificateCheck.NEVER))
        .listen("ldaps://127.0.0.1:0")
        .start()
        .awaitReady(upstream);
    ldapsUrl = "ldaps://127.0.0.1:" + lb.port();
  }

  @AfterAll
  static void stop() {
    if (lb != null) {
      lb.close();
    }
    if (directory != null) {
      directory.shutDown(true);
    }
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run bench(String mode, String... extra) {
    List<String> args = new ArrayList<>(List.of("bench", mode, "--url", ldapsUrl,
        "--dn-template", TEMPLATE, "--connections", "2", "--duration", "5", "--json"));
    args.addAll(List.of(extra));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** {handshakes, resumed} from the run's {@code tls} field. */
  private static long[] handshakes(Run run) throws Exception {
    assertThat(run.exitCode()).as(run.err()).isZero();
    JSONObject json = new JSONObject(run.out().trim());
    assertThat(json.getFieldAsObject("errors").getFieldAsBigDecimal("total").longValueExact())
        .as(run.out()).isZero();
    String tls = json.getFieldAsString("tls");
    Matcher m = HANDSHAKES.matcher(tls);
    assertThat(m.find()).as(tls).isTrue();
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
  }

  @Test
  void searchesOverLdaps() throws Exception {
    Run run = bench("search", "--max-ops", "500", "--in-flight", "4",
        "--cacert", certs.caCert().toString());
    long[] counts = handshakes(run);
    assertThat(counts[0]).as("one handshake per connection").isEqualTo(2);
    assertThat(new JSONObject(run.out().trim()).getFieldAsBigDecimal("operations")
        .longValueExact()).isEqualTo(500);
  }

  @Test
  void connectModeResumesSessions() throws Exception {
    long[] counts = handshakes(bench("connect", "--max-ops", "200",
        "--cacert", certs.caCert().toString()));
    assertThat(counts[0]).isGreaterThanOrEqualTo(200);
    // The first connection of each loop has no session to offer yet; the rest do.
    assertThat(counts[1]).as("resumed of %d", counts[0]).isGreaterThanOrEqualTo(counts[0] / 2);
  }

  @Test
  void connectModeWithoutResumptionMakesFullHandshakes() throws Exception {
    long[] counts = handshakes(bench("connect", "--max-ops", "100", "--no-tls-resume",
        "--cacert", certs.caCert().toString()));
    assertThat(counts[0]).isGreaterThanOrEqualTo(100);
    assertThat(counts[1]).isZero();
  }

  @Test
  void aServerCertificateTheGivenAuthorityDidNotSignIsRefused() {
    Run run = bench("search", "--max-ops", "10", "--cacert", certs.foreignCaCert().toString());
    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
    assertThat(run.err()).contains("cannot connect to " + ldapsUrl);
  }

  @Test
  void tlsOptionsNeedAnLdapsUrl() {
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Main());
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute("bench", "search", "--url", "ldap://127.0.0.1:1", "--cacert", "x");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--cacert applies to ldaps:// URLs only");
  }
}
