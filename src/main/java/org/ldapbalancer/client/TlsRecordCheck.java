package org.ldapbalancer.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.ldapbalancer.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In front of the TLS handler where a client's TLS handshake must come next ({@code ldaps://},
 * after a StartTLS response): its first byte must begin a TLS handshake record (0x16). A client
 * that speaks LDAP in clear text instead (0x30), or anything else, is closed at once, as lloadd
 * closes it; the TLS handler itself, with OpenSSL, would wait for the handshake deadline (10 s)
 * on such bytes. Removes itself at the first byte.
 */
final class TlsRecordCheck extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TlsRecordCheck.class);

  static final String NAME = "tls-record-check";

  /** The content type of a TLS handshake record (RFC 8446 §5.1). */
  private static final int HANDSHAKE = 0x16;

  private final ClientConnection client;

  TlsRecordCheck(ClientConnection client) {
    this.client = client;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf in && in.isReadable()) {
      int first = in.getUnsignedByte(in.readerIndex());
      if (first != HANDSHAKE) {
        in.release();
        RateLimitedLog.DEFAULT.info(log, "closing client {}: expected a TLS handshake, got 0x{}{}",
            client.peerAddress(), String.format("%02x", first),
            first == 0x30 ? " (LDAP in clear text)" : "");
        client.closeAtOnce();
        return;
      }
      ctx.pipeline().remove(this);
    }
    ctx.fireChannelRead(msg);
  }
}
