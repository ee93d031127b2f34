package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TestCertificates;
import org.ldapbalancer.testing.TlsSettingsForTests;
import org.ldapbalancer.tls.TlsContexts;

/**
 * A reload (SIGHUP) reads renewed certificate files at once: the next {@code ldaps://} client
 * gets the new certificate, without waiting for the periodic check of the files (set to an hour
 * here, so that only the reload can have read them), and a client connected before keeps its
 * session.
 */
@Timeout(120)
class ReloadReadsRenewedCertificatesIT {
  private static final String CHECK_PROPERTY = "ldapbalancer.tls.reloadCheckMillis";

  @Test
  void theNextClientGetsTheRenewedCertificate(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.get();
    Path cert = dir.resolve("lb.pem");
    Path key = dir.resolve("lb.key");
    Files.copy(certs.serverCert(), cert);
    Files.copy(certs.serverKey(), key);
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RunningBalancer lb = startWithoutPeriodicCheck(a.url(), cert, key)) {
      SSLUtil ssl = new SSLUtil(new PEMFileTrustManager(certs.caCert().toFile()));
      try (LDAPConnection before =
          new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", lb.port(1))) {
        BigInteger first = peerCertificate(before).getSerialNumber();
        BigInteger renewed = certs.newServerCertificate(dir, "next");
        Files.move(dir.resolve("next.key"), key, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        Files.move(dir.resolve("next.pem"), cert, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);

        var config = RunningBalancer.builder()
            .server(a.url(), 1, 1)
            .listenerTls(TlsSettingsForTests.listener(cert, key, null, CertificateCheck.NEVER))
            .config();
        assertThat(lb.balancer().reload(config, TlsContexts.build(config))).isEmpty();

        try (LDAPConnection after =
            new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", lb.port(1))) {
          assertThat(peerCertificate(after).getSerialNumber()).isEqualTo(renewed);
        }
        assertThat(renewed).isNotEqualTo(first);
        assertThat(peerCertificate(before).getSerialNumber()).isEqualTo(first);
        assertThat(before.getRootDSE()).isNotNull();
      }
    }
  }

  private static RunningBalancer startWithoutPeriodicCheck(String server, Path cert, Path key)
      throws Exception {
    String was = System.getProperty(CHECK_PROPERTY);
    System.setProperty(CHECK_PROPERTY, "3600000"); // read when the balancer starts watching
    try {
      return RunningBalancer.builder()
          .server(server, 1, 1)
          .listenerTls(TlsSettingsForTests.listener(cert, key, null, CertificateCheck.NEVER))
          .listen("ldap://127.0.0.1:0", "ldaps://127.0.0.1:0")
          .start()
          .awaitReady(server);
    } finally {
      if (was == null) {
        System.clearProperty(CHECK_PROPERTY);
      } else {
        System.setProperty(CHECK_PROPERTY, was);
      }
    }
  }

  private static X509Certificate peerCertificate(LDAPConnection c) throws Exception {
    return (X509Certificate) c.getSSLSession().getPeerCertificates()[0];
  }
}
