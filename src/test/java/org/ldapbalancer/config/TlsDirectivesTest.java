package org.ldapbalancer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.config.ConfigFixture.errors;
import static org.ldapbalancer.config.ConfigFixture.parse;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The listeners' TLS directives and bindconf's tls_* options, as lloadd.conf(5) names them. */
class TlsDirectivesTest {
  private static final String SERVER = "backend-server uri=ldap://a.example";

  @Test
  void listenerDirectivesAreReadWithWhereTheyWereWritten() throws Exception {
    TlsSettings tls =
        parse(
                "TLSCertificateFile /etc/ssl/lb.pem",
                "tlscertificatekeyfile /etc/ssl/lb.key",
                "TLSCACertificateFile /etc/ssl/ca.pem",
                "TLSCACertificatePath /etc/ssl/certs",
                "TLSCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256",
                "TLSProtocolMin 3.3",
                "TLSVerifyClient hard",
                "TLSCRLCheck peer",
                "TLSCRLFile /etc/ssl/ca.crl",
                "TLSECName prime256v1",
                "TLSShareSlapdCTX off",
                SERVER)
            .listenerTls();
    assertThat(tls.certificateFile())
        .isEqualTo(new ConfigValue("TLSCertificateFile", "/etc/ssl/lb.pem", ConfigFixture.FILE, 1));
    assertThat(tls.keyFile().line()).isEqualTo(2);
    assertThat(tls.caPath().value()).isEqualTo("/etc/ssl/certs");
    assertThat(tls.protocolMin().value()).isEqualTo("3.3");
    assertThat(tls.verify()).isEqualTo(CertificateCheck.DEMAND);
    assertThat(tls.crlCheck()).isEqualTo(CrlCheck.PEER);
    assertThat(tls.ecName().value()).isEqualTo("prime256v1");
  }

  @Test
  void everyWordLibldapTakesForTheCheckIsAcceptedInAnyCase() throws Exception {
    for (String demand : List.of("demand", "HARD", "On", "yes", "TRUE", "1", "2")) {
      assertThat(parse("TLSVerifyClient " + demand, SERVER).listenerTls().verify())
          .as(demand)
          .isEqualTo(CertificateCheck.DEMAND);
      assertThat(parse("bindconf bindmethod=none tls_reqcert=" + demand.replaceAll("[0-9]", "hard"),
              SERVER).bindConf().tls().verify())
          .isEqualTo(CertificateCheck.DEMAND);
    }
    assertThat(parse("TLSVerifyClient NEVER", SERVER).listenerTls().verify())
        .isEqualTo(CertificateCheck.NEVER);
    assertThat(parse("TLSVerifyClient 0", SERVER).listenerTls().verify())
        .isEqualTo(CertificateCheck.NEVER);
    assertThat(parse("TLSVerifyClient Allow", SERVER).listenerTls().verify())
        .isEqualTo(CertificateCheck.ALLOW);
    assertThat(parse("TLSVerifyClient 3", SERVER).listenerTls().verify())
        .isEqualTo(CertificateCheck.ALLOW);
    assertThat(parse("TLSVerifyClient 4", SERVER).listenerTls().verify())
        .isEqualTo(CertificateCheck.TRY);
    assertThat(parse("bindconf bindmethod=none tls_reqcert=Try", SERVER).bindConf().tls().verify())
        .isEqualTo(CertificateCheck.TRY);
  }

  @Test
  void offAndNoAreNotLevelsForLibldapEither() {
    // ldap_pvt_tls_config knows no "off" or "no"; tls_reqcert takes no number.
    assertThat(errors("TLSVerifyClient off", "TLSVerifyClient 5",
            "bindconf bindmethod=none tls_reqcert=no tls_reqcert=0", SERVER))
        .containsExactly(
            "lloadd.conf:1: TLSVerifyClient: bad value \"off\": expected never, allow, try or"
                + " demand",
            "lloadd.conf:2: TLSVerifyClient: bad value \"5\": expected never, allow, try or"
                + " demand",
            "lloadd.conf:3: bindconf: bad value tls_reqcert=no: expected never, allow, try or"
                + " demand",
            "lloadd.conf:3: bindconf: bad value tls_reqcert=0: expected never, allow, try or"
                + " demand");
  }

  @Test
  void withoutDirectivesClientsAreNotAskedForCertificates() throws Exception {
    TlsSettings tls = parse(SERVER).listenerTls();
    assertThat(tls.hasCertificate()).isFalse();
    assertThat(tls.verify()).isEqualTo(CertificateCheck.NEVER);
  }

  @Test
  void badWordsAndAHalfConfiguredCertificateAreErrors() {
    assertThat(
            errors(
                "TLSVerifyClient sometimes",
                "TLSProtocolMin newest",
                "TLSCRLCheck maybe",
                "TLSCertificateFile /etc/ssl/lb.pem",
                "TLSShareSlapdCTX perhaps",
                SERVER))
        .containsExactly(
            "lloadd.conf:1: TLSVerifyClient: bad value \"sometimes\": expected never, allow, try"
                + " or demand",
            "lloadd.conf:2: TLSProtocolMin: bad value \"newest\": expected <major>[.<minor>]"
                + " (3.3 is TLS 1.2) or TLS1.2",
            "lloadd.conf:3: TLSCRLCheck: bad value \"maybe\": expected none, peer or all",
            "lloadd.conf:5: TLSShareSlapdCTX: bad value \"perhaps\": expected on or off",
            "lloadd.conf:4: a certificate file is set but no private key file");
  }

  @Test
  void bindconfTlsOptionsDefaultToDemandingACheckedCertificate() throws Exception {
    BindConf plain = parse("bindconf bindmethod=none tls_cacert=/etc/ssl/ca.pem", SERVER)
        .bindConf();
    assertThat(plain.tls().verify()).isEqualTo(CertificateCheck.DEMAND);
    assertThat(plain.tls().caFile().name()).isEqualTo("bindconf tls_cacert");

    BindConf relaxed =
        parse(
                "bindconf bindmethod=none tls_reqcert=never tls_protocol_min=TLS1.3",
                "  tls_cert=/c.pem tls_key=/c.key tls_crlcheck=all tls_cacertdir=/etc/ssl/certs",
                SERVER)
            .bindConf();
    assertThat(relaxed.tls().verify()).isEqualTo(CertificateCheck.NEVER);
    assertThat(relaxed.tls().protocolMin().value()).isEqualTo("TLS1.3");
    assertThat(relaxed.tls().keyFile().line()).isEqualTo(2);
    assertThat(relaxed.tls().crlCheck()).isEqualTo(CrlCheck.ALL);
  }

  @Test
  void badBindconfTlsValuesAreErrors() {
    assertThat(errors("bindconf bindmethod=none tls_reqcert=always tls_key=/k.pem", SERVER))
        .containsExactly(
            "lloadd.conf:1: bindconf: bad value tls_reqcert=always: expected never, allow, try or"
                + " demand",
            "lloadd.conf:1: a private key file is set but no certificate file");
  }
}
