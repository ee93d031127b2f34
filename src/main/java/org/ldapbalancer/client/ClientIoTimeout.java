package org.ldapbalancer.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.log.RateLimitedLog;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.ResultCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code iotimeout} for one client connection: a request started and not finished, or responses
 * waiting that the client takes none of, for that long end the connection (slow-loris clients,
 * hung readers); each would otherwise hold its memory, and its operations, for ever. A partial
 * request is answered with a Notice of Disconnection ({@code protocolError}); a client that reads
 * nothing is closed without one, which would only queue behind what it does not read.
 *
 * <p>Nothing runs while the client keeps up: a check is scheduled only when a read ends inside a
 * request or the channel stops being writable, and it schedules the next while either lasts. A
 * client that reads slowly but steadily is not cut off: the check looks at the head of the
 * channel's outbound buffer, the response being written, and how much of it has been written (as
 * Netty's IdleStateHandler observes output); if neither moved since the previous check, the client
 * took nothing. What is left to write in all is no measure: it grows while the servers stream
 * answers in faster than the client reads them, though the client reads.
 *
 * <p>Belongs to the channel's event loop.
 */
final class ClientIoTimeout {
  /** The client connection's logger: every "closing client" line comes under one name. */
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  private final ClientConnection client;
  private final Channel channel;
  private final LdapFrameDecoder framer;
  private final long timeoutMillis;
  /** The next check, when one is scheduled. */
  private ScheduledFuture<?> check;
  /** The response at the head of the outbound buffer at the last check. */
  private Object headAtLastCheck;
  /** How much of it had been written then. */
  private long progressAtLastCheck;
  /** Whether {@link #NOT_SENT_LOW_WATER} has been set on the socket. */
  private boolean lowWaterSet;

  /**
   * {@code TCP_NOTSENT_LOWAT} for a client that fell behind: the kernel takes more of the
   * balancer's bytes whenever less than this is left unsent, not only when a third of an
   * autotuned send buffer of megabytes is free. Without it, a write of the native transports
   * completes only that rarely, and a client reading a steady 150 KB/s showed no progress for
   * seconds at a time (on io_uring a whole queued gather write completes at once).
   */
  static final long NOT_SENT_LOW_WATER = 128 * 1024;

  ClientIoTimeout(ClientConnection client, Channel channel, LdapFrameDecoder framer,
      long timeoutMillis) {
    this.client = client;
    this.channel = channel;
    this.framer = framer;
    this.timeoutMillis = timeoutMillis;
  }

  /** A read ended inside a request: it starts the clock. */
  void readComplete() {
    if (check == null) {
      schedule();
    }
  }

  /** The channel stopped being writable: responses wait for the client. */
  void unwritable() {
    if (!lowWaterSet) {
      lowWaterSet = true;
      setNotSentLowWater(channel);
    }
    if (check == null) {
      remember();
      schedule();
    }
  }

  /** The connection is gone: no more checks. */
  void stop() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  private static void setNotSentLowWater(Channel channel) {
    if (channel instanceof IoUringSocketChannel) {
      channel.config().setOption(IoUringChannelOption.TCP_NOTSENT_LOWAT, NOT_SENT_LOW_WATER);
    } else if (channel instanceof EpollSocketChannel) {
      channel.config().setOption(EpollChannelOption.TCP_NOTSENT_LOWAT, NOT_SENT_LOW_WATER);
    } // NIO has no such option: its writes are made as soon as the socket takes bytes
  }

  private void remember() {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    headAtLastCheck = out == null ? null : out.current();
    progressAtLastCheck = out == null ? 0 : out.currentProgress();
  }

  private void schedule() {
    if (timeoutMillis > 0 && !client.isClosing()) {
      check = channel.eventLoop().schedule(this::run, timeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void run() {
    check = null;
    if (client.isClosing() || !channel.isActive()) {
      return;
    }
    long partialSince = framer.partialSinceNanos();
    if (partialSince != 0
        && System.nanoTime() - partialSince >= TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
      client.disconnect(ResultCode.PROTOCOL_ERROR,
          "request not complete after " + timeoutMillis + " ms (iotimeout)");
      return;
    }
    if (!channel.isWritable()) {
      ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
      if (out != null && out.current() == headAtLastCheck
          && out.currentProgress() == progressAtLastCheck) {
        RateLimitedLog.DEFAULT.info(log,
            "closing client {}: it took none of its responses for {} ms (iotimeout)",
            client.peerAddress(), timeoutMillis);
        client.closeAtOnce();
        return;
      }
      remember();
    }
    if (partialSince != 0 || !channel.isWritable()) {
      schedule();
    }
  }
}
