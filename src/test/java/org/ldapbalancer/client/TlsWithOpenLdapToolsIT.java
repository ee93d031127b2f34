package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/** OpenLDAP's own tools through the balancer over StartTLS ({@code -ZZ}) and {@code ldaps://}. */
@Timeout(120)
class TlsWithOpenLdapToolsIT {
  private static final TestCertificates certs = TestCertificates.get();

  private InMemoryDirectoryServer upstream;
  private RunningBalancer lb;

  @BeforeEach
  void start() throws Exception {
    upstream = SampleDirectory.start("a", 5, 0);
    String url = "ldap://127.0.0.1:" + upstream.getListenPort();
    lb = RunningBalancer.builder()
        .server(url, 1, 1)
        .listenerTls(TlsSettingsForTests.listener(certs.serverCert(), certs.serverKey(),
            certs.caCert(), CertificateCheck.TRY))
        .listen("ldap://127.0.0.1:0", "ldaps://127.0.0.1:0")
        .start()
        .awaitReady(url);
  }

  @AfterEach
  void stop() {
    lb.close();
    upstream.shutDown(true);
  }

  private LdapTool plain(Map<String, String> tls) {
    return LdapTool.at("ldap://127.0.0.1:" + lb.port(0)).withTls(tls);
  }

  private LdapTool ldaps(Map<String, String> tls) {
    return LdapTool.at("ldaps://127.0.0.1:" + lb.port(1)).withTls(tls);
  }

  private static Map<String, String> trusting(java.nio.file.Path ca) {
    return Map.of("LDAPTLS_CACERT", ca.toString(), "LDAPTLS_REQCERT", "demand");
  }

  @Test
  void startTlsRequiredAndLdapsBothServeSearchesAndBinds() {
    Map<String, String> tls = trusting(certs.caCert());
    LdapTool.Result startTls =
        plain(tls).boundAs(SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD)
            .search("-ZZ", "-LLL", "-b", SampleDirectory.PEOPLE_DN, "-s", "one", "uid");
    assertThat(startTls.succeeded()).as(startTls.toString()).isTrue();
    assertThat(startTls.stdout()).contains("uid: user.1").contains("uid: user.4");

    LdapTool.Result overLdaps =
        ldaps(tls).search("-LLL", "-b", SampleDirectory.PEOPLE_DN, "-s", "one", "uid");
    assertThat(overLdaps.succeeded()).as(overLdaps.toString()).isTrue();
    assertThat(overLdaps.stdout()).contains("uid: user.3");
  }

  @Test
  void aToolThatDoesNotTrustTheBalancersCaIsRefusedAndOthersGoOn() {
    Map<String, String> wrongCa = trusting(certs.foreignCaCert());
    LdapTool.Result startTls = plain(wrongCa).search("-ZZ", "-b", SampleDirectory.PEOPLE_DN);
    assertThat(startTls.succeeded()).as(startTls.toString()).isFalse();
    assertThat(startTls.stderr()).containsIgnoringCase("connect error");
    LdapTool.Result overLdaps = ldaps(wrongCa).search("-b", SampleDirectory.PEOPLE_DN);
    assertThat(overLdaps.succeeded()).as(overLdaps.toString()).isFalse();

    LdapTool.Result good =
        ldaps(trusting(certs.caCert())).search("-LLL", "-b", SampleDirectory.PEOPLE_DN, "uid");
    assertThat(good.succeeded()).as(good.toString()).isTrue();
  }

  /**
   * A foreign certificate is refused too (ClientTlsIT, with a client that offers it anyway); the
   * OpenLDAP tools offer only a certificate from a CA the server names, so they cannot show it.
   */
  @Test
  void aToolWithAClientCertificateFromTheConfiguredCaIsServed() {
    Map<String, String> own = Map.of(
        "LDAPTLS_CACERT", certs.caCert().toString(),
        "LDAPTLS_CERT", certs.clientCert().toString(),
        "LDAPTLS_KEY", certs.clientKey().toString());
    LdapTool.Result accepted = ldaps(own).search("-LLL", "-b", SampleDirectory.PEOPLE_DN, "uid");
    assertThat(accepted.succeeded()).as(accepted.toString()).isTrue();
  }
}
