package org.ldapbalancer.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.util.ssl.PEMFileKeyManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.PrometheusText;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/**
 * TLS handshakes in {@code /metrics}: with clients on {@code ldaps://} and after StartTLS, one
 * that fails, and those with a server reached over {@code ldaps://}.
 */
@Timeout(120)
class TlsHandshakeMetricsIT {
  private static final TestCertificates certs = TestCertificates.get();

  private InMemoryDirectoryServer upstream;
  private RunningBalancer lb;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (lb != null) {
      lb.close();
    }
    if (upstream != null) {
      upstream.shutDown(true);
    }
  }

  private PrometheusText metrics() throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lb.port(2) + "/metrics"))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return PrometheusText.parse(r.body());
  }

  @Test
  void handshakesWithClientsAndServersAreCounted() throws Exception {
    SSLUtil serverSsl = new SSLUtil(
        new PEMFileKeyManager(certs.serverCert().toFile(), certs.serverKey().toFile()), null);
    InMemoryDirectoryServerConfig config = SampleDirectory.config("a", 0);
    config.setListenerConfigs(InMemoryListenerConfig.createLDAPSConfig("ldaps",
        SampleDirectory.loopback(), 0, serverSsl.createSSLServerSocketFactory(), null));
    upstream = new InMemoryDirectoryServer(config);
    upstream.addEntries(SampleDirectory.entries("a", 5));
    upstream.startListening();
    String server = "ldaps://127.0.0.1:" + upstream.getListenPort("ldaps");
    lb = RunningBalancer.builder()
        .bindConf(new BindConf(BindMethod.SIMPLE, SampleDirectory.BALANCER_DN,
            SampleDirectory.BALANCER_PASSWORD, Duration.ofSeconds(5), Duration.ZERO,
            TlsSettingsForTests.upstream(certs.caCert())))
        .server(new BackendServer(LdapUrl.parse(server), 1, 1, Duration.ofMillis(200), 0, 0,
            StartTls.NO))
        .listenerTls(TlsSettingsForTests.listener(certs.serverCert(), certs.serverKey(),
            certs.caCert(), CertificateCheck.NEVER))
        .listen("ldap://127.0.0.1:0", "ldaps://127.0.0.1:0", "http://127.0.0.1:0/")
        .start()
        .awaitReady(server);

    SSLUtil trusting = new SSLUtil(new PEMFileTrustManager(certs.caCert().toFile()));
    try (LDAPConnection ldaps =
        new LDAPConnection(trusting.createSSLSocketFactory(), "127.0.0.1", lb.port(1))) {
      assertThat(ldaps.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(objectClass=*)")
          .getEntryCount()).isEqualTo(5);
    }
    try (LDAPConnection plain = new LDAPConnection("127.0.0.1", lb.port(0))) {
      assertThat(plain.processExtendedOperation(
              new StartTLSExtendedRequest(trusting.createSSLContext())).getResultCode())
          .isEqualTo(ResultCode.SUCCESS);
      assertThat(plain.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(objectClass=*)")
          .getEntryCount()).isEqualTo(5);
    }
    // A client that trusts another CA gives up during the handshake.
    SSLUtil distrusting = new SSLUtil(new PEMFileTrustManager(certs.foreignCaCert().toFile()));
    assertThatThrownBy(() -> new LDAPConnection(
            distrusting.createSSLSocketFactory(), "127.0.0.1", lb.port(1))
        .search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(objectClass=*)"));

    String clients = "ldapbalancer_client_tls_handshakes_total";
    String servers = "ldapbalancer_server_tls_handshakes_total";
    // The client's failure is seen by the balancer a little later; and awaitReady needs one
    // connection of each kind, not all: one regular and one bind per event loop (2) here.
    await("the failed handshake and every server connection's handshake counted")
        .atMost(Duration.ofSeconds(30))
        .until(() -> {
          PrometheusText m = metrics();
          return m.value(clients, "outcome", "failure") == 1
              && m.value(servers, "server", server, "outcome", "success") == 4;
        });
    PrometheusText m = metrics();
    assertThat(m.value(clients, "outcome", "success")).isEqualTo(2);
    assertThat(m.value("ldapbalancer_operations_completed_total",
        "op", "extended", "result", "success")).isEqualTo(1); // the StartTLS
    assertThat(m.value(servers, "server", server, "outcome", "failure")).isZero();
    assertThat(m.value("ldapbalancer_server_connections",
        "server", server, "type", "regular", "state", "ready")).isEqualTo(2);
  }
}
