package org.ldapbalancer.monitor.access;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.ldapbalancer.config.LogLevel;
import org.ldapbalancer.config.LogSettings;

/**
 * The access log ({@code loglevel stats}): slapd's lines for every connection, request and result,
 * written through the logger {@value AccessLogOutput#LOGGER}.
 *
 * <pre>{@code
 * AccessLog access = AccessLog.start(config.logging());   // off unless loglevel has stats
 * ConnectionAccessLog conn = access.connected(channel);   // null when off
 * }</pre>
 *
 * <p>When the log is off, {@link #connected} returns null and a connection holds no log state:
 * the hot path pays one null check. Lines are handed to an asynchronous bounded appender, so an
 * event loop never waits for the disk; what it drops is counted ({@link #dropped}).
 *
 * <p>Thread-safe: one instance serves every event loop.
 */
public final class AccessLog implements AutoCloseable {
  /** slapd numbers its first connection 1000. */
  static final long FIRST_CONNECTION = 1000;

  private static final AccessLog OFF = new AccessLog(false, false, false, line -> {}, null);

  private final boolean on;
  private final boolean json;
  private final boolean entries;
  private final Consumer<String> sink;
  private final AccessLogOutput output;
  private final AtomicLong connections = new AtomicLong(FIRST_CONNECTION);

  AccessLog(
      boolean on, boolean json, boolean entries, Consumer<String> sink, AccessLogOutput output) {
    this.on = on;
    this.json = json;
    this.entries = entries;
    this.sink = sink;
    this.output = output;
  }

  /** An access log that writes nothing. */
  public static AccessLog off() {
    return OFF;
  }

  /**
   * Starts the access log as {@code settings} ask: off unless the level includes {@code stats};
   * into {@code logfile} when one is given, else into the main log.
   *
   * @throws java.io.UncheckedIOException if the log file cannot be opened
   */
  public static AccessLog start(LogSettings settings) {
    if (!settings.accessLog()) {
      return OFF;
    }
    AccessLogOutput output = AccessLogOutput.start(settings);
    return new AccessLog(
        true,
        settings.format() == LogSettings.Format.JSON,
        LogLevel.hasStats2(settings.level()),
        output::write,
        output);
  }

  /** An access log writing to {@code sink}, for tests. */
  static AccessLog to(Consumer<String> sink, boolean json, boolean entries) {
    return new AccessLog(true, json, entries, sink, null);
  }

  public boolean isOn() {
    return on;
  }

  /**
   * A client connection was accepted: writes its ACCEPT line.
   *
   * @return its log, or null when the access log is off
   */
  public ConnectionAccessLog connected(Channel channel) {
    return connected(channel, channel.remoteAddress());
  }

  /**
   * A client connection was accepted from {@code peer}, which a PROXY protocol header may have
   * named instead of the socket's address: writes its ACCEPT line.
   *
   * @return its log, or null when the access log is off
   */
  public ConnectionAccessLog connected(Channel channel, java.net.SocketAddress peer) {
    if (!on) {
      return null;
    }
    return new ConnectionAccessLog(this, connections.getAndIncrement(), channel, peer);
  }

  /** Lines dropped because the log output could not keep up, since start. */
  public long dropped() {
    return output == null ? 0 : output.dropped();
  }

  boolean json() {
    return json;
  }

  boolean entries() {
    return entries;
  }

  void write(String line) {
    sink.accept(line);
  }

  /** Writes out what is queued and closes the log file. */
  @Override
  public void close() {
    if (output != null) {
      output.close();
    }
  }
}
