package org.ldapbalancer.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.function.Consumer;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.tls.ServerTlsContext;

/**
 * Sets up an accepted client channel: TLS on {@code ldaps://}, framing, then the connection, tied
 * to its loop's router.
 */
public final class ClientChannelInitializer extends ChannelInitializer<Channel> {
  private final Map<EventLoop, OperationRouter> routers;
  private final ClientSettings settings;
  private final int maxPduSize;
  private final Consumer<Channel> onAccept;
  /** The TLS context of an {@code ldaps://} listener, or null for {@code ldap://}. */
  private final ServerTlsContext tls;

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
    this.tls = tls;
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
    LdapFrameDecoder framer = new LdapFrameDecoder(maxPduSize);
    if (tls != null) {
      // The certificate in force now: a reload changes new connections only.
      ch.pipeline().addLast(ClientConnection.TLS_HANDLER, tls.newHandler(ch.alloc()));
    }
    if (settings.idleTimeoutMillis() > 0) {
      ch.pipeline().addLast("idle", new IdleClientCloser(settings.idleTimeoutMillis()));
    }
    ch.pipeline()
        .addLast("framer", framer)
        .addLast("client", new ClientConnection(router, settings, framer));
    onAccept.accept(ch);
  }
}
