package org.ldapbalancer.monitor;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Sets up a connection to an {@code http://} listener: Netty's HTTP/1.1 codec with small bounds
 * (these endpoints take no request body), keep-alive, an idle limit, then the endpoints.
 */
public final class MonitorChannelInitializer extends ChannelInitializer<Channel> {
  /** Longest request line, and all headers together, accepted. */
  static final int MAX_INITIAL_LINE = 4096;

  static final int MAX_HEADERS = 8192;

  /** Largest request body accepted; larger ones get 413 and the connection is closed. */
  static final int MAX_BODY = 8192;

  /** A connection with no request for this long is closed. */
  static final long IDLE_SECONDS = 60;

  private final SnapshotSource source;
  private final String version;

  public MonitorChannelInitializer(SnapshotSource source) {
    this.source = source;
    String v = MonitorChannelInitializer.class.getPackage().getImplementationVersion();
    this.version = v == null ? "development build" : v;
  }

  @Override
  protected void initChannel(Channel ch) {
    ch.pipeline()
        .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
        .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_BODY))
        .addLast(new HttpServerKeepAliveHandler())
        .addLast(new HttpObjectAggregator(MAX_BODY))
        .addLast(new MonitorHttpHandler(source, version));
  }
}
