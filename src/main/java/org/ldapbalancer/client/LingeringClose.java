package org.ldapbalancer.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.protocol.LdapFrameDecoder;

/**
 * Closes a client connection once its Notice of Disconnection is written, without losing the
 * notice.
 *
 * <p>Closing a socket that still has unread input makes the kernel answer with a reset, and a
 * client that receives the reset before it has read the notice loses the notice (its next read
 * or write fails first). A client that keeps requests in flight — under load, while the balancer
 * shuts down — nearly always has some on the way. So the balancer ends its side (TLS's
 * close_notify, then a TCP half-close), keeps reading what the client still sends and discards it
 * undecoded, and closes when the client closes or after {@link #LINGER_MILLIS}, whichever comes
 * first: bounded, whatever the client does.
 *
 * <p>Runs on the channel's event loop (the listener of a write made there).
 */
final class LingeringClose implements ChannelFutureListener {
  /** How long a client may go on sending after its notice before the balancer closes anyway. */
  static final long LINGER_MILLIS = 2_000;

  static final LingeringClose AFTER_NOTICE = new LingeringClose();

  private LingeringClose() {}

  @Override
  public void operationComplete(ChannelFuture written) {
    Channel channel = written.channel();
    if (!written.isSuccess() || !channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
      channel.close();
      return;
    }
    ScheduledFuture<?> deadline =
        channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    channel.closeFuture().addListener(f -> deadline.cancel(false));
    // What the client still sends is read and dropped as it comes: no more requests are framed
    // (the framer hands what it held to the client handler, which drops everything once closing).
    LdapFrameDecoder framer = channel.pipeline().get(LdapFrameDecoder.class);
    if (framer != null) {
      channel.pipeline().remove(framer);
    }
    channel.config().setAutoRead(true);
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    if (tls != null && tls.handshakeFuture().isSuccess()) {
      tls.closeOutbound().addListener(f -> shutdownOutput(duplex));
    } else {
      shutdownOutput(duplex);
    }
  }

  private static void shutdownOutput(DuplexChannel channel) {
    if (channel.isActive()) {
      channel.shutdownOutput().addListener(f -> {
        if (!f.isSuccess()) {
          channel.close();
        }
      });
    }
  }
}
