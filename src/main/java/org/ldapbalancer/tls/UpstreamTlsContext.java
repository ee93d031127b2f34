package org.ldapbalancer.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import org.ldapbalancer.config.TlsSettings;

/**
 * TLS towards the servers ({@code bindconf tls_*}): for {@code ldaps://} servers and {@code
 * starttls=yes|critical}. The server's certificate and its name (DNS or IP subjectAltName against
 * the host of the server's URL, RFC 4513 §3.1.3) are checked unless {@code tls_reqcert} says
 * otherwise. Thread-safe.
 */
public final class UpstreamTlsContext extends ReloadableContext {
  private final TlsSettings settings;
  private final TlsSettings caFallback;
  private final TlsProvider provider;

  private UpstreamTlsContext(
      TlsSettings settings,
      TlsSettings caFallback,
      TlsProvider provider,
      ContextBuilder.Built first) {
    super("server TLS (bindconf tls_*)", first);
    this.settings = settings;
    this.caFallback = caFallback;
    this.provider = provider;
  }

  /**
   * Reads the files and builds the context.
   *
   * @param caFallback the listeners' settings, whose CA certificates are trusted when {@code
   *     settings} names none
   * @throws TlsConfigException naming the file and line of each setting that cannot be used
   */
  public static UpstreamTlsContext build(
      TlsSettings settings, TlsSettings caFallback, TlsProvider provider)
      throws TlsConfigException {
    return new UpstreamTlsContext(
        settings, caFallback, provider, ContextBuilder.client(settings, caFallback, provider));
  }

  @Override
  ContextBuilder.Built rebuild() throws TlsConfigException {
    return ContextBuilder.client(settings, caFallback, provider);
  }

  /** A handler for a new connection to {@code host} (as the server's URL names it). */
  public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
    return current().context().newHandler(alloc, host, port);
  }
}
