package org.ldapbalancer.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.ConfigProblem;
import org.ldapbalancer.config.ConfigValue;
import org.ldapbalancer.config.CrlCheck;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.config.Tier;
import org.ldapbalancer.config.TierPolicy;
import org.ldapbalancer.config.TlsSettings;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;

/** Building contexts from the settings: every unusable file or value named with file and line. */
class TlsContextsTest {
  private static final TestCertificates certs = TestCertificates.get();
  private static final Path FILE = Path.of("lloadd.conf");

  @TempDir Path dir;

  private static BalancerConfig config(TlsSettings listener, TlsSettings upstream, boolean tls) {
    BindConf bind = new BindConf(BindMethod.NONE, "", "", Duration.ofSeconds(5), Duration.ZERO,
        upstream);
    BackendServer server = new BackendServer(LdapUrl.parse("ldap://127.0.0.1:1"), 1, 1,
        Duration.ofSeconds(1), 0, 0, tls ? StartTls.CRITICAL : StartTls.NO);
    return BalancerConfig.builder(bind, List.of(new Tier(TierPolicy.ROUNDROBIN, List.of(server))))
        .ioThreads(1)
        .ioTimeout(Duration.ofSeconds(10))
        .listenerTls(listener)
        .build();
  }

  private static ConfigValue at(String name, Object value, int line) {
    return new ConfigValue(name, value.toString(), FILE, line);
  }

  private static List<String> problems(BalancerConfig config) {
    TlsConfigException e = catchThrowableOfType(TlsConfigException.class,
        () -> TlsContexts.build(config));
    assertThat(e).as("refused").isNotNull();
    return e.problems().stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void usableFilesGiveBothContexts() throws Exception {
    TlsContexts contexts = TlsContexts.build(config(
        TlsSettingsForTests.listener(certs.serverCert(), certs.serverKey(), certs.caCert(),
            CertificateCheck.DEMAND),
        TlsSettingsForTests.upstream(certs.caCert()), true));
    assertThat(contexts.listener()).isNotNull();
    assertThat(contexts.upstream()).isNotNull();
    assertThat(contexts.reloadIfChanged()).isFalse(); // nothing changed
  }

  @Test
  void noTlsAnywhereBuildsNothing() throws Exception {
    TlsContexts contexts = TlsContexts.build(config(TlsSettings.listenerDefaults(),
        TlsSettings.upstreamDefaults(), false));
    assertThat(contexts.any()).isFalse();
  }

  @Test
  void missingFilesMismatchedKeysAndNonCertificatesAreNamedWithTheirLines() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
    TlsSettings listener = new TlsSettings(at("TLSCertificateFile", certs.wrongHostCert(), 1),
        at("TLSCertificateKeyFile", certs.serverKey(), 2),
        at("TLSCACertificateFile", dir.resolve("missing.pem"), 3),
        at("TLSCACertificatePath", empty, 4), null, null, null, null, CertificateCheck.TRY,
        CrlCheck.NONE);
    TlsSettings upstream = new TlsSettings(null, null, at("bindconf tls_cacert", empty, 7), null,
        null, at("bindconf tls_cipher_suite", "NO-SUCH-CIPHER:HIGH", 8), null, null,
        CertificateCheck.DEMAND, CrlCheck.NONE);
    assertThat(problems(config(listener, upstream, true))).containsExactly(
        "lloadd.conf:2: TLSCertificateKeyFile " + certs.serverKey()
            + ": the private key does not match the certificate in " + certs.wrongHostCert(),
        "lloadd.conf:3: TLSCACertificateFile " + dir.resolve("missing.pem") + ": no such file",
        "lloadd.conf:4: TLSCACertificatePath " + empty + ": not a directory",
        "lloadd.conf:7: bindconf tls_cacert " + empty
            + ": not a PEM or DER certificate: No certificate data found");
  }

  @Test
  void namedTrustFilesAreCheckedEvenWhenNoPeerCertificateIsAskedFor() throws Exception {
    // TLSVerifyClient never (the default) and tls_reqcert never: the files are still read, as
    // libldap reads them, so that a typo shows at start and not at the reload that needs them.
    TlsSettings listener = new TlsSettings(at("TLSCertificateFile", certs.serverCert(), 1),
        at("TLSCertificateKeyFile", certs.serverKey(), 2),
        at("TLSCACertificateFile", dir.resolve("missing-ca.pem"), 3), null,
        at("TLSCRLFile", dir.resolve("missing.crl"), 4), null, null, null,
        CertificateCheck.NEVER, CrlCheck.NONE);
    TlsSettings upstream = new TlsSettings(null, null,
        at("bindconf tls_cacert", dir.resolve("missing-upstream.pem"), 7), null, null, null,
        null, null, CertificateCheck.NEVER, CrlCheck.NONE);
    assertThat(problems(config(listener, upstream, true))).containsExactly(
        "lloadd.conf:3: TLSCACertificateFile " + dir.resolve("missing-ca.pem") + ": no such file",
        "lloadd.conf:4: TLSCRLFile " + dir.resolve("missing.crl") + ": no such file",
        "lloadd.conf:7: bindconf tls_cacert " + dir.resolve("missing-upstream.pem")
            + ": no such file");
  }

  @Test
  void unknownCipherSuitesAreErrorsAndOpenSslAndIanaNamesBothWork() throws Exception {
    TlsSettings bad = new TlsSettings(null, null, at("bindconf tls_cacert", certs.caCert(), 1),
        null, null, at("bindconf tls_cipher_suite", "NO-SUCH-CIPHER", 2), null, null,
        CertificateCheck.DEMAND, CrlCheck.NONE);
    assertThat(problems(config(TlsSettings.listenerDefaults(), bad, true))).containsExactly(
        "lloadd.conf:2: bindconf tls_cipher_suite NO-SUCH-CIPHER: unknown or unsupported cipher"
            + " suite NO-SUCH-CIPHER");
    TlsSettings good = new TlsSettings(null, null, at("bindconf tls_cacert", certs.caCert(), 1),
        null, null,
        at("bindconf tls_cipher_suite",
            "ECDHE-RSA-AES128-GCM-SHA256:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:!aNULL", 2),
        at("bindconf tls_protocol_min", "3.3", 3), null, CertificateCheck.DEMAND, CrlCheck.NONE);
    assertThat(TlsContexts.build(config(TlsSettings.listenerDefaults(), good, true)).upstream())
        .isNotNull();
  }

  @Test
  void protocolMinimumsFollowLloaddsNumbering() {
    assertThat(ContextBuilder.protocolIndex("3.1")).isZero(); // TLS 1.0
    assertThat(ContextBuilder.protocolIndex("3.3")).isEqualTo(2); // TLS 1.2
    assertThat(ContextBuilder.protocolIndex("3.4")).isEqualTo(3); // TLS 1.3
    assertThat(ContextBuilder.protocolIndex("TLS1.2")).isEqualTo(2);
    assertThat(ContextBuilder.protocolIndex("tlsv1.3")).isEqualTo(3);
    assertThat(ContextBuilder.protocolIndex("2.0")).isNegative(); // SSL 2: below the floor
  }
}
