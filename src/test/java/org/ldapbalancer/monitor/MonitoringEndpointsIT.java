package org.ldapbalancer.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.HeadlessChromium;
import org.ldapbalancer.testing.PrometheusText;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * The {@code http://} listener against real slapd servers: {@code /metrics} read with a strict
 * text-format reader after known traffic, {@code /readyz} following the servers, and the status
 * page rendered by headless Chromium.
 */
final class MonitoringEndpointsIT {
  private static final int SEARCHES = 20;
  private static final int BINDS = 5;
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(HTTP_TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private PrometheusText metrics(String base) throws IOException, InterruptedException {
    HttpResponse<String> r = get(base + "metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
        v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
    return PrometheusText.parse(r.body());
  }

  private static String monitorUrl(RunningBalancer balancer) {
    return "http://127.0.0.1:" + balancer.port(1) + "/";
  }

  private static RunningBalancer.Builder withMonitor(RunningBalancer.Builder b) {
    return b.listen("ldap://127.0.0.1:0", "http://127.0.0.1:0/");
  }

  @Test
  void metricsCountKnownTraffic() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, SEARCHES);
        RunningBalancer balancer = withMonitor(slapds.balancer(Duration.ZERO)).start()) {
      String a = slapds.server(0).url();
      String b = slapds.server(1).url();
      balancer.awaitReady(a, b);
      String base = monitorUrl(balancer);
      // awaitReady needs one connection of each kind per server; round robin runs per event
      // loop, so wait for every loop's connections before counting where operations went.
      await("every connection ready")
          .atMost(Duration.ofSeconds(30))
          .until(() -> {
            PrometheusText m = metrics(base);
            return m.sum("ldapbalancer_server_connections", "state", "ready")
                == m.sum("ldapbalancer_server_connections_configured");
          });

      try (LDAPConnection ldap = connect(balancer.port())) {
        for (int i = 0; i < SEARCHES; i++) {
          assertThat(ldap.search(new SearchRequest(userDn(i), SearchScope.BASE, "(objectClass=*)"))
              .getEntryCount()).isEqualTo(1);
        }
        LDAPException missing = null;
        try {
          ldap.search("ou=nowhere,dc=example,dc=com", SearchScope.BASE, "(objectClass=*)");
        } catch (LDAPException e) {
          missing = e;
        }
        assertThat(missing).isNotNull();
        assertThat(missing.getResultCode()).isEqualTo(ResultCode.NO_SUCH_OBJECT);
        for (int i = 0; i < BINDS; i++) {
          assertThat(ldap.bind(userDn(i), USER_PASSWORD).getResultCode())
              .isEqualTo(ResultCode.SUCCESS);
        }
        LDAPException refused = null;
        try {
          ldap.bind(userDn(0), "wrong");
        } catch (LDAPException e) {
          refused = e;
        }
        assertThat(refused).isNotNull();
        assertThat(refused.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS);

        // Every response above was counted on its loop before it was written, and the snapshot
        // is taken by a task on each loop after that: the figures are exact, not eventual.
        PrometheusText m = metrics(base);
        String received = "ldapbalancer_operations_received_total";
        String completed = "ldapbalancer_operations_completed_total";
        assertThat(m.value(received, "op", "search")).isEqualTo(SEARCHES + 1);
        assertThat(m.value(received, "op", "bind")).isEqualTo(BINDS + 1);
        assertThat(m.value(received, "op", "modify")).isZero();
        assertThat(m.value("ldapbalancer_operations_forwarded_total", "op", "search"))
            .isEqualTo(SEARCHES + 1);
        assertThat(m.value(completed, "op", "search", "result", "success")).isEqualTo(SEARCHES);
        assertThat(m.value(completed, "op", "search", "result", "noSuchObject")).isEqualTo(1);
        assertThat(m.value(completed, "op", "bind", "result", "success")).isEqualTo(BINDS);
        assertThat(m.value(completed, "op", "bind", "result", "invalidCredentials")).isEqualTo(1);
        assertThat(m.sum("ldapbalancer_operations_rejected_total")).isZero();
        assertThat(m.sum("ldapbalancer_operations_failed_total")).isZero();

        int toServers = SEARCHES + 1 + BINDS + 1;
        assertThat(m.sum("ldapbalancer_server_operations_answered_total")).isEqualTo(toServers);
        assertThat(m.sum("ldapbalancer_server_operations_forwarded_total")).isEqualTo(toServers);
        assertThat(m.sum("ldapbalancer_server_latency_seconds_count")).isEqualTo(toServers);
        assertThat(m.sum("ldapbalancer_server_operations_in_flight")).isZero();
        // Round robin: both servers took searches.
        for (String server : List.of(a, b)) {
          assertThat(m.value("ldapbalancer_server_up", "server", server)).isEqualTo(1);
          assertThat(m.value("ldapbalancer_server_latency_seconds_count", "server", server))
              .isPositive();
          assertThat(m.value("ldapbalancer_server_connections",
              "server", server, "type", "regular", "state", "ready")).isEqualTo(2);
          assertThat(m.value("ldapbalancer_server_connections",
              "server", server, "type", "bind", "state", "ready")).isEqualTo(2);
        }
        assertThat(m.value("ldapbalancer_client_connections")).isEqualTo(1);
        assertThat(m.value("ldapbalancer_client_connections_accepted_total")).isEqualTo(1);
      }
      await("the closed client no longer counted")
          .atMost(Duration.ofSeconds(20))
          .until(() -> metrics(base).value("ldapbalancer_client_connections") == 0);
    }
  }

  @Test
  void readyzIs503UntilAServerComesUpAndRefusalsAreCounted() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(3).start()) {
      slapd.stop(); // its port is known, and nothing listens there now
      try (RunningBalancer balancer =
          withMonitor(RunningBalancer.builder()
                  .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
                  .server(slapd.url(), 2, 1))
              .start()) {
        String base = monitorUrl(balancer);
        await("the server reported down")
            .atMost(Duration.ofSeconds(20))
            .until(() -> get(base + "readyz").body().contains("down"));
        HttpResponse<String> notReady = get(base + "readyz");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).startsWith("not ready").contains(slapd.url());
        assertThat(get(base + "healthz").statusCode()).isEqualTo(200);

        try (LDAPConnection ldap = connect(balancer.port())) {
          LDAPException unavailable = null;
          try {
            ldap.search(PEOPLE_DN, SearchScope.ONE, "(uid=user.1)");
          } catch (LDAPException e) {
            unavailable = e;
          }
          assertThat(unavailable).isNotNull();
          assertThat(unavailable.getResultCode()).isEqualTo(ResultCode.UNAVAILABLE);
        }
        PrometheusText m = metrics(base);
        assertThat(m.value("ldapbalancer_operations_rejected_total",
            "op", "search", "result", "unavailable")).isEqualTo(1);
        assertThat(m.value("ldapbalancer_operations_forwarded_total", "op", "search")).isZero();
        assertThat(m.value("ldapbalancer_server_up", "server", slapd.url())).isZero();
        assertThat(m.value("ldapbalancer_server_state", "server", slapd.url(), "state", "down"))
            .isEqualTo(1);

        slapd.restart();
        await("ready once the server is up")
            .atMost(Duration.ofSeconds(30))
            .until(() -> get(base + "readyz").statusCode() == 200);
        assertThat(get(base + "readyz").body()).isEqualTo("ready: 1 of 1 servers up\n");
        assertThat(metrics(base).value("ldapbalancer_server_up", "server", slapd.url()))
            .isEqualTo(1);
      }
    }
  }

  @Test
  void anOperationThatTimesOutIsCountedAsFailed() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(3).start();
        RunningBalancer balancer =
            withMonitor(RunningBalancer.builder()
                    .bindConf(SlapdGroup.balancerBindConf(Duration.ofSeconds(1)))
                    .server(slapd.url(), 2, 1))
                .start()) {
      balancer.awaitReady(slapd.url());
      String base = monitorUrl(balancer);
      slapd.pause(); // hung: connections stay, nothing answers
      try (LDAPConnection ldap = connect(balancer.port())) {
        LDAPException timedOut = null;
        try {
          ldap.search(PEOPLE_DN, SearchScope.ONE, "(uid=user.1)");
        } catch (LDAPException e) {
          timedOut = e;
        }
        assertThat(timedOut).isNotNull();
        // A search answers timeLimitExceeded (3) on time-out, as lloadd.
        assertThat(timedOut.getResultCode()).isEqualTo(ResultCode.TIME_LIMIT_EXCEEDED);
      } finally {
        slapd.resume();
      }
      PrometheusText m = metrics(base);
      assertThat(m.value("ldapbalancer_operations_failed_total",
          "op", "search", "result", "timeLimitExceeded")).isEqualTo(1);
      assertThat(m.value("ldapbalancer_server_operations_failed_total",
          "server", slapd.url(), "reason", "timeout")).isEqualTo(1);
      assertThat(m.valueOrZero("ldapbalancer_operations_completed_total",
          "op", "search", "result", "success")).isZero();
    }
  }

  @Test
  void theStatusPageShowsEveryServerInABrowser() throws Exception {
    int closed = closedPort();
    String down = "ldap://127.0.0.1:" + closed;
    try (SlapdGroup slapds = SlapdGroup.start(2, 3);
        RunningBalancer balancer =
            withMonitor(slapds.balancer(Duration.ZERO).nextTier().server(down, 1, 1)).start()) {
      String a = slapds.server(0).url();
      String b = slapds.server(1).url();
      balancer.awaitReady(a, b);
      String base = monitorUrl(balancer);
      await("the unreachable server reported down")
          .atMost(Duration.ofSeconds(20))
          .until(() -> get(base + "status.json").body().contains("\"state\":\"down\""));

      String dom = HeadlessChromium.dumpDom(base, 5_000, Duration.ofSeconds(120));

      assertThat(rowState(dom, a)).as(dom).isEqualTo("up");
      assertThat(rowState(dom, b)).as(dom).isEqualTo("up");
      assertThat(rowState(dom, down)).as(dom).isEqualTo("down");
      assertThat(dom).contains("Tier 1 · roundrobin").contains("Tier 2 · roundrobin");
      assertThat(dom).contains("Connection refused");
      assertThat(dom).contains("<span id=\"error\"></span>"); // every poll succeeded
      assertThat(dom).containsPattern("<span id=\"updated\">updated [^<]+</span>");
    }
  }

  /** The state a server's row shows: its data-state attribute and the text of its state cell. */
  private static String rowState(String dom, String server) {
    Matcher row =
        Pattern.compile(
                "<tr data-server=\"" + Pattern.quote(server) + "\" data-state=\"([a-z]+)\">"
                    + "<td[^>]*>[^<]*</td><td[^>]*class=\"state\">([a-z]+)<")
            .matcher(dom);
    assertThat(row.find()).as("a row for %s", server).isTrue();
    assertThat(row.group(2)).isEqualTo(row.group(1));
    return row.group(1);
  }

  private static LDAPConnection connect(int port) throws LDAPException {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setResponseTimeoutMillis(30_000);
    return new LDAPConnection(options, "127.0.0.1", port);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
