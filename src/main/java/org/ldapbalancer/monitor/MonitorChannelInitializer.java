package org.ldapbalancer.monitor;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ldapbalancer.log.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up a connection to an {@code http://} listener: Netty's HTTP/1.1 codec with small bounds
 * (these endpoints take no request body), keep-alive, an idle limit and a limit on how long one
 * request may take to arrive, then the endpoints. At most {@link #MAX_CONNECTIONS} connections
 * per listener are open at once; more are closed as they come, so that monitoring cannot take the
 * descriptors the LDAP side needs.
 */
public final class MonitorChannelInitializer extends ChannelInitializer<Channel> {
  private static final Logger log = LoggerFactory.getLogger(MonitorChannelInitializer.class);

  /** Longest request line, and all headers together, accepted. */
  static final int MAX_INITIAL_LINE = 4096;

  static final int MAX_HEADERS = 8192;

  /** Largest request body accepted; larger ones get 413 and the connection is closed. */
  static final int MAX_BODY = 8192;

  /** A connection with no request for this long is closed. */
  static final long IDLE_SECONDS = 60;

  /** Connections open at once to one listener (scrapers, probes, a few browsers). */
  static final int MAX_CONNECTIONS = 64;

  private final AtomicInteger open = new AtomicInteger();

  private final SnapshotSource source;
  private final String version;

  public MonitorChannelInitializer(SnapshotSource source) {
    this.source = source;
    String v = MonitorChannelInitializer.class.getPackage().getImplementationVersion();
    this.version = v == null ? "development build" : v;
  }

  @Override
  protected void initChannel(Channel ch) {
    if (open.incrementAndGet() > MAX_CONNECTIONS) {
      open.decrementAndGet();
      RateLimitedLog.DEFAULT.warn(log, "monitoring listener: more than {} connections open;"
          + " closing the connection from {}", MAX_CONNECTIONS, ch.remoteAddress());
      ch.close();
      return;
    }
    ch.closeFuture().addListener(f -> open.decrementAndGet());
    ch.pipeline()
        .addLast(new RequestDeadline())
        .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
        .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_BODY))
        .addLast(new HttpServerKeepAliveHandler())
        .addLast(new HttpObjectAggregator(MAX_BODY))
        .addLast(new MonitorHttpHandler(source, version));
  }
}
