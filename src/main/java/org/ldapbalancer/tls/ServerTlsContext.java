package org.ldapbalancer.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509ExtendedTrustManager;
import org.ldapbalancer.config.CertificateCheck;
import org.ldapbalancer.config.TlsSettings;

/**
 * The listeners' TLS: the certificate offered on {@code ldaps://} and after StartTLS, and the
 * check of clients' certificates ({@code TLSVerifyClient}). Thread-safe.
 */
public final class ServerTlsContext extends ReloadableContext {
  private final TlsSettings settings;
  private final TlsProvider provider;

  private ServerTlsContext(TlsSettings settings, TlsProvider provider, ContextBuilder.Built first) {
    super("listener TLS", first);
    this.settings = settings;
    this.provider = provider;
  }

  /**
   * Reads the files and builds the context.
   *
   * @throws TlsConfigException naming the file and line of each setting that cannot be used
   */
  public static ServerTlsContext build(TlsSettings settings, TlsProvider provider)
      throws TlsConfigException {
    return new ServerTlsContext(settings, provider, ContextBuilder.server(settings, provider));
  }

  @Override
  ContextBuilder.Built rebuild() throws TlsConfigException {
    return ContextBuilder.server(settings, provider);
  }

  /** A handler for a new client connection, with the certificate in force now. */
  public SslHandler newHandler(ByteBufAllocator alloc) {
    return current().context().newHandler(alloc);
  }

  /**
   * Why a client's certificate chain is not trusted by the configured CAs, whatever {@code
   * TLSVerifyClient} let through during the handshake ({@code allow} lets bad ones in); null when
   * it is trusted.
   */
  public String whyUntrusted(X509Certificate[] chain) {
    X509ExtendedTrustManager trust = current().strictTrust();
    if (chain == null || chain.length == 0) {
      return "no client certificate";
    }
    try {
      chain[0].checkValidity();
    } catch (CertificateExpiredException e) {
      return "the client certificate expired on " + chain[0].getNotAfter().toInstant();
    } catch (CertificateNotYetValidException e) {
      return "the client certificate is not valid before " + chain[0].getNotBefore().toInstant();
    }
    if (trust == null) {
      return "no CA certificates are configured to check it (TLSCACertificateFile)";
    }
    try {
      trust.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
      return null;
    } catch (CertificateException | RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof CertPathValidatorException v
            && v.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
          return "the client certificate has been revoked";
        }
      }
      return "the client certificate is not signed by a trusted CA";
    }
  }

  /** Whether {@code TLSVerifyClient} asks clients for a certificate (anything but never). */
  public boolean asksForCertificates() {
    return settings.verify() != CertificateCheck.NEVER;
  }
}
