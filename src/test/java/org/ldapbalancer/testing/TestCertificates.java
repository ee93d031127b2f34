package org.ldapbalancer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time, written as PEM files into a fresh temporary directory: a test
 * CA; a server certificate for 127.0.0.1 and localhost; one for another host name; a foreign CA
 * with a server certificate of its own; client certificates from each CA; a CRL. Nothing here is
 * secret or kept: every JVM makes its own.
 *
 * <p>Thread-safe: {@link #get()} makes the set once; {@link #newServerCertificate} is synchronized.
 */
public final class TestCertificates {
  /** The subject of {@link #clientCert()}, as an LDAP DN. */
  public static final String CLIENT_DN = "cn=alice,ou=people,dc=example,dc=com";

  private static TestCertificates instance;

  private final Path dir;
  private final KeyPair caKeys;
  private final X509Certificate ca;
  private final AtomicLong serials = new AtomicLong(System.currentTimeMillis());

  private TestCertificates() throws IOException, GeneralSecurityException {
    dir = Files.createTempDirectory("ldap-balancer-certs");
    dir.toFile().deleteOnExit();
    caKeys = keys();
    ca = caCertificate("CN=ldap-balancer test CA,O=Example", caKeys);
    write("ca.pem", pem("CERTIFICATE", ca.getEncoded()));
    issue("server", "CN=127.0.0.1", List.of("127.0.0.1"), List.of("localhost"), caKeys, ca, true);
    issue("wronghost", "CN=wrong.example", List.of(), List.of("wrong.example"), caKeys, ca, true);
    issue("client", "CN=alice,OU=people,DC=example,DC=com", List.of(), List.of(), caKeys, ca,
        false);
    KeyPair foreignKeys = keys();
    X509Certificate foreign = caCertificate("CN=foreign test CA,O=Elsewhere", foreignKeys);
    write("foreign-ca.pem", pem("CERTIFICATE", foreign.getEncoded()));
    issue("foreign-server", "CN=127.0.0.1", List.of("127.0.0.1"), List.of("localhost"),
        foreignKeys, foreign, true);
    issue("foreign-client", "CN=mallory,OU=people,DC=example,DC=com", List.of(), List.of(),
        foreignKeys, foreign, false);
  }

  /** The set for this JVM, made on first use. */
  public static synchronized TestCertificates get() {
    if (instance == null) {
      try {
        instance = new TestCertificates();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return instance;
  }

  public Path dir() {
    return dir;
  }

  public Path caCert() {
    return dir.resolve("ca.pem");
  }

  public Path serverCert() {
    return dir.resolve("server.pem");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  public Path wrongHostCert() {
    return dir.resolve("wronghost.pem");
  }

  public Path wrongHostKey() {
    return dir.resolve("wronghost.key");
  }

  public Path foreignCaCert() {
    return dir.resolve("foreign-ca.pem");
  }

  public Path foreignServerCert() {
    return dir.resolve("foreign-server.pem");
  }

  public Path foreignServerKey() {
    return dir.resolve("foreign-server.key");
  }

  public Path clientCert() {
    return dir.resolve("client.pem");
  }

  public Path clientKey() {
    return dir.resolve("client.key");
  }

  public Path foreignClientCert() {
    return dir.resolve("foreign-client.pem");
  }

  public Path foreignClientKey() {
    return dir.resolve("foreign-client.key");
  }

  /**
   * A further certificate for 127.0.0.1 from the test CA, written to {@code name.pem} and {@code
   * name.key} in {@code target}; its serial number is returned, so a test can tell which
   * certificate a server offered.
   */
  public synchronized BigInteger newServerCertificate(Path target, String name) {
    try {
      return issueTo(target, name, "CN=127.0.0.1", List.of("127.0.0.1"), List.of("localhost"),
          caKeys, ca, true).getSerialNumber();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A CRL of the test CA revoking {@code revoked}, written to {@code target}. */
  public synchronized Path crlRevoking(Path target, X509Certificate... revoked) {
    try {
      Date now = new Date();
      X509v2CRLBuilder builder =
          new X509v2CRLBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
              now);
      builder.setNextUpdate(Date.from(Instant.now().plus(Duration.ofDays(1))));
      for (X509Certificate c : revoked) {
        builder.addCRLEntry(c.getSerialNumber(), now, CRLReason.keyCompromise);
      }
      var holder = builder.build(signer(caKeys.getPrivate()));
      var crl = new JcaX509CRLConverter().getCRL(holder);
      Files.writeString(target, pem("X509 CRL", crl.getEncoded()));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private void issue(String name, String subject, List<String> ips, List<String> dns,
      KeyPair issuerKeys, X509Certificate issuer, boolean server)
      throws IOException, GeneralSecurityException {
    issueTo(dir, name, subject, ips, dns, issuerKeys, issuer, server);
  }

  private X509Certificate issueTo(Path target, String name, String subject, List<String> ips,
      List<String> dns, KeyPair issuerKeys, X509Certificate issuer, boolean server)
      throws IOException, GeneralSecurityException {
    KeyPair keys = keys();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer.getSubjectX500Principal(),
            BigInteger.valueOf(serials.incrementAndGet()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(2))),
            new javax.security.auth.x500.X500Principal(subject),
            keys.getPublic());
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    builder.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
    builder.addExtension(Extension.subjectKeyIdentifier, false,
        utils.createSubjectKeyIdentifier(keys.getPublic()));
    builder.addExtension(Extension.authorityKeyIdentifier, false,
        utils.createAuthorityKeyIdentifier(issuer));
    List<GeneralName> names = new ArrayList<>();
    ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    if (!names.isEmpty()) {
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
    }
    X509Certificate cert = convert(builder, issuerKeys.getPrivate());
    Files.writeString(target.resolve(name + ".pem"), pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(target.resolve(name + ".key"),
        pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    return cert;
  }

  private static X509Certificate caCertificate(String subject, KeyPair keys)
      throws GeneralSecurityException, IOException {
    Instant now = Instant.now();
    var principal = new javax.security.auth.x500.X500Principal(subject);
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(principal, BigInteger.ONE,
            Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))),
            principal, keys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    builder.addExtension(Extension.subjectKeyIdentifier, false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
    return convert(builder, keys.getPrivate());
  }

  private static X509Certificate convert(JcaX509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer(signer)));
  }

  private static org.bouncycastle.operator.ContentSigner signer(PrivateKey key)
      throws GeneralSecurityException {
    try {
      return new JcaContentSignerBuilder("SHA256withRSA").build(key);
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /**
   * RSA: GnuTLS (Debian's slapd and ldap-utils) cannot read the JDK's PKCS#8 EC keys, which leave
   * out the optional public key.
   */
  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text);
  }

  static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
