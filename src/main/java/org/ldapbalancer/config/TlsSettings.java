package org.ldapbalancer.config;

/**
 * One side's TLS settings as written: the listeners' ({@code TLSCertificateFile} and the other
 * {@code TLS*} directives) or the servers' ({@code bindconf tls_*} options). Files are named, not
 * read: the {@code tls} package reads them when it builds a context, and names the line of a file
 * that cannot be used. Immutable.
 *
 * @param certificateFile own certificate chain (PEM), or null
 * @param keyFile the private key of {@code certificateFile} (PEM, unencrypted), or null
 * @param caFile trusted CA certificates (PEM), or null
 * @param caPath a directory of trusted CA certificates (and, for CRL checks, CRLs), or null
 * @param crlFile certificate revocation lists (PEM or DER), or null
 * @param cipherSuite the cipher suite specification, or null for the provider's defaults
 * @param protocolMin the lowest protocol version, {@code 3.3} or {@code TLS1.2} style, or null
 * @param ecName key exchange groups (curves), or null for the defaults
 * @param verify how the peer's certificate is checked
 * @param crlCheck whether revocation lists are consulted
 */
public record TlsSettings(
    ConfigValue certificateFile,
    ConfigValue keyFile,
    ConfigValue caFile,
    ConfigValue caPath,
    ConfigValue crlFile,
    ConfigValue cipherSuite,
    ConfigValue protocolMin,
    ConfigValue ecName,
    CertificateCheck verify,
    CrlCheck crlCheck) {

  /** Nothing configured for the listeners: no certificate, clients not asked for one. */
  public static TlsSettings listenerDefaults() {
    return new TlsSettings(
        null, null, null, null, null, null, null, null, CertificateCheck.NEVER, CrlCheck.NONE);
  }

  /** Nothing configured towards the servers: certificates checked ({@code tls_reqcert=demand}). */
  public static TlsSettings upstreamDefaults() {
    return new TlsSettings(
        null, null, null, null, null, null, null, null, CertificateCheck.DEMAND, CrlCheck.NONE);
  }

  /** Whether an own certificate is configured. */
  public boolean hasCertificate() {
    return certificateFile != null;
  }
}
