package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.EXTERNALBindRequest;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ssl.PEMFileKeyManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.AlwaysOfferedKeyManager;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/**
 * SASL EXTERNAL through the balancer, which answers it itself from the client's TLS certificate:
 * OpenLDAP's {@code ldapwhoami -Y EXTERNAL} over {@code ldaps://} and StartTLS ({@code -ZZ}) in
 * front of a real slapd, which then sees the certificate's subject as the proxied identity; and
 * with the UnboundID SDK (which can offer any certificate), what is refused and with which code.
 */
@Timeout(180)
final class SaslExternalIT {
  private static final TestCertificates certs = TestCertificates.get();

  private static SlapdGroup slapds;
  private static RunningBalancer lb;

  @BeforeAll
  static void start() throws Exception {
    slapds = SlapdGroup.start(1, 3);
    lb =
        slapds
            .balancer(Duration.ZERO)
            .listenerTls(
                TlsSettingsForTests.listener(
                    certs.serverCert(), certs.serverKey(), certs.caCert(), CertificateCheck.TRY))
            .listen("ldap://127.0.0.1:0", "ldaps://127.0.0.1:0")
            .start()
            .awaitReady(slapds.urls());
  }

  @AfterAll
  static void stop() {
    try {
      if (lb != null) {
        lb.close();
      }
    } finally {
      if (slapds != null) {
        slapds.close();
      }
    }
  }

  private static Map<String, String> withCertificate(Path cert, Path key) {
    return Map.of(
        "LDAPTLS_CACERT", certs.caCert().toString(),
        "LDAPTLS_REQCERT", "demand",
        "LDAPTLS_CERT", cert.toString(),
        "LDAPTLS_KEY", key.toString());
  }

  @Test
  void ldapwhoamiOverLdapsShowsTheCertificatesSubject() {
    LdapTool.Result whoami =
        LdapTool.at("ldaps://127.0.0.1:" + lb.port(1))
            .withTls(withCertificate(certs.clientCert(), certs.clientKey()))
            .whoami("-Y", "EXTERNAL");
    assertThat(whoami.succeeded()).as("%s", whoami).isTrue();
    assertThat(whoami.stdout().trim()).isEqualTo("dn:" + TestCertificates.CLIENT_DN);
  }

  @Test
  void ldapwhoamiAfterStartTlsShowsTheCertificatesSubject() {
    LdapTool.Result whoami =
        LdapTool.at("ldap://127.0.0.1:" + lb.port(0))
            .withTls(withCertificate(certs.clientCert(), certs.clientKey()))
            .whoami("-ZZ", "-Y", "EXTERNAL");
    assertThat(whoami.succeeded()).as("%s", whoami).isTrue();
    assertThat(whoami.stdout().trim()).isEqualTo("dn:" + TestCertificates.CLIENT_DN);
  }

  @Test
  void theRootDseListsExternalOnlyWithAClientCertificate() {
    String[] rootDse = {"-LLL", "-b", "", "-s", "base", "supportedSASLMechanisms"};
    LdapTool.Result withCertificate =
        LdapTool.at("ldaps://127.0.0.1:" + lb.port(1))
            .withTls(withCertificate(certs.clientCert(), certs.clientKey()))
            .search(rootDse);
    assertThat(withCertificate.succeeded()).as("%s", withCertificate).isTrue();
    assertThat(withCertificate.stdout()).contains("supportedSASLMechanisms: EXTERNAL");

    LdapTool.Result without =
        LdapTool.at("ldaps://127.0.0.1:" + lb.port(1))
            .withTls(Map.of("LDAPTLS_CACERT", certs.caCert().toString()))
            .search(rootDse);
    assertThat(without.succeeded()).as("%s", without).isTrue();
    assertThat(without.stdout()).doesNotContain("EXTERNAL");
  }

  @Test
  void aToolWithAForeignCertificateOrNoneIsRefused() {
    for (Map<String, String> tls :
        List.of(
            withCertificate(certs.foreignClientCert(), certs.foreignClientKey()),
            Map.of("LDAPTLS_CACERT", certs.caCert().toString(), "LDAPTLS_REQCERT", "demand"))) {
      LdapTool.Result whoami =
          LdapTool.at("ldaps://127.0.0.1:" + lb.port(1)).withTls(tls).whoami("-Y", "EXTERNAL");
      // GnuTLS offers no certificate that the server's list of CAs does not name, so both are
      // "no certificate", and then the tools' SASL library does not even try EXTERNAL. That
      // the balancer refuses what reaches it is shown with the UnboundID SDK below.
      assertThat(whoami.succeeded()).as("%s", whoami).isFalse();
      assertThat(whoami.stdout()).as("%s", whoami).doesNotContain("dn:");
      assertThat(whoami.stderr()).as("%s", whoami).contains("no mechanism available");
    }
  }

  @Test
  void overPlainLdapExternalIsInappropriate() throws Exception {
    try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port(0))) {
      assertThat(bind(c, new EXTERNALBindRequest()))
          .isEqualTo(ResultCode.INAPPROPRIATE_AUTHENTICATION);
    }
  }

  /**
   * With {@code TLSVerifyClient allow} a certificate from a foreign CA passes the handshake, but
   * not the EXTERNAL bind; an authorization identity other than the certificate's is refused; the
   * identity reaches the server in the Proxied Authorization control.
   */
  @Test
  void underAllowAForeignCertificateIsInvalidAndOnlyTheCertificatesIdentityIsGranted()
      throws Exception {
    try (RecordingDirectory server = RecordingDirectory.start("ext", 3);
        RunningBalancer allowing =
            RunningBalancer.builder()
                .server(server.url(), 1, 1)
                .listenerTls(
                    TlsSettingsForTests.listener(
                        certs.serverCert(), certs.serverKey(), certs.caCert(),
                        CertificateCheck.ALLOW))
                .listen("ldaps://127.0.0.1:0")
                .start()
                .awaitReady(server.url())) {
      SSLUtil foreign =
          new SSLUtil(
              new AlwaysOfferedKeyManager(
                  new PEMFileKeyManager(
                      certs.foreignClientCert().toFile(), certs.foreignClientKey().toFile())),
              new PEMFileTrustManager(certs.caCert().toFile()));
      try (LDAPConnection c =
          new LDAPConnection(foreign.createSSLSocketFactory(), "127.0.0.1", allowing.port())) {
        assertThat(bind(c, new EXTERNALBindRequest())).isEqualTo(ResultCode.INVALID_CREDENTIALS);
      }

      SSLUtil own =
          new SSLUtil(
              new PEMFileKeyManager(certs.clientCert().toFile(), certs.clientKey().toFile()),
              new PEMFileTrustManager(certs.caCert().toFile()));
      try (LDAPConnection c =
          new LDAPConnection(own.createSSLSocketFactory(), "127.0.0.1", allowing.port())) {
        assertThat(bind(c, new EXTERNALBindRequest("dn:uid=someone,dc=example,dc=com")))
            .isEqualTo(ResultCode.INSUFFICIENT_ACCESS_RIGHTS);
        assertThat(bind(c, new EXTERNALBindRequest("dn:CN=alice, OU=people,DC=example,DC=com")))
            .isEqualTo(ResultCode.SUCCESS);
        assertThat(bind(c, new EXTERNALBindRequest())).isEqualTo(ResultCode.SUCCESS);
        try {
          c.search(SampleDirectory.BASE_DN, SearchScope.BASE, "(description=after-external)");
        } catch (LDAPException e) {
          // The in-memory server has no entry for the certificate's subject and refuses to
          // act as it; what matters here is the identity the request arrived with.
          assertThat(e.getResultCode()).isEqualTo(ResultCode.AUTHORIZATION_DENIED);
        }
      }
      var searches = server.requests(r -> r.filter().equals("(description=after-external)"));
      assertThat(searches).hasSize(1);
      assertThat(searches.get(0).proxiedAuthz()).isEqualTo("dn:" + TestCertificates.CLIENT_DN);
      assertThat(server.requests(r -> r.op() instanceof BindRequestProtocolOp b
              && b.getSASLMechanism() != null))
          .as("EXTERNAL never goes upstream")
          .isEmpty();
    }
  }

  @Test
  void withTlsVerifyClientNeverThereIsNoCertificateToBindWith() throws Exception {
    try (RecordingDirectory server = RecordingDirectory.start("never", 1);
        RunningBalancer notAsking =
            RunningBalancer.builder()
                .server(server.url(), 1, 1)
                .listenerTls(
                    TlsSettingsForTests.listener(
                        certs.serverCert(), certs.serverKey(), certs.caCert(),
                        CertificateCheck.NEVER))
                .listen("ldaps://127.0.0.1:0")
                .start()
                .awaitReady(server.url())) {
      SSLUtil own =
          new SSLUtil(
              new PEMFileKeyManager(certs.clientCert().toFile(), certs.clientKey().toFile()),
              new PEMFileTrustManager(certs.caCert().toFile()));
      try (LDAPConnection c =
          new LDAPConnection(own.createSSLSocketFactory(), "127.0.0.1", notAsking.port())) {
        assertThat(bind(c, new EXTERNALBindRequest()))
            .isEqualTo(ResultCode.INAPPROPRIATE_AUTHENTICATION);
      }
    }
  }

  private static ResultCode bind(LDAPConnection c, EXTERNALBindRequest request) {
    try {
      BindResult result = c.bind(request);
      return result.getResultCode();
    } catch (LDAPException e) {
      return e.getResultCode();
    }
  }
}
