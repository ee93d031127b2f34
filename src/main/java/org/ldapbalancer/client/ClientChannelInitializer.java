package org.ldapbalancer.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.tls.ServerTlsContext;

/**
 * Sets up an accepted client channel: the PROXY protocol header on {@code pldap(s)://}, TLS on
 * {@code ldaps://}, framing, then the connection, tied to its loop's router.
 */
public final class ClientChannelInitializer extends ChannelInitializer<Channel> {
  private final Map<EventLoop, OperationRouter> routers;
  /** The settings in force: read once per accepted connection, so a reload reaches new ones. */
  private final Supplier<ClientSettings> settings;
  private final int maxPduSize;
  private final Consumer<Channel> onAccept;
  /** The TLS context of an {@code ldaps://} listener, or null for {@code ldap://}. */
  private final ServerTlsContext tls;
  /** Whether each connection starts with a PROXY protocol header ({@code pldap(s)://}). */
  private final boolean proxyProtocol;

  /**
   * @param routers the router of every event loop a client may be registered on
   * @param onAccept told of each new client channel (for shutdown)
   */
  public ClientChannelInitializer(
      Map<EventLoop, OperationRouter> routers,
      ClientSettings settings,
      int maxPduSize,
      Consumer<Channel> onAccept) {
    this(routers, settings, maxPduSize, onAccept, null);
  }

  /**
   * @param tls for an {@code ldaps://} listener, the context whose handler heads every pipeline;
   *     null for {@code ldap://}
   */
  public ClientChannelInitializer(
      Map<EventLoop, OperationRouter> routers,
      ClientSettings settings,
      int maxPduSize,
      Consumer<Channel> onAccept,
      ServerTlsContext tls) {
    this(routers, settings, maxPduSize, onAccept, tls, false);
  }

  /**
   * @param proxyProtocol for a {@code pldap://} or {@code pldaps://} listener: each connection
   *     starts with a PROXY protocol header, read before anything else (TLS included)
   */
  public ClientChannelInitializer(
      Map<EventLoop, OperationRouter> routers,
      ClientSettings settings,
      int maxPduSize,
      Consumer<Channel> onAccept,
      ServerTlsContext tls,
      boolean proxyProtocol) {
    this(routers, () -> settings, maxPduSize, onAccept, tls, proxyProtocol);
  }

  /**
   * @param settings the client settings in force when a connection is accepted (a reload
   *     replaces them for the connections that follow)
   */
  public ClientChannelInitializer(
      Map<EventLoop, OperationRouter> routers,
      Supplier<ClientSettings> settings,
      int maxPduSize,
      Consumer<Channel> onAccept,
      ServerTlsContext tls,
      boolean proxyProtocol) {
    this.tls = tls;
    this.proxyProtocol = proxyProtocol;
    this.routers = Map.copyOf(routers);
    this.settings = settings;
    this.maxPduSize = maxPduSize;
    this.onAccept = onAccept;
  }

  @Override
  protected void initChannel(Channel ch) {
    OperationRouter router = routers.get(ch.eventLoop());
    if (router == null) {
      throw new IllegalStateException("client registered on an event loop without a router");
    }
    ClientSettings settings = this.settings.get();
    LdapFrameDecoder framer = new LdapFrameDecoder(maxPduSize);
    ClientConnection client = new ClientConnection(router, settings, framer);
    if (proxyProtocol) {
      // First in the pipeline: the header comes before the TLS handshake (pldaps://).
      ch.pipeline()
          .addLast(ProxyHeaderHandler.Signature.NAME, new ProxyHeaderHandler.Signature())
          .addLast(ProxyHeaderHandler.DECODER, proxyHeaderDecoder())
          .addLast(
              ProxyHeaderHandler.NAME,
              new ProxyHeaderHandler(client, proxyHeaderDeadline(settings.ioTimeoutMillis())));
    }
    if (tls != null) {
      // The certificate in force now: a reload changes new connections only.
      ch.pipeline()
          .addLast(TlsRecordCheck.NAME, new TlsRecordCheck(client))
          .addLast(ClientConnection.TLS_HANDLER, tls.newHandler(ch.alloc()));
    }
    if (settings.idleTimeoutMillis() > 0) {
      ch.pipeline().addLast("idle", new IdleClientCloser(settings.idleTimeoutMillis()));
    }
    ch.pipeline()
        .addLast("framer", framer)
        .addLast("client", client);
    onAccept.accept(ch);
  }

  /**
   * The most bytes of TLVs (type-length-value extensions) a version 2 PROXY header may carry.
   * HAProxy's own (ALPN, authority, SSL details, unique id) come to a few hundred bytes; without
   * a bound the decoder would hold up to 64 KiB per connection before the header is refused.
   */
  static final int MAX_PROXY_HEADER_TLV_BYTES = 4096;

  /** The decoder for a PROXY protocol header, version 1 or 2, with its TLVs bounded. */
  static HAProxyMessageDecoder proxyHeaderDecoder() {
    return new HAProxyMessageDecoder(MAX_PROXY_HEADER_TLV_BYTES, true);
  }

  /**
   * How long a PROXY protocol header may take: {@code iotimeout}, as for a partly sent request,
   * or 10 s when that is off (a proxy sends its header at once; a peer that does not is not one).
   */
  static long proxyHeaderDeadline(long ioTimeoutMillis) {
    return ioTimeoutMillis > 0 ? ioTimeoutMillis : 10_000;
  }
}
