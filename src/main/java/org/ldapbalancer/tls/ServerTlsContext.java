package org.ldapbalancer.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509ExtendedTrustManager;
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
   * Whether a client's certificate chain is trusted by the configured CAs, whatever {@code
   * TLSVerifyClient} let through during the handshake ({@code allow} lets bad ones in).
   */
  public boolean trusts(X509Certificate[] chain) {
    X509ExtendedTrustManager trust = current().strictTrust();
    if (trust == null || chain == null || chain.length == 0) {
      return false;
    }
    try {
      trust.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
      return true;
    } catch (CertificateException | RuntimeException e) {
      return false;
    }
  }
}
