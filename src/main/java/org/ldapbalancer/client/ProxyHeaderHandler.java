package org.ldapbalancer.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol header (versions 1 and 2, as HAProxy sends it with {@code send-proxy} and
 * {@code send-proxy-v2}) on a {@code pldap://} or {@code pldaps://} listener: it sits right behind
 * Netty's {@link HAProxyMessageDecoder} at the head of the pipeline, tells the {@link
 * ClientConnection} the client's real address, and removes itself. Nothing behind it (TLS,
 * framing) sees a byte before the header has been read, so the header can never be taken for
 * LDAP or for a TLS record.
 *
 * <p>A connection without a valid header, or whose header does not come in time, is closed with
 * a log line: whoever sends it is not the proxy the listener was meant for.
 *
 * <p>For {@code LOCAL} (the proxy's own health checks) and for addresses that are not IP ({@code
 * UNKNOWN}, Unix sockets) the socket's address stays the client's address.
 *
 * <p>One per channel; every field belongs to the channel's event loop.
 */
final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ProxyHeaderHandler.class);

  /** The pipeline names of the decoder and of this handler. */
  static final String DECODER = "proxy-decoder";

  static final String NAME = "proxy-header";

  private final ClientConnection client;
  private final long deadlineMillis;
  private ScheduledFuture<?> deadline;

  /**
   * @param client the connection whose address the header sets
   * @param deadlineMillis how long the header may take from accept; 0 for no limit
   */
  ProxyHeaderHandler(ClientConnection client, long deadlineMillis) {
    this.client = client;
    this.deadlineMillis = deadlineMillis;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (deadlineMillis > 0) {
      deadline =
          ctx.executor()
              .schedule(
                  () -> refuse(ctx, "no PROXY protocol header within " + deadlineMillis + " ms"),
                  deadlineMillis,
                  TimeUnit.MILLISECONDS);
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HAProxyMessage header)) {
      ctx.fireChannelRead(msg); // bytes that came after the header, passed on by the decoder
      return;
    }
    try {
      InetSocketAddress source = sourceOf(header);
      if (source != null) {
        client.proxiedFrom(source);
      }
      if (log.isDebugEnabled()) {
        log.debug(
            "client {} by the PROXY protocol from {} ({} {})",
            client.peerAddress(),
            ctx.channel().remoteAddress(),
            header.command(),
            header.proxiedProtocol());
      }
    } finally {
      header.release();
    }
    client.proxyHeaderRead();
    cancelDeadline();
    ctx.pipeline().remove(this);
  }

  /**
   * The client's address from the header, or null to keep the socket's: {@code LOCAL} means the
   * proxy speaks for itself, and {@code UNKNOWN} or a Unix socket names no IP address.
   */
  static InetSocketAddress sourceOf(HAProxyMessage header) {
    if (header.command() != HAProxyCommand.PROXY) {
      return null;
    }
    HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
    if (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
        && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
      return null;
    }
    // A literal only: never a name lookup on the event loop. The decoder has checked it.
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
    return address == null ? null : new InetSocketAddress(address, header.sourcePort());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      // Reset or failed before a header came: a port scan, or a check that gave up. Like a
      // connection that closes before sending anything, not worth a line at info.
      cancelDeadline();
      log.debug("client {} gone before its PROXY protocol header: {}", client.peerAddress(),
          cause.toString());
      ctx.close();
      return;
    }
    // The decoder has closed the connection already (the specification says to drop it).
    refuse(ctx, "bad PROXY protocol header: " + cause.getMessage());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelDeadline();
    ctx.fireChannelInactive();
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    cancelDeadline();
    // No LDAP has been read yet, so there is nothing to abandon and no one to send a notice to.
    RateLimitedLog.DEFAULT.info(log, "closing client {}: {}", client.peerAddress(), why);
    ctx.close();
  }

  /**
   * Refuses a connection at its first byte that cannot begin a PROXY protocol header, instead of
   * waiting for the decoder, which takes a version 1 header to be anything up to a line end or 108
   * bytes: an LDAP client pointed at a {@code pldap://} listener by mistake would otherwise wait
   * for the header deadline with no answer. Sits in front of the decoder, looks at the bytes as
   * they pass without holding any, and removes itself once they match the start of either
   * version ({@code "PROXY "}, or version 2's twelve-byte signature).
   */
  static final class Signature extends ChannelInboundHandlerAdapter {
    static final String NAME = "proxy-signature";

    private static final byte[] V1 = {'P', 'R', 'O', 'X', 'Y', ' '};
    private static final byte[] V2 = {
      0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
    };

    /** Bytes compared so far. */
    private int seen;

    private boolean maybeV1 = true;
    private boolean maybeV2 = true;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf in) {
        for (int i = in.readerIndex(); i < in.writerIndex() && undecided(); i++, seen++) {
          byte b = in.getByte(i);
          maybeV1 &= seen >= V1.length || b == V1[seen];
          maybeV2 &= seen >= V2.length || b == V2[seen];
        }
        if (!maybeV1 && !maybeV2) {
          String first = String.format("0x%02x", in.getByte(in.readerIndex()));
          in.release();
          ctx.fireExceptionCaught(new HAProxyProtocolException("it begins with " + first
              + (first.equals("0x30") ? " (an LDAP message: a client that is not the proxy?)" : "")
              + ", not \"PROXY \" or the version 2 signature"));
          return;
        }
        if (!undecided()) {
          ctx.pipeline().remove(this);
        }
      }
      ctx.fireChannelRead(msg);
    }

    private boolean undecided() {
      return (maybeV1 || maybeV2)
          && !(maybeV1 && seen >= V1.length)
          && !(maybeV2 && seen >= V2.length);
    }
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
