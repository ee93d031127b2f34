package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.ExtendedRequest;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.util.ssl.PEMFileKeyManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.TlsSettings;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.AlwaysOfferedKeyManager;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/**
 * TLS towards clients: {@code ldaps://} listeners, StartTLS with lloadd's refusals, client
 * certificates, failed handshakes that cost only their own connection, and certificates replaced
 * without a restart.
 */
@Timeout(120)
class ClientTlsIT {
  private static final TestCertificates certs = TestCertificates.get();

  private InMemoryDirectoryServer upstream;
  private RunningBalancer lb;

  @BeforeAll
  static void fastReloadChecks() {
    System.setProperty("ldapbalancer.tls.reloadCheckMillis", "100");
  }

  @AfterEach
  void stop() {
    if (lb != null) {
      lb.close();
    }
    if (upstream != null) {
      upstream.shutDown(true);
    }
  }

  private RunningBalancer start(TlsSettings tls, String... listeners) throws Exception {
    upstream = SampleDirectory.start("a", 5, 0);
    String url = "ldap://127.0.0.1:" + upstream.getListenPort();
    lb = RunningBalancer.builder()
        .server(url, 1, 1)
        .listenerTls(tls)
        .listen(listeners.length > 0 ? listeners
            : new String[] {"ldap://127.0.0.1:0", "ldaps://127.0.0.1:0"})
        .start()
        .awaitReady(url);
    return lb;
  }

  private static TlsSettings serverCert(CertificateCheck verify) {
    return TlsSettingsForTests.listener(certs.serverCert(), certs.serverKey(), certs.caCert(),
        verify);
  }

  private static SSLUtil trusting(Path ca) throws Exception {
    return new SSLUtil(new PEMFileTrustManager(ca.toFile()));
  }

  private static int countPeople(LDAPConnection c) throws LDAPException {
    return c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(objectClass=*)").getEntryCount();
  }

  private static X509Certificate peerCertificate(LDAPConnection c) throws Exception {
    return (X509Certificate) c.getSSLSession().getPeerCertificates()[0];
  }

  @Test
  void ldapsAndStartTlsCarryOperations() throws Exception {
    start(serverCert(CertificateCheck.NEVER));
    SSLUtil ssl = trusting(certs.caCert());
    try (LDAPConnection ldaps =
        new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", lb.port(1))) {
      assertThat(countPeople(ldaps)).isEqualTo(5);
      assertThat(peerCertificate(ldaps).getSubjectX500Principal().getName())
          .isEqualTo("CN=127.0.0.1");
    }
    try (LDAPConnection plain = new LDAPConnection("127.0.0.1", lb.port(0))) {
      ExtendedResult started =
          plain.processExtendedOperation(new StartTLSExtendedRequest(ssl.createSSLContext()));
      assertThat(started.getResultCode()).isEqualTo(ResultCode.SUCCESS);
      assertThat(plain.getSSLSession()).isNotNull();
      assertThat(countPeople(plain)).isEqualTo(5);
      // A simple bind, now protected, works as before.
      assertThat(plain.bind(SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD)
          .getResultCode()).isEqualTo(ResultCode.SUCCESS);

      // StartTLS again, inside TLS: lloadd's answer.
      LDAPException again =
          catchLdap(() -> plain.processExtendedOperation(
              new ExtendedRequest(Oids.START_TLS)));
      assertThat(again.getResultCode()).isEqualTo(ResultCode.OPERATIONS_ERROR);
      assertThat(again.getDiagnosticMessage()).isEqualTo("TLS layer already in effect");
      assertThat(countPeople(plain)).isEqualTo(5); // and the connection goes on
    }
  }

  /**
   * LDAP in clear text where the TLS handshake must come (after StartTLS's success, or on
   * ldaps://) closes the connection at once, as lloadd does, not at the handshake deadline.
   */
  @Test
  void clearTextWhereTheHandshakeMustComeIsClosedAtOnce() throws Exception {
    start(serverCert(CertificateCheck.NEVER));
    try (MessageClient c = MessageClient.connect(lb.port(0))) {
      c.send(new LDAPMessage(1, new ExtendedRequestProtocolOp(Oids.START_TLS, null)));
      assertThat(c.read().getExtendedResponseProtocolOp().getResultCode()).isZero();
      long start = System.nanoTime();
      c.send(MessageClient.search(2, "(uid=user.1)"));
      assertThat(c.readUntilClosed()).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
    try (MessageClient c = MessageClient.connect(lb.port(1))) {
      long start = System.nanoTime();
      c.send(MessageClient.search(1, "(uid=user.1)"));
      assertThat(c.readUntilClosed()).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void startTlsWithoutACertificateIsUnavailable() throws Exception {
    start(TlsSettings.listenerDefaults(), "ldap://127.0.0.1:0");
    try (LDAPConnection plain = new LDAPConnection("127.0.0.1", lb.port(0))) {
      LDAPException refused =
          catchLdap(() -> plain.processExtendedOperation(new ExtendedRequest(Oids.START_TLS)));
      assertThat(refused.getResultCode()).isEqualTo(ResultCode.UNAVAILABLE);
      assertThat(refused.getDiagnosticMessage()).isEqualTo("Could not initialize TLS");
      assertThat(countPeople(plain)).isEqualTo(5); // still in clear, still served
    }
  }

  /** Bind and StartTLS in one write: the bind is in flight when StartTLS is read. */
  @Test
  void startTlsDuringABindIsRefused() throws Exception {
    start(serverCert(CertificateCheck.NEVER));
    try (MessageClient c = MessageClient.connect(lb.port(0))) {
      c.send(
          new LDAPMessage(1, new BindRequestProtocolOp(SampleDirectory.userDn(1),
              SampleDirectory.USER_PASSWORD)),
          new LDAPMessage(2, new ExtendedRequestProtocolOp(Oids.START_TLS, null)));
      var finals = c.readFinals(1, 2);
      ExtendedResponseProtocolOp refused = finals.get(2).getExtendedResponseProtocolOp();
      assertThat(refused.getResultCode()).isEqualTo(ResultCode.OPERATIONS_ERROR_INT_VALUE);
      assertThat(refused.getDiagnosticMessage()).isEqualTo("bind in progress");
      assertThat(finals.get(1).getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.SUCCESS_INT_VALUE);
    }
  }

  /** A search and StartTLS in one write: the search is outstanding when StartTLS is read. */
  @Test
  void startTlsWithAnOperationOutstandingIsRefused() throws Exception {
    start(serverCert(CertificateCheck.NEVER));
    try (MessageClient c = MessageClient.connect(lb.port(0))) {
      c.send(MessageClient.search(1, "(objectClass=*)"),
          new LDAPMessage(2, new ExtendedRequestProtocolOp(Oids.START_TLS, null)));
      var finals = c.readFinals(1, 2);
      ExtendedResponseProtocolOp refused = finals.get(2).getExtendedResponseProtocolOp();
      assertThat(refused.getResultCode()).isEqualTo(ResultCode.OPERATIONS_ERROR_INT_VALUE);
      assertThat(refused.getDiagnosticMessage())
          .isEqualTo("cannot start TLS when operations are outstanding");
      assertThat(finals.get(1).getSearchResultDoneProtocolOp().getResultCode())
          .isEqualTo(ResultCode.SUCCESS_INT_VALUE);
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateFailsAloneAndOthersGoOn() throws Exception {
    start(serverCert(CertificateCheck.NEVER));
    try (LDAPConnection good = new LDAPConnection(
        trusting(certs.caCert()).createSSLSocketFactory(), "127.0.0.1", lb.port(1))) {
      SSLUtil untrusting = trusting(certs.foreignCaCert());
      assertThatThrownBy(() -> new LDAPConnection(untrusting.createSSLSocketFactory(),
          "127.0.0.1", lb.port(1)))
          .isInstanceOf(LDAPException.class);
      try (LDAPConnection plain = new LDAPConnection("127.0.0.1", lb.port(0))) {
        assertThatThrownBy(() -> plain.processExtendedOperation(
            new StartTLSExtendedRequest(untrusting.createSSLContext())))
            .isInstanceOf(LDAPException.class);
      }
      assertThat(countPeople(good)).isEqualTo(5);
    }
  }

  @Test
  void demandedClientCertificatesMustComeFromTheConfiguredCa() throws Exception {
    start(serverCert(CertificateCheck.DEMAND));
    SSLUtil withCert = new SSLUtil(
        new PEMFileKeyManager(certs.clientCert().toFile(), certs.clientKey().toFile()),
        new PEMFileTrustManager(certs.caCert().toFile()));
    try (LDAPConnection c =
        new LDAPConnection(withCert.createSSLSocketFactory(), "127.0.0.1", lb.port(1))) {
      assertThat(countPeople(c)).isEqualTo(5);
    }
    SSLUtil foreignCert = new SSLUtil(
        new AlwaysOfferedKeyManager(new PEMFileKeyManager(certs.foreignClientCert().toFile(),
            certs.foreignClientKey().toFile())),
        new PEMFileTrustManager(certs.caCert().toFile()));
    SSLUtil noCert = trusting(certs.caCert());
    for (SSLUtil refused : List.of(foreignCert, noCert)) {
      // TLS 1.3 may report the refusal only at the first read: either way no search succeeds.
      assertThatThrownBy(() -> {
        try (LDAPConnection c =
            new LDAPConnection(refused.createSSLSocketFactory(), "127.0.0.1", lb.port(1))) {
          countPeople(c);
        }
      }).isInstanceOf(LDAPException.class);
    }
  }

  @Test
  void newCertificateFilesServeNewConnectionsWhileOpenOnesKeepTheirSession(@TempDir Path dir)
      throws Exception {
    Path cert = dir.resolve("lb.pem");
    Path key = dir.resolve("lb.key");
    Files.copy(certs.serverCert(), cert);
    Files.copy(certs.serverKey(), key);
    start(TlsSettingsForTests.listener(cert, key, null, CertificateCheck.NEVER));
    SSLUtil ssl = trusting(certs.caCert());
    try (LDAPConnection before =
        new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", lb.port(1))) {
      BigInteger first = peerCertificate(before).getSerialNumber();

      BigInteger second = certs.newServerCertificate(dir, "next");
      // Key first, then certificate, each replaced whole, as an operator's tooling would.
      Files.move(dir.resolve("next.key"), key, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Files.move(dir.resolve("next.pem"), cert, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);

      await().atMost(Duration.ofSeconds(20)).until(() -> {
        try (LDAPConnection after =
            new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", lb.port(1))) {
          return peerCertificate(after).getSerialNumber().equals(second);
        }
      });
      assertThat(second).isNotEqualTo(first);
      assertThat(countPeople(before)).isEqualTo(5);
      assertThat(peerCertificate(before).getSerialNumber()).isEqualTo(first);
    }
  }

  @Test
  void aClientsCloseNotifyClosesTheConnectionWhileItsTcpStaysOpen() throws Exception {
    start(serverCert(CertificateCheck.NEVER));
    try (Socket tcp = new Socket("127.0.0.1", lb.port(1))) {
      // Layered over a socket of our own: ending TLS sends close_notify and no TCP FIN.
      SSLSocket tls = (SSLSocket) trusting(certs.caCert()).createSSLSocketFactory()
          .createSocket(tcp, "127.0.0.1", lb.port(1), false);
      tls.setEnabledProtocols(new String[] {"TLSv1.3"});
      tls.startHandshake();
      assertThat(tls.getSession().getProtocol()).isEqualTo("TLSv1.3");

      tls.shutdownOutput(); // TLS 1.3 half-close: close_notify, reading goes on
      assertThat(tcp.isOutputShutdown()).as("TCP still open for writing").isFalse();

      tls.setSoTimeout(10_000);
      assertThat(tls.getInputStream().read()).as("the balancer closed").isEqualTo(-1);
      tcp.setSoTimeout(10_000);
      assertThat(tcp.getInputStream().read()).as("and its TCP connection").isEqualTo(-1);
    }
  }

  private interface LdapCall {
    Object call() throws LDAPException;
  }

  private static LDAPException catchLdap(LdapCall call) {
    try {
      Object result = call.call();
      if (result instanceof ExtendedResult r) {
        return new LDAPException(r);
      }
      throw new AssertionError("no error: " + result);
    } catch (LDAPException e) {
      return e;
    }
  }
}
