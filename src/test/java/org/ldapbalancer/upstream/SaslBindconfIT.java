package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.ConfigValue;
import org.ldapbalancer.config.CrlCheck;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.SaslBind;
import org.ldapbalancer.config.TlsSettings;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdServer;
import org.ldapbalancer.testing.TestCertificates;

/**
 * {@code bindconf bindmethod=sasl} against a real slapd (its SASL through Cyrus SASL, passwords
 * from the directory's clear-text userPassword): the regular connections bind as the balancer's
 * account with PLAIN or DIGEST-MD5, and that identity is what lets forwarded operations carry the
 * Proxied Authorization control; EXTERNAL over StartTLS binds as the client certificate's
 * subject. A wrong password leaves no connection ready and says why.
 */
@Timeout(120)
class SaslBindconfIT {
  /** SASL identities ({@code uid=NAME,[cn=REALM,]cn=MECH,cn=auth}) name entries under the suffix. */
  private static final String SASL_MAPPING = String.join("\n",
      "authz-regexp \"^uid=([^,]+),(cn=[^,]+,)*cn=auth$\" \"cn=$1," + DirectoryData.SUFFIX + "\"",
      "sasl-host 127.0.0.1",
      // slapd refuses PLAIN without TLS by default (noplain); allowed here, on loopback.
      "sasl-secprops noanonymous",
      "");

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "DIGEST-MD5"})
  void regularConnectionsBindWithSaslAndCarryProxiedOperations(String mechanism) throws Exception {
    try (SlapdServer slapd = SlapdServer.builder().users(3).globalConfig(SASL_MAPPING).start();
        RunningBalancer lb = RunningBalancer.builder()
            .bindConf(sasl(mechanism, DirectoryData.BALANCER_PASSWORD))
            .server(slapd.url(), 2, 1).start().awaitReady(slapd.url());
        LDAPConnection anonymous = new LDAPConnection("127.0.0.1", lb.port())) {
      // Anonymous clients' operations carry the control, which slapd takes only from a
      // connection bound as an identity allowed to proxy: the SASL bind worked.
      SearchResult result = anonymous.search(DirectoryData.PEOPLE_DN, SearchScope.ONE,
          "(uid=user.1)", "cn");
      assertThat(result.getEntryCount()).isEqualTo(1);

      try (LDAPConnection user = new LDAPConnection("127.0.0.1", lb.port())) {
        user.bind(DirectoryData.userDn(2), DirectoryData.USER_PASSWORD);
        assertThat(user.search(DirectoryData.userDn(2), SearchScope.BASE, "(objectClass=*)",
            "telephoneNumber").getSearchEntries().get(0).getAttributeValue("telephoneNumber"))
            .as("the user's own, readable only as that user").isEqualTo(
                DirectoryData.telephoneNumber(2));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "DIGEST-MD5"})
  void aWrongPasswordLeavesNoConnectionReadyAndIsLogged(String mechanism) throws Exception {
    try (LogCapture log = LogCapture.of(ServerPool.class);
        SlapdServer slapd = SlapdServer.builder().users(1).globalConfig(SASL_MAPPING).start();
        RunningBalancer lb = RunningBalancer.builder()
            .bindConf(sasl(mechanism, "not-the-password"))
            .server(slapd.url(), 1, 1).start()) {
      await().atMost(Duration.ofSeconds(20))
          .until(() -> log.contains("the server refused the bindconf credentials (result 49"));
      assertThat(lb.balancer().readyConnections().getOrDefault(slapd.url(), 0)).isZero();
    }
  }

  /**
   * EXTERNAL over StartTLS: the identity is the subject of the balancer's client certificate
   * ({@code tls_cert}), which slapd takes as the bind DN; that entry may proxy.
   */
  @Test
  void externalBindsAsTheClientCertificatesSubject() throws Exception {
    TestCertificates certs = TestCertificates.get();
    String proxyEntry = String.join("\n",
        "dn: " + TestCertificates.CLIENT_DN,
        "objectClass: organizationalRole",
        "cn: alice",
        "authzTo: {0}dn.regex:.*",
        "");
    try (SlapdServer slapd = SlapdServer.builder().users(3).extraLdif(proxyEntry)
            .tls(new SlapdServer.Tls(certs.serverCert(), certs.serverKey(), certs.caCert()))
            .start()) {
      TlsSettings withCertificate = new TlsSettings(
          new ConfigValue("bindconf tls_cert", certs.clientCert().toString(), FILE, 1),
          new ConfigValue("bindconf tls_key", certs.clientKey().toString(), FILE, 1),
          new ConfigValue("bindconf tls_cacert", certs.caCert().toString(), FILE, 1),
          null, null, null, null, null, CertificateCheck.DEMAND, CrlCheck.NONE);
      BindConf external = new BindConf(BindMethod.SASL, "", "", Duration.ofSeconds(5),
          Duration.ZERO, withCertificate, new SaslBind("EXTERNAL", "", "", ""));
      try (RunningBalancer lb = RunningBalancer.builder().bindConf(external)
              .server(new BackendServer(LdapUrl.parse(slapd.url()), 1, 1, Duration.ofMillis(200),
                  0, 0, StartTls.CRITICAL))
              .start().awaitReady(slapd.url());
          LDAPConnection anonymous = new LDAPConnection("127.0.0.1", lb.port())) {
        assertThat(anonymous.search(DirectoryData.PEOPLE_DN, SearchScope.ONE, "(uid=user.1)",
            "cn").getEntryCount()).isEqualTo(1);
      }
    }
  }

  private static final java.nio.file.Path FILE = java.nio.file.Path.of("test.conf");

  private static BindConf sasl(String mechanism, String password) {
    return new BindConf(BindMethod.SASL, "", password, Duration.ofSeconds(5), Duration.ZERO,
        TlsSettings.upstreamDefaults(), new SaslBind(mechanism, "balancer", "", ""));
  }
}
