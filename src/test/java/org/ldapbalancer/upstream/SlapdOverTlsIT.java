package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdServer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/**
 * A real slapd that refuses everything without TLS ({@code security tls=1}): through the
 * balancer with {@code starttls=critical} it serves, so the leg to it is encrypted; without
 * StartTLS the same server is never usable. OpenLDAP's tools use StartTLS to the balancer too.
 */
@Timeout(120)
class SlapdOverTlsIT {
  private static final TestCertificates certs = TestCertificates.get();

  private SlapdServer slapd;
  private RunningBalancer lb;

  @AfterEach
  void stop() {
    if (lb != null) {
      lb.close();
    }
    if (slapd != null) {
      slapd.close();
    }
  }

  private RunningBalancer balancer(StartTls startTls) throws Exception {
    BindConf bindConf = new BindConf(BindMethod.SIMPLE, DirectoryData.BALANCER_DN,
        DirectoryData.BALANCER_PASSWORD, Duration.ofSeconds(5), Duration.ZERO,
        TlsSettingsForTests.upstream(certs.caCert()));
    return RunningBalancer.builder()
        .bindConf(bindConf)
        .server(new BackendServer(LdapUrl.parse(slapd.url()), 1, 1, Duration.ofMillis(200), 0, 0,
            startTls))
        .listenerTls(TlsSettingsForTests.listener(certs.serverCert(), certs.serverKey(),
            certs.caCert(), CertificateCheck.NEVER))
        .start();
  }

  private LdapTool.Result searchThroughBalancer() {
    return LdapTool.at(lb.url())
        .withTls(Map.of("LDAPTLS_CACERT", certs.caCert().toString()))
        .boundAs(DirectoryData.userDn(7), DirectoryData.USER_PASSWORD)
        .search("-ZZ", "-LLL", "-b", DirectoryData.userDn(7), "-s", "base", "uid");
  }

  @Test
  void aServerThatRequiresTlsIsServedOverStartTls() throws Exception {
    slapd = SlapdServer.builder().users(10)
        .tls(new SlapdServer.Tls(certs.serverCert(), certs.serverKey(), certs.caCert()))
        .requireTls().start();
    // The fixture itself: the server really refuses clear text.
    LdapTool.Result direct = LdapTool.at(slapd.url())
        .boundAs(DirectoryData.userDn(7), DirectoryData.USER_PASSWORD)
        .search("-b", DirectoryData.userDn(7), "-s", "base");
    assertThat(direct.exitCode()).as(direct.toString()).isEqualTo(13); // confidentialityRequired

    lb = balancer(StartTls.CRITICAL).awaitReady(slapd.url());
    LdapTool.Result result = searchThroughBalancer();
    assertThat(result.succeeded()).as(result.toString()).isTrue();
    assertThat(result.stdout()).contains("uid: user.7");
  }

  @Test
  void withoutStartTlsTheSameServerIsNeverUsable() throws Exception {
    slapd = SlapdServer.builder().users(10)
        .tls(new SlapdServer.Tls(certs.serverCert(), certs.serverKey(), certs.caCert()))
        .requireTls().start();
    lb = balancer(StartTls.NO);
    LdapTool.Result result = searchThroughBalancer();
    assertThat(result.succeeded()).as(result.toString()).isFalse();
    assertThat(lb.balancer().readyConnections().getOrDefault(slapd.url(), 0)).isZero();
  }
}
