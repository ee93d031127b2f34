package org.ldapbalancer.monitor;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP request must arrive whole within {@link #REQUEST_SECONDS} of its first byte, or the
 * connection is closed: the idle limit alone is reset by every byte, so a client sending a
 * request line a byte at a time would hold its descriptor for ever (slow-loris).
 *
 * <p>First in the pipeline, it sees raw bytes: the first read after a complete request starts
 * the clock, {@link MonitorHttpHandler} stops it when the request has been decoded. Belongs to
 * the channel's event loop.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {
  static final long REQUEST_SECONDS = 10;

  private ScheduledFuture<?> deadline;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (deadline == null) {
      deadline = ctx.executor().schedule(() -> ctx.close(), REQUEST_SECONDS, TimeUnit.SECONDS);
    }
    ctx.fireChannelRead(msg);
  }

  /** A whole request has been read: the clock stops until the next one starts. */
  void requestComplete() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    requestComplete();
    ctx.fireChannelInactive();
  }
}
