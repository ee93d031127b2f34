package org.ldapbalancer.client;

import io.netty.channel.Channel;
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
 * client that reads slowly but steadily is not cut off: the check compares what is left to write
 * with what was left at the previous check.
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
  /** Bytes the channel had to write before becoming writable at the last check. */
  private long unwrittenAtLastCheck;

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
    unwrittenAtLastCheck = channel.bytesBeforeWritable();
    if (check == null) {
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
      long unwritten = channel.bytesBeforeWritable();
      if (unwritten >= unwrittenAtLastCheck) {
        RateLimitedLog.DEFAULT.info(log,
            "closing client {}: it took none of its responses for {} ms (iotimeout)",
            client.peerAddress(), timeoutMillis);
        client.closeAtOnce();
        return;
      }
      unwrittenAtLastCheck = unwritten;
    } else {
      unwrittenAtLastCheck = Long.MAX_VALUE;
    }
    if (partialSince != 0 || !channel.isWritable()) {
      schedule();
    }
  }
}
