package org.ldapbalancer.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.protocol.ResultCode;

/**
 * {@code idletimeout} (slapd.conf(5)): a client that has sent nothing and has no operation in
 * flight for that long is sent a Notice of Disconnection (RFC 4511 §4.4.1) and closed, so that
 * abandoned connections do not hold descriptors and memory for ever. A client waiting for a
 * result, however long the operation runs, is never idle.
 *
 * <p>Cheap on the request path: a read only sets a mark. A check runs every half period; a
 * client is closed at the second check in a row that finds it without a read and without
 * operations, so after between one and one and a half periods of idleness.
 *
 * <p>Sits in front of the {@link ClientConnection} in the pipeline; belongs to the channel's event
 * loop.
 */
final class IdleClientCloser extends ChannelInboundHandlerAdapter {
  private final long timeoutMillis;
  private final long checkMillis;
  private boolean readSinceCheck;
  private int idleChecks;
  private ScheduledFuture<?> check;

  IdleClientCloser(long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
    this.checkMillis = Math.max(1, timeoutMillis / 2);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    check =
        ctx.executor()
            .scheduleWithFixedDelay(
                () -> check(ctx), checkMillis, checkMillis, TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    readSinceCheck = true;
    ctx.fireChannelRead(msg);
  }

  private void check(ChannelHandlerContext ctx) {
    ClientConnection client = ctx.pipeline().get(ClientConnection.class);
    if (client == null || !ctx.channel().isActive()) {
      stop();
      return;
    }
    if (readSinceCheck || client.operationsInFlight() > 0) {
      readSinceCheck = false;
      idleChecks = 0;
      return;
    }
    if (++idleChecks >= 2) {
      stop();
      client.disconnect(
          ResultCode.UNAVAILABLE,
          "idle for more than " + TimeUnit.MILLISECONDS.toSeconds(timeoutMillis) + " s (idletimeout)");
    }
  }

  private void stop() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }
}
