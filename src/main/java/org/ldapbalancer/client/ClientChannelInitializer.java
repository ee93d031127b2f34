package org.ldapbalancer.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.function.Consumer;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.protocol.LdapFrameDecoder;

/** Sets up an accepted client channel: framing, then the connection, tied to its loop's router. */
public final class ClientChannelInitializer extends ChannelInitializer<Channel> {
  private final Map<EventLoop, OperationRouter> routers;
  private final ClientSettings settings;
  private final int maxPduSize;
  private final Consumer<Channel> onAccept;

  /**
   * @param routers the router of every event loop a client may be registered on
   * @param onAccept told of each new client channel (for shutdown)
   */
  public ClientChannelInitializer(
      Map<EventLoop, OperationRouter> routers,
      ClientSettings settings,
      int maxPduSize,
      Consumer<Channel> onAccept) {
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
    ch.pipeline()
        .addLast("framer", framer)
        .addLast("client", new ClientConnection(router, settings, framer));
    onAccept.accept(ch);
  }
}
