package org.ldapbalancer.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.internal.tcnative.SSL;
import java.io.File;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.ldapbalancer.tls.TlsProvider;

/**
 * The generator's side of {@code ldaps://}: one client context for the run, with the server's
 * certificate checked against {@code --cacert} (or the JDK's trusted authorities) and its name
 * against the URL's host, as RFC 4513 §3.1.3 asks of any client. With {@code --tls-resume}
 * (the default) a new connection offers the session of an earlier one, so connect mode measures
 * resumed handshakes; without it every handshake is a full one. Each connection is active for
 * the handler after it only once its handshake has succeeded, so a connect-mode time includes
 * the handshake and a refused certificate is a connection failure. The report counts handshakes,
 * and, with OpenSSL, those that resumed a session (BoringSSL keeps no session statistics of its
 * own, so each connection asks its engine).
 *
 * <p>Thread-safe: the context is shared by every event loop.
 */
final class BenchTls {
  private final SslContext context;
  private final TlsProvider provider;
  private final String host;
  private final int port;
  private final LongAdder handshakes = new LongAdder();
  private final LongAdder resumed = new LongAdder();

  private BenchTls(SslContext context, TlsProvider provider, String host, int port) {
    this.context = context;
    this.provider = provider;
    this.host = host;
    this.port = port;
  }

  /** The context for {@code settings}, or {@code null} when its URL is not {@code ldaps://}. */
  static BenchTls of(BenchSettings settings) throws BenchException {
    if (!settings.url().isTls()) {
      return null;
    }
    TlsProvider provider = TlsProvider.choose();
    SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider.provider());
    if (settings.caCertFile() != null) {
      builder.trustManager(new File(settings.caCertFile()));
    }
    SslContext context;
    try {
      context = builder.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new BenchException("--cacert " + settings.caCertFile() + ": " + e.getMessage());
    }
    if (context.sessionContext() instanceof OpenSslSessionContext sessions) {
      sessions.setSessionCacheEnabled(settings.resumeTls());
    } else if (!settings.resumeTls()) {
      // The JDK's client cache cannot be switched off per context.
      throw new BenchException("--no-tls-resume needs OpenSSL (" + provider.describe()
          + " is in use)");
    }
    return new BenchTls(context, provider, settings.url().host(), settings.url().port());
  }

  /** Puts TLS first in a new connection's pipeline, the handlers after it held until done. */
  void addTo(ChannelPipeline pipeline) {
    SslHandler handler = context.newHandler(pipeline.channel().alloc(), host, port);
    SSLEngine engine = handler.engine();
    SSLParameters parameters = engine.getSSLParameters();
    // The HTTPS rules are RFC 2818's, which RFC 4513 §3.1.3 follows: DNS and IP subjectAltName.
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(parameters);
    pipeline.addLast(handler, new HandshakeGate(engine));
  }

  /** Passes channelActive on once the handshake succeeded; a failed one is the channel's error. */
  private final class HandshakeGate extends ChannelInboundHandlerAdapter {
    private final SSLEngine engine;

    HandshakeGate(SSLEngine engine) {
      this.engine = engine;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      // held: see userEventTriggered
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (!(event instanceof SslHandshakeCompletionEvent done)) {
        ctx.fireUserEventTriggered(event);
        return;
      }
      ctx.pipeline().remove(this);
      if (!done.isSuccess()) {
        ctx.fireExceptionCaught(done.cause());
        return;
      }
      handshakes.increment();
      if (engine instanceof ReferenceCountedOpenSslEngine openSsl
          && SSL.isSessionReused(openSsl.sslPointer())) {
        resumed.increment();
      }
      ctx.fireChannelActive();
    }
  }

  /** For the report: the provider, the handshakes made and, with OpenSSL, those resumed. */
  String describe() {
    StringBuilder s = new StringBuilder("TLS ").append(provider.describe()).append(", ")
        .append(handshakes.sum()).append(" handshakes");
    if (provider.isOpenSsl()) {
      s.append(", ").append(resumed.sum()).append(" resumed");
    }
    return s.toString();
  }
}
