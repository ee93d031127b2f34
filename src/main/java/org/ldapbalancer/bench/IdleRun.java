package org.ldapbalancer.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.protocol.LdapFrameDecoder;

/**
 * Idle mode: opens {@code --connections} connections, at most {@link #SETTING_UP_AT_ONCE} at a
 * time, has each one answer a search (after the session bind, if any), then holds them all open
 * for {@code --duration} seconds without sending anything, printing a line a second with how
 * many are open. It measures what a server spends on clients that connect and then sit there,
 * not how fast it is.
 *
 * <pre>{@code
 * IdleResult r = IdleRun.run(BenchSettings.builder().mode("idle").connections(4000)
 *     .url("ldap://127.0.0.1:1389").durationSeconds(60).build(), out);
 * }</pre>
 *
 * <p>The calling thread opens the connections and keeps the clock; event loops do the I/O.
 */
public final class IdleRun {
  /**
   * Connections connecting, binding or searching at once. Opening thousands at once would only
   * overflow the server's accept queue, and a dropped SYN costs a second or more to retry.
   */
  static final int SETTING_UP_AT_ONCE = 256;

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final BenchSettings settings;
  private final BenchTransport transport;
  private final EventLoopGroup group;
  private final PrintWriter progress;
  private final IdleTally tally = new IdleTally(SETTING_UP_AT_ONCE);
  private final BenchRequests requests;
  /** For {@code ldaps://}; else {@code null}. */
  private final BenchTls tls;
  private final List<IdleConnection> connections = new ArrayList<>();
  private long startNanos;
  private long nextTick;

  private IdleRun(BenchSettings settings, BenchTransport transport, EventLoopGroup group,
      PrintWriter progress, BenchTls tls) {
    this.settings = settings;
    this.transport = transport;
    this.group = group;
    this.progress = progress;
    this.requests = new BenchRequests(settings);
    this.tls = tls;
  }

  /**
   * Runs idle mode as {@code settings} describe, printing a header and a line a second to
   * {@code progress}.
   *
   * @throws BenchException when no connection could be set up or the session bind was refused
   */
  public static IdleResult run(BenchSettings settings, PrintWriter progress)
      throws BenchException, InterruptedException {
    if (settings.mode() != BenchMode.IDLE) {
      throw new IllegalArgumentException("not an idle-mode run: " + settings.mode().label());
    }
    BenchTls tls = BenchTls.of(settings);
    BenchTransport transport = BenchTransport.best();
    EventLoopGroup group = transport.newGroup(settings.threads());
    try {
      return new IdleRun(settings, transport, group, progress, tls).execute();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  private IdleResult execute() throws BenchException, InterruptedException {
    InetSocketAddress address = new InetSocketAddress(settings.url().host(), settings.url().port());
    if (address.isUnresolved()) {
      throw new BenchException("cannot resolve host " + settings.url().host());
    }
    progress.println(BenchReport.idleHeader(settings, transport.name()));
    progress.flush();
    startNanos = System.nanoTime();
    nextTick = startNanos + SECOND;
    openAll(address);
    double setupSeconds = (System.nanoTime() - startNanos) / 1e9;
    String refusal = tally.refusal();
    if (refusal != null || tally.setUp() == 0) {
      closeAll();
      throw new BenchException(refusal != null ? refusal
          : "cannot connect to " + settings.url() + ": " + tally.firstFailure());
    }
    int unanswered = connections.size() - tally.setUp() - tally.failed();
    progress.println(BenchReport.idleSetUp(tally.setUp(), settings.connections(), setupSeconds,
        tally.failed(), unanswered));
    progress.flush();
    String stopReason = hold();
    int openAtEnd = tally.open();
    closeAll();
    return new IdleResult(settings, transport.name(), tally.setUp(), tally.failed(), unanswered,
        tally.searchErrors(), tally.lost(), openAtEnd, setupSeconds,
        (System.nanoTime() - startNanos) / 1e9 - setupSeconds, tally.firstFailure(), stopReason);
  }

  /** Opens the connections, a bounded number at a time, and waits for the last to settle. */
  private void openAll(InetSocketAddress address) throws InterruptedException {
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Bench.CONNECT_TIMEOUT_MILLIS);
    for (int i = 0; i < settings.connections() && tally.refusal() == null; i++) {
      if (!awaitPermit()) {
        break; // nothing settled for a long time: the server is not answering
      }
      IdleConnection c = new IdleConnection(requests, tally);
      connections.add(c);
      bootstrap.clone().handler(pipeline(c)).connect(address).addListener(
          (ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
              Throwable cause = f.cause();
              tally.failed("cannot connect: "
                  + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
            }
          });
    }
    // Take back every permit: then each connection has been answered, has failed, or has had
    // its time.
    for (int i = 0; i < SETTING_UP_AT_ONCE; i++) {
      if (!awaitPermit()) {
        break;
      }
    }
  }

  /** A set-up permit, printing the progress line each second while waiting. */
  private boolean awaitPermit() throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Bench.READY_TIMEOUT_MILLIS);
    while (true) {
      long now = System.nanoTime();
      if (now >= nextTick) {
        printLine(now);
      }
      long wait = Math.min(nextTick, giveUp) - now;
      if (tally.awaitPermit(Math.max(0, TimeUnit.NANOSECONDS.toMillis(wait)))) {
        return true;
      }
      if (System.nanoTime() >= giveUp) {
        return false;
      }
    }
  }

  private ChannelInitializer<Channel> pipeline(IdleConnection connection) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        if (tls != null) {
          tls.addTo(ch.pipeline());
        }
        ch.pipeline().addLast(new LdapFrameDecoder(Bench.MAX_PDU_SIZE), connection);
      }
    };
  }

  /** Holds the connections for the duration, or until the server has closed every one. */
  private String hold() throws InterruptedException {
    long deadline = System.nanoTime() + Math.round(settings.durationSeconds() * 1e9);
    while (true) {
      long now = System.nanoTime();
      if (now >= deadline) {
        return "duration";
      }
      if (tally.open() == 0) {
        return "connections lost";
      }
      if (now >= nextTick) {
        printLine(now);
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(nextTick, deadline) - now);
    }
  }

  private void printLine(long now) {
    progress.println(BenchReport.idleLine((now - startNanos) / 1e9, tally.setUp(),
        tally.failed(), tally.open(), tally.lost()));
    progress.flush();
    nextTick += SECOND * Math.max(1, (now - nextTick) / SECOND + 1);
  }

  private void closeAll() {
    connections.forEach(IdleConnection::close);
    for (EventExecutor loop : group) {
      loop.submit(() -> { }).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
