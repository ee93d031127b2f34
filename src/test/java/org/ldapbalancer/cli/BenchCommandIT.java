package org.ldapbalancer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.util.json.JSONObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.demo.SampleDirectory;
import picocli.CommandLine;

/** {@code ldap-balancer bench} in-process against an in-memory sample directory on loopback. */
class BenchCommandIT {
  private static final String TEMPLATE = "uid=user.{0-99},ou=people,dc=example,dc=com";

  private static InMemoryDirectoryServer directory;
  private static String url;

  @BeforeAll
  static void startDirectory() throws Exception {
    directory = SampleDirectory.start("bench", 100, 0);
    url = "ldap://127.0.0.1:" + directory.getListenPort();
  }

  @AfterAll
  static void stopDirectory() {
    directory.shutDown(true);
  }

  /** What one command line printed and returned. */
  private record Run(int exitCode, String out, String err) {
    JSONObject json() throws Exception {
      return new JSONObject(out.trim());
    }

    long number(String... path) throws Exception {
      JSONObject o = json();
      for (int i = 0; i < path.length - 1; i++) {
        o = o.getFieldAsObject(path[i]);
      }
      return o.getFieldAsBigDecimal(path[path.length - 1]).longValueExact();
    }
  }

  private static Run bench(String... args) {
    List<String> all = new ArrayList<>(List.of("bench"));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** A run of at most 2 s and 2,000 operations. */
  private static Run jsonRun(String mode, String... extra) {
    return boundedRun(mode, "2", "2000", extra);
  }

  private static Run boundedRun(String mode, String duration, String maxOps, String... extra) {
    List<String> args = new ArrayList<>(List.of(mode, "--url", url, "--dn-template", TEMPLATE,
        "--connections", "4", "--duration", duration, "--max-ops", maxOps, "--json"));
    args.addAll(List.of(extra));
    return bench(args.toArray(String[]::new));
  }

  private static void assertCleanRun(Run run, String mode, String kind) throws Exception {
    assertThat(run.exitCode()).as(run.err()).isZero();
    JSONObject json = run.json();
    assertThat(json.getFieldAsString("mode")).isEqualTo(mode);
    assertThat(run.number("operations")).isPositive().isLessThanOrEqualTo(2000);
    assertThat(run.number("errors", "total")).isZero();
    assertThat(run.number("byKind", kind, "operations")).isPositive();
    assertThat(run.number("latencyMicros", "max"))
        .isGreaterThanOrEqualTo(run.number("latencyMicros", "p50"));
    // every request sent, warm-up and drain included, had exactly one final response
    assertThat(run.number("answers", "unanswered")).isZero();
    assertThat(run.number("answers", "unexpected")).isZero();
    assertThat(run.number("answers", "lostWithConnection")).isZero();
    assertThat(run.number("answers", "sent")).isEqualTo(run.number("answers", "answered"))
        .isGreaterThanOrEqualTo(run.number("operations"));
    // progress lines go to standard error, so that standard output is only the JSON object
    assertThat(run.err()).contains("ldap-balancer bench: " + mode);
  }

  @Test
  void searchModeReadsEntries() throws Exception {
    Run run = jsonRun("search", "--in-flight", "8", "--attributes", "cn,mail");
    assertCleanRun(run, "search", "search");
  }

  @Test
  void searchModeAsTheSessionIdentity() throws Exception {
    Run run = jsonRun("search", "--bind-dn", SampleDirectory.BALANCER_DN,
        "--bind-password", SampleDirectory.BALANCER_PASSWORD);
    assertCleanRun(run, "search", "search");
  }

  @Test
  void bindModeBindsAsTemplateUsers() throws Exception {
    assertCleanRun(jsonRun("bind"), "bind", "bind");
  }

  @Test
  void mixedModeSearchesBindsAndModifies() throws Exception {
    Run run = jsonRun("mixed", "--mix", "50:25:25", "--in-flight", "4");
    assertCleanRun(run, "mixed", "search");
    assertThat(run.number("byKind", "bind", "operations")).isPositive();
    assertThat(run.number("byKind", "modify", "operations")).isPositive();
    Entry entry = directory.getEntry(SampleDirectory.userDn(7));
    assertThat(entry).isNotNull(); // modifies replaced description; the entry is intact
  }

  @Test
  void connectModeConnectsBindsAndUnbinds() throws Exception {
    Run run = boundedRun("connect", "2", "300");
    assertCleanRun(run, "connect", "connect");
  }

  @Test
  void wrongPasswordIsCountedUnderInvalidCredentials() throws Exception {
    Run run = boundedRun("bind", "2", "200", "--password", "wrong");
    assertThat(run.exitCode()).as(run.err()).isZero();
    long invalid = run.number("errors", "byResultCode", "49");
    assertThat(invalid).isPositive().isEqualTo(run.number("operations"));
    assertThat(run.number("errors", "connection")).isZero();
  }

  @Test
  void resultsStillAddUpWhenTheDurationStopsABusyRun() throws Exception {
    Run run = boundedRun("bind", "1", "0", "--password", "wrong");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().getFieldAsString("stoppedBy")).isEqualTo("duration");
    assertThat(run.number("errors", "byResultCode", "49")).isEqualTo(run.number("operations"));
  }

  @Test
  void warmupOperationsAreNotCounted() throws Exception {
    Run run = boundedRun("search", "2", "300", "--warmup", "0.5");
    assertCleanRun(run, "search", "search");
    assertThat(run.number("operations")).isEqualTo(300);
    assertThat(run.json().getFieldAsString("stoppedBy")).isEqualTo("max-ops");
  }

  @Test
  void textReportHasPercentilesAndErrors() {
    Run run = bench("search", "--url", url, "--dn-template", TEMPLATE, "--duration", "20",
        "--max-ops", "500", "--connections", "2");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("ops/s", "summary: 500 operations", "p99.9", "errors: none");
  }

  @Test
  void rateLimitsTheOfferedLoad() throws Exception {
    Run run = boundedRun("search", "1", "0", "--rate", "100");
    assertThat(run.exitCode()).as(run.err()).isZero();
    // 100/s for one second, allowing for the first token of each connection
    assertThat(run.number("operations")).isBetween(50L, 110L);
  }

  @Test
  void refusedSessionBindFailsTheRun() {
    Run run = jsonRun("search", "--bind-dn", SampleDirectory.BALANCER_DN,
        "--bind-password", "not-the-password");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("refused the session bind", "invalidCredentials (49)");
  }

  @Test
  void nothingListeningFailsTheRun() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Run run = bench("search", "--url", "ldap://127.0.0.1:" + port, "--duration", "1");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("cannot connect to ldap://127.0.0.1:" + port);
  }

  @Test
  void invalidOptionsAreRejectedBeforeConnecting() {
    Run run = bench("bind", "--url", url, "--in-flight", "4");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("RFC 4511");
  }

  @Test
  void idleModeHoldsConnectionsThatEachAnsweredASearch() throws Exception {
    Run run = bench("idle", "--url", url, "--dn-template", TEMPLATE, "--connections", "300",
        "--duration", "1", "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().getFieldAsString("mode")).isEqualTo("idle");
    assertThat(run.number("setUp")).isEqualTo(300);
    assertThat(run.number("openAtEnd")).isEqualTo(300);
    assertThat(run.number("failed")).isZero();
    assertThat(run.number("unanswered")).isZero();
    assertThat(run.number("searchErrors")).isZero();
    assertThat(run.number("lost")).isZero();
    assertThat(run.json().getFieldAsString("stoppedBy")).isEqualTo("duration");
    assertThat(run.err()).contains("ldap-balancer bench: idle", "set up 300 of 300");
  }

  @Test
  void idleModeTextReportCountsWhatWasHeld() {
    Run run = bench("idle", "--url", url, "--dn-template", TEMPLATE, "--connections", "20",
        "--duration", "0.5", "--bind-dn", SampleDirectory.BALANCER_DN,
        "--bind-password", SampleDirectory.BALANCER_PASSWORD);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("bound as " + SampleDirectory.BALANCER_DN,
        "summary: 20 of 20 connections set up", "20 open at the end", "lost while idle: 0");
  }

  @Test
  void idleModeEndsWhenTheSessionBindIsRefused() {
    Run run = bench("idle", "--url", url, "--connections", "20", "--duration", "5",
        "--bind-dn", SampleDirectory.BALANCER_DN, "--bind-password", "not-the-password");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("refused the session bind", "invalidCredentials (49)");
  }

  @Test
  void idleModeRefusesLoadOptions() {
    Run run = bench("idle", "--url", url, "--rate", "100");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("idle mode sends no load");
  }
}
