package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ssl.PEMFileKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/**
 * TLS towards the servers: {@code ldaps://} and StartTLS, the server's certificate and name
 * checked before a connection is offered to selection, and a server that fails the checks never
 * used (and the log says why).
 */
@Timeout(120)
class UpstreamTlsIT {
  private static final TestCertificates certs = TestCertificates.get();

  private InMemoryDirectoryServer upstream;
  private RunningBalancer lb;
  private LogCapture log;

  @AfterEach
  void stop() {
    if (lb != null) {
      lb.close();
    }
    if (upstream != null) {
      upstream.shutDown(true);
    }
    if (log != null) {
      log.close();
    }
  }

  /** An in-memory directory with an ldaps:// listener and an ldap:// one (StartTLS if asked). */
  private void startUpstream(Path cert, Path key, boolean offerStartTls) throws Exception {
    SSLUtil serverSsl = new SSLUtil(new PEMFileKeyManager(cert.toFile(), key.toFile()), null);
    InMemoryDirectoryServerConfig config = SampleDirectory.config("a", 0);
    config.setListenerConfigs(
        InMemoryListenerConfig.createLDAPSConfig("ldaps", SampleDirectory.loopback(), 0,
            serverSsl.createSSLServerSocketFactory(), null),
        InMemoryListenerConfig.createLDAPConfig("ldap", SampleDirectory.loopback(), 0,
            offerStartTls ? serverSsl.createSSLSocketFactory() : null));
    upstream = new InMemoryDirectoryServer(config);
    upstream.addEntries(SampleDirectory.entries("a", 5));
    upstream.startListening();
  }

  private RunningBalancer startBalancer(String url, StartTls startTls) throws Exception {
    log = LogCapture.of(ServerPool.class);
    BindConf bindConf =
        new BindConf(BindMethod.SIMPLE, SampleDirectory.BALANCER_DN,
            SampleDirectory.BALANCER_PASSWORD, Duration.ofSeconds(5), Duration.ZERO,
            TlsSettingsForTests.upstream(certs.caCert()));
    lb = RunningBalancer.builder()
        .bindConf(bindConf)
        .server(new BackendServer(LdapUrl.parse(url), 1, 1, Duration.ofMillis(200), 0, 0,
            startTls))
        .start();
    return lb;
  }

  private String ldapsUrl() {
    return "ldaps://127.0.0.1:" + upstream.getListenPort("ldaps");
  }

  private String ldapUrl() {
    return "ldap://127.0.0.1:" + upstream.getListenPort("ldap");
  }

  private static ResultCode search(RunningBalancer lb) throws LDAPException {
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      return c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(objectClass=*)")
          .getResultCode();
    } catch (LDAPException e) {
      return e.getResultCode();
    }
  }

  @Test
  void aServerOverLdapsWithATrustedCertificateServes() throws Exception {
    startUpstream(certs.serverCert(), certs.serverKey(), false);
    startBalancer(ldapsUrl(), StartTls.NO).awaitReady(ldapsUrl());
    assertThat(search(lb)).isEqualTo(ResultCode.SUCCESS);
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      assertThat(c.bind(SampleDirectory.userDn(2), SampleDirectory.USER_PASSWORD).getResultCode())
          .isEqualTo(ResultCode.SUCCESS);
    }
  }

  @Test
  void startTlsCriticalSecuresTheConnectionBeforeItIsUsed() throws Exception {
    startUpstream(certs.serverCert(), certs.serverKey(), true);
    startBalancer(ldapUrl(), StartTls.CRITICAL).awaitReady(ldapUrl());
    assertThat(search(lb)).isEqualTo(ResultCode.SUCCESS);
  }

  @Test
  void aServerWhoseCertificateNamesAnotherHostIsNeverUsed() throws Exception {
    startUpstream(certs.wrongHostCert(), certs.wrongHostKey(), false);
    startBalancer(ldapsUrl(), StartTls.NO);
    awaitLogged("TLS handshake failed");
    assertThat(search(lb)).isEqualTo(ResultCode.UNAVAILABLE);
    assertThat(lb.balancer().readyConnections().getOrDefault(ldapsUrl(), 0)).isZero();
    assertThat(lb.balancer().readyBindConnections().getOrDefault(ldapsUrl(), 0)).isZero();
    // Once per outage by each event loop's pool (two loops), not once per attempt (every 200 ms).
    assertThat(log.lines().stream().filter(l -> l.contains("TLS handshake failed")))
        .hasSizeBetween(1, 2);
  }

  @Test
  void aServerWithACertificateFromAnUntrustedCaIsNeverUsed() throws Exception {
    startUpstream(certs.foreignServerCert(), certs.foreignServerKey(), true);
    startBalancer(ldapUrl(), StartTls.CRITICAL);
    awaitLogged("TLS handshake failed");
    assertThat(search(lb)).isEqualTo(ResultCode.UNAVAILABLE);
    assertThat(lb.balancer().readyConnections().getOrDefault(ldapUrl(), 0)).isZero();
  }

  @Test
  void startTlsCriticalRefusedByTheServerMeansTheServerIsNotUsed() throws Exception {
    startUpstream(certs.serverCert(), certs.serverKey(), false);
    startBalancer(ldapUrl(), StartTls.CRITICAL);
    awaitLogged("refused StartTLS");
    assertThat(search(lb)).isEqualTo(ResultCode.UNAVAILABLE);
  }

  @Test
  void startTlsYesRefusedByTheServerContinuesInClearText() throws Exception {
    startUpstream(certs.serverCert(), certs.serverKey(), false);
    startBalancer(ldapUrl(), StartTls.YES).awaitReady(ldapUrl());
    assertThat(search(lb)).isEqualTo(ResultCode.SUCCESS);
    assertThat(log.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("refused StartTLS")
        && l.contains("continuing without TLS"));
  }

  private void awaitLogged(String text) {
    await().atMost(Duration.ofSeconds(20))
        .until(() -> log.lines().stream().anyMatch(l -> l.contains(text)));
    List<String> lines = log.lines();
    assertThat(lines).anyMatch(l -> l.startsWith("WARN") && l.contains(text));
  }
}
