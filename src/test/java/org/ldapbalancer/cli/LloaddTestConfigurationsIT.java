package org.ldapbalancer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.TestCertificates;

/**
 * OpenLDAP's own lloadd test configurations ({@code tests/data/lloadd*.conf}, kept unchanged in
 * {@code src/test/resources/openldap-tests}) as an lloadd user would bring them: the placeholders
 * filled as OpenLDAP's {@code tests/scripts/conf.sh} fills them, with in-process LDAP servers on
 * loopback and test certificates. Each passes {@code -t}, and the packaged jar starts with it and
 * answers; where the servers can serve the file's {@code bindconf}, a search through it succeeds.
 */
@Timeout(300)
class LloaddTestConfigurationsIT {
  private static final String MANAGER_DN = "cn=Manager,dc=example,dc=com";
  private static final String MANAGER_PASSWORD = "secret";

  private static final List<InMemoryDirectoryServer> servers = new ArrayList<>();
  private static final Map<String, String> placeholders = new java.util.HashMap<>();

  @TempDir static Path testDir;

  /** Four servers, as @URI2@ .. @URI5@ (ports 2 to 5 of OpenLDAP's test numbering). */
  @BeforeAll
  static void startServers() throws Exception {
    for (int i = 2; i <= 5; i++) {
      InMemoryDirectoryServerConfig config = SampleDirectory.config("s" + i, 0);
      config.addAdditionalBindCredentials(MANAGER_DN, MANAGER_PASSWORD);
      InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
      server.addEntries(SampleDirectory.entries("s" + i, 5));
      server.startListening();
      servers.add(server);
      String hostPort = "127.0.0.1:" + server.getListenPort();
      placeholders.put("@URI" + i + "@", "ldap://" + hostPort + "/");
      placeholders.put("@URIP" + i + "@", "ldap://" + hostPort + "/");
      placeholders.put("@SURIP" + i + "@", "ldaps://" + hostPort + "/");
    }
    // conf.sh: SASL_MECH="\"saslmech=$USE_SASL\"" (a JDK mechanism here, see docs).
    placeholders.put("@SASL_MECH@", "\"saslmech=DIGEST-MD5\"");
    // tests/run copies tests/data/tls into the test directory; the same layout here.
    TestCertificates certs = TestCertificates.get();
    copy(certs.caCert(), testDir.resolve("tls/ca/certs/testsuiteCA.crt"));
    copy(certs.serverCert(), testDir.resolve("tls/certs/localhost.crt"));
    copy(certs.serverKey(), testDir.resolve("tls/private/localhost.key"));
    placeholders.put("@TESTDIR@", testDir.toString());
  }

  @AfterAll
  static void stopServers() {
    servers.forEach(s -> s.shutDown(true));
  }

  /**
   * @param expected the result of a search of {@code ou=people} through the balancer: 0 where the
   *     servers take the file's bindconf, 52 where it has no server; -1 where only start-up is
   *     checked (SASL DIGEST-MD5 and TLS towards servers that offer neither)
   */
  @ParameterizedTest
  @CsvSource({
    "lloadd.conf, 0",
    "lloadd-anon.conf, 0",
    "lloadd-backend-issues.conf, 0",
    "lloadd-empty.conf, 52",
    "lloadd-sasl.conf, -1",
    "lloadd-tls.conf, -1"
  })
  void passesTheCheckAndStarts(String name, int expected) throws Exception {
    Path file = testDir.resolve(name);
    Files.writeString(file, filled(name));
    assertThat(Files.readString(file)).doesNotContain("@");

    Process check = jar("-t", "-f", file.toString()).start();
    assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String checkOutput = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.exitValue()).as(checkOutput).isZero();
    assertThat(checkOutput).contains("configuration is valid");

    int port = freePort();
    Path log = testDir.resolve(name + ".log");
    Process balancer = jar("-f", file.toString(), "-h", "ldap://127.0.0.1:" + port)
        .redirectOutput(log.toFile()).start();
    try {
      await("the balancer answering with " + name).atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> !balancer.isAlive() || searchResult(port) != null);
      assertThat(balancer.isAlive()).as(Files.readString(log)).isTrue();
      if (expected >= 0) {
        // The upstream connections come up shortly after the listener.
        await("a search through " + name + " answered " + expected)
            .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> Integer.valueOf(expected).equals(searchResult(port)));
      }
    } finally {
      balancer.destroy();
      assertThat(balancer.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static String filled(String name) throws IOException {
    String text;
    try (InputStream in = LloaddTestConfigurationsIT.class.getResourceAsStream(
        "/openldap-tests/" + name)) {
      assertThat(in).as("template " + name).isNotNull();
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (Map.Entry<String, String> p : placeholders.entrySet()) {
      text = text.replace(p.getKey(), p.getValue());
    }
    return text;
  }

  /** The result code of a one-level search of ou=people, or null when nothing answered. */
  private static Integer searchResult(int port) {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis(2000);
    options.setResponseTimeoutMillis(10_000);
    try (LDAPConnection c = new LDAPConnection(options, "127.0.0.1", port)) {
      return c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.1)", "cn")
          .getResultCode().intValue();
    } catch (LDAPException e) {
      ResultCode code = e.getResultCode();
      return code.isClientSideResultCode() ? null : code.intValue();
    }
  }

  private static ProcessBuilder jar(String... args) {
    String jar = System.getenv("LDAP_BALANCER_JAR");
    assertThat(jar).as("LDAP_BALANCER_JAR (set by the build)").isNotNull();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-jar", jar));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.copy(from, to);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
