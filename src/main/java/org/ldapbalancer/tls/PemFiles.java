package org.ldapbalancer.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CRL;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads certificates, private keys and revocation lists from the files OpenLDAP's configuration
 * names (PEM; DER for single certificates and CRLs). Failures are {@link TlsFileException}s with
 * a message fit for an operator; the caller adds file and line. Stateless.
 */
final class PemFiles {
  private static final Pattern PEM_BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s:,-]*?)-----END \\1-----",
          Pattern.DOTALL);

  /** PKCS#1 RSA key inside a PKCS#8 envelope: the fixed DER before the key's own bytes. */
  private static final byte[] RSA_ALGORITHM_ID = {
    0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
    0x01, 0x05, 0x00
  };

  private PemFiles() {}

  /** A file that cannot be used, and why. */
  static final class TlsFileException extends Exception {
    TlsFileException(String message) {
      super(message);
    }
  }

  static byte[] read(Path file) throws TlsFileException {
    try {
      if (Files.isDirectory(file)) {
        throw new TlsFileException("is a directory");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new TlsFileException("no such file");
    } catch (AccessDeniedException e) {
      throw new TlsFileException("permission denied");
    } catch (IOException e) {
      throw new TlsFileException("cannot read: " + e.getMessage());
    }
  }

  /** One or more certificates, PEM (several appended) or a single DER one. */
  static List<X509Certificate> certificates(Path file) throws TlsFileException {
    byte[] bytes = read(file);
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (var c : factory.generateCertificates(new ByteArrayInputStream(bytes))) {
        certificates.add((X509Certificate) c);
      }
    } catch (CertificateException | RuntimeException e) {
      throw new TlsFileException("not a PEM or DER certificate: " + e.getMessage());
    }
    if (certificates.isEmpty()) {
      throw new TlsFileException("no certificate in the file");
    }
    return certificates;
  }

  /** Revocation lists, PEM or DER. */
  static List<X509CRL> crls(Path file) throws TlsFileException {
    byte[] bytes = read(file);
    List<X509CRL> crls = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (CRL crl : factory.generateCRLs(new ByteArrayInputStream(bytes))) {
        crls.add((X509CRL) crl);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new TlsFileException("not a PEM or DER certificate revocation list: " + e.getMessage());
    }
    if (crls.isEmpty()) {
      throw new TlsFileException("no certificate revocation list in the file");
    }
    return crls;
  }

  /**
   * The files of a CA directory ({@code TLSCACertificatePath}, {@code tls_cacertdir}), in name
   * order: OpenSSL's hashed links ({@code 1a2b3c4d.0}) and plain {@code *.pem} / {@code *.crt}
   * files alike. Files that hold neither certificates nor CRLs are skipped, as OpenSSL does.
   */
  static List<Path> directory(Path dir) throws TlsFileException {
    if (!Files.isDirectory(dir)) {
      throw new TlsFileException(Files.exists(dir) ? "not a directory" : "no such directory");
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (AccessDeniedException e) {
      throw new TlsFileException("permission denied");
    } catch (IOException e) {
      throw new TlsFileException("cannot list: " + e.getMessage());
    }
  }

  /**
   * An unencrypted private key: PKCS#8 ({@code BEGIN PRIVATE KEY}), or PKCS#1 RSA ({@code BEGIN
   * RSA PRIVATE KEY}). lloadd does not take encrypted keys either.
   */
  static PrivateKey privateKey(Path file) throws TlsFileException {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    Matcher m = PEM_BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      String body = m.group(2);
      if (body.contains(":")) {
        throw new TlsFileException("the private key is encrypted; it must not be");
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(body);
      } catch (IllegalArgumentException e) {
        throw new TlsFileException("bad PEM encoding: " + e.getMessage());
      }
      switch (type) {
        case "PRIVATE KEY" -> {
          return pkcs8(der);
        }
        case "RSA PRIVATE KEY" -> {
          return pkcs8(rsaToPkcs8(der));
        }
        case "ENCRYPTED PRIVATE KEY" ->
            throw new TlsFileException("the private key is encrypted; it must not be");
        case "EC PRIVATE KEY" ->
            throw new TlsFileException(
                "SEC1 EC keys are not read; convert with: openssl pkcs8 -topk8 -nocrypt");
        default -> {}
      }
    }
    throw new TlsFileException("no PEM private key in the file");
  }

  private static PrivateKey pkcs8(byte[] der) throws TlsFileException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException | RuntimeException e) {
        // not this algorithm; try the next
      }
    }
    throw new TlsFileException("not a private key of a known algorithm (RSA, EC, Ed25519)");
  }

  /** Wraps a PKCS#1 RSAPrivateKey in PKCS#8's PrivateKeyInfo (RFC 5208). */
  private static byte[] rsaToPkcs8(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octet = derElement(0x04, pkcs1);
    byte[] body = new byte[version.length + RSA_ALGORITHM_ID.length + octet.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(RSA_ALGORITHM_ID, 0, body, version.length, RSA_ALGORITHM_ID.length);
    System.arraycopy(octet, 0, body, version.length + RSA_ALGORITHM_ID.length, octet.length);
    return derElement(0x30, body);
  }

  private static byte[] derElement(int tag, byte[] content) {
    int n = content.length;
    byte[] length;
    if (n < 0x80) {
      length = new byte[] {(byte) n};
    } else if (n < 0x100) {
      length = new byte[] {(byte) 0x81, (byte) n};
    } else if (n < 0x10000) {
      length = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    } else {
      length = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }
    byte[] out = new byte[1 + length.length + n];
    out[0] = (byte) tag;
    System.arraycopy(length, 0, out, 1, length.length);
    System.arraycopy(content, 0, out, 1 + length.length, n);
    return out;
  }
}
