package org.ldapbalancer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.PrometheusText;

/** The packaged jar with an {@code http://} listener given by {@code -h}, as an operator runs it. */
class MonitoringListenerCommandLineIT {
  @TempDir Path dir;
  private InMemoryDirectoryServer directory;
  private Process process;

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
      process.destroyForcibly();
    }
    if (directory != null) {
      directory.shutDown(true);
    }
  }

  private Path config() throws Exception {
    directory = SampleDirectory.start("a", 20, 0);
    Path file = dir.resolve("lloadd.conf");
    Files.writeString(file,
        "bindconf bindmethod=simple binddn=\"" + SampleDirectory.BALANCER_DN + "\"\n"
            + "  credentials=" + SampleDirectory.BALANCER_PASSWORD + " network-timeout=5\n"
            + "backend-server uri=ldap://127.0.0.1:" + directory.getListenPort()
            + " numconns=2 bindconns=1 retry=500\n");
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

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void theJarServesMetricsNextToLdap() throws Exception {
    Path file = config();
    int ldap = freePort();
    int http = freePort();
    process = jar("-f", file.toString(),
            "-h", "ldap://127.0.0.1:" + ldap + " http://127.0.0.1:" + http + "/")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.log").toFile())
        .start();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String base = "http://127.0.0.1:" + http + "/";
    await("ready").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
        client.send(HttpRequest.newBuilder(URI.create(base + "readyz")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);

    try (LDAPConnection c = new LDAPConnection("127.0.0.1", ldap)) {
      assertThat(c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.7)")
          .getEntryCount()).isEqualTo(1);
    }
    HttpResponse<String> metrics = client.send(
        HttpRequest.newBuilder(URI.create(base + "metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    PrometheusText m = PrometheusText.parse(metrics.body());
    assertThat(m.value("ldapbalancer_operations_completed_total",
        "op", "search", "result", "success")).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("out.log"), StandardCharsets.UTF_8))
        .contains("listening on http://127.0.0.1:" + http);
  }

  @Test
  void httpsIsRefusedWithTheReason() throws Exception {
    Path file = config();
    Process p = jar("-t", "-f", file.toString(), "-h", "ldap:/// https://127.0.0.1:9443/")
        .redirectErrorStream(true)
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isEqualTo(1);
    assertThat(out).contains("-h: https://127.0.0.1:9443/: https:// is not supported yet");
  }
}
