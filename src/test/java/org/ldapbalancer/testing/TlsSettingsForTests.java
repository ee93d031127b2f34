package org.ldapbalancer.testing;

import java.nio.file.Path;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.ConfigValue;
import org.ldapbalancer.config.CrlCheck;
import org.ldapbalancer.config.TlsSettings;

/** {@link TlsSettings} as a test would write them in lloadd.conf, located at a made-up line. */
public final class TlsSettingsForTests {
  private static final Path FILE = Path.of("test.conf");

  private TlsSettingsForTests() {}

  /** The listeners' settings: a certificate and key, CA for client certificates, a check level. */
  public static TlsSettings listener(Path cert, Path key, Path ca, CertificateCheck verify) {
    return new TlsSettings(value("TLSCertificateFile", cert, 1),
        value("TLSCertificateKeyFile", key, 2), value("TLSCACertificateFile", ca, 3), null, null,
        null, null, null, verify, CrlCheck.NONE);
  }

  /** Towards the servers: the CA that signed them, certificates demanded. */
  public static TlsSettings upstream(Path ca) {
    return new TlsSettings(null, null, value("bindconf tls_cacert", ca, 10), null, null, null,
        null, null, CertificateCheck.DEMAND, CrlCheck.NONE);
  }

  private static ConfigValue value(String name, Path path, int line) {
    return path == null ? null : new ConfigValue(name, path.toString(), FILE, line);
  }
}
