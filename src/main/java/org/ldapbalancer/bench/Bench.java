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
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.ldapbalancer.protocol.LdapFrameDecoder;

/**
 * One run of the load generator: connect (and bind as the session identity), warm up, measure
 * until the duration or the operation count is reached, print a line a second, and return what
 * was measured.
 *
 * <pre>{@code
 * BenchResult r = Bench.run(BenchSettings.builder().url("ldap://127.0.0.1:1389").build(), out);
 * }</pre>
 *
 * <p>The calling thread keeps the clock; event loop threads do all the I/O.
 */
public final class Bench {
  /** Responses larger than this (a search entry with huge values) end the connection. */
  static final int MAX_PDU_SIZE = 16 * 1024 * 1024;

  static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  /** How long connecting and the session binds may take before the run gives up on them. */
  static final long READY_TIMEOUT_MILLIS = CONNECT_TIMEOUT_MILLIS + 5_000;

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /** How often the drain looks whether anything is still outstanding. */
  private static final long DRAIN_POLL_MILLIS = 10;

  private final BenchSettings settings;
  private final BenchTransport transport;
  private final EventLoopGroup group;
  private final PrintWriter progress;
  private final RunControl control;
  private final BenchStats stats;
  private final BenchRequests requests;
  /** For {@code ldaps://}; else {@code null}. */
  private final BenchTls tls;
  private final AnswerLedger ledger = new AnswerLedger();
  private long startNanos;

  private Bench(BenchSettings settings, BenchTransport transport, EventLoopGroup group,
      PrintWriter progress, BenchTls tls) {
    this.settings = settings;
    this.transport = transport;
    this.group = group;
    this.progress = progress;
    this.control = new RunControl(settings.maxOps());
    this.stats = new BenchStats(kinds(settings));
    this.requests = new BenchRequests(settings);
    this.tls = tls;
  }

  /**
   * Runs the benchmark {@code settings} describe, printing a header and a line a second to
   * {@code progress}.
   *
   * @throws BenchException when no connection could be made or the session bind was refused
   */
  public static BenchResult run(BenchSettings settings, PrintWriter progress)
      throws BenchException, InterruptedException {
    if (settings.mode() == BenchMode.IDLE) {
      throw new IllegalArgumentException("idle mode is run by IdleRun, not Bench");
    }
    BenchTls tls = BenchTls.of(settings);
    BenchTransport transport = BenchTransport.best();
    EventLoopGroup group = transport.newGroup(settings.threads());
    try {
      return new Bench(settings, transport, group, progress, tls).execute();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  static Set<OpKind> kinds(BenchSettings settings) {
    if (settings.mode() == BenchMode.CONNECT) {
      return EnumSet.of(OpKind.CONNECT);
    }
    Set<OpKind> kinds = EnumSet.noneOf(OpKind.class);
    for (OpKind kind : OpKind.ALL) {
      if (settings.mix().includes(kind)) {
        kinds.add(kind);
      }
    }
    return kinds;
  }

  private BenchResult execute() throws BenchException, InterruptedException {
    InetSocketAddress address = new InetSocketAddress(settings.url().host(), settings.url().port());
    if (address.isUnresolved()) {
      throw new BenchException("cannot resolve host " + settings.url().host());
    }
    Bootstrap bootstrap = new Bootstrap()
        .group(group)
        .channel(transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
    // Connect mode opens one persistent connection first only to learn whether the server is
    // there at all (and takes the session identity), so that a typo fails fast and clearly.
    boolean connectMode = settings.mode() == BenchMode.CONNECT;
    int persistent = connectMode ? 1 : settings.connections();
    double share = settings.rate() / settings.connections();
    List<BenchConnection> connections = new ArrayList<>(persistent);
    for (int i = 0; i < persistent; i++) {
      BenchConnection c = new BenchConnection(requests, settings.mix(), settings.inFlight(),
          control, stats, new Pacer(share, i, persistent), ledger);
      connections.add(c);
      bootstrap.clone().handler(pipeline(c)).connect(address).addListener(
          (ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
              c.ready().completeExceptionally(f.cause());
            }
          });
    }
    List<BenchConnection> ready = awaitReady(connections);
    List<Runnable> starters = new ArrayList<>();
    if (connectMode) {
      ready.forEach(BenchConnection::close);
      for (int i = 0; i < settings.connections(); i++) {
        ConnectCycle cycle = new ConnectCycle(group.next(), bootstrap, address, requests, control,
            stats, new Pacer(share, i, settings.connections()), ledger, MAX_PDU_SIZE, tls);
        starters.add(cycle::start);
      }
    } else {
      control.expectConnections(ready.size());
      ready.forEach(c -> starters.add(c::start));
    }
    progress.println(BenchReport.header(settings, transport.name()));
    progress.flush();
    runClock(starters);
    double drained = drain();
    ledger.close();
    awaitEventLoops(); // a count under way when the ledger closed is in it now
    BenchResult.Answers answers = ledger.snapshot(settings.drainSeconds(), drained);
    ready.forEach(BenchConnection::close);
    long measured = control.measureStartNanos() == 0
        ? 0 : control.finishNanos() - control.measureStartNanos();
    return result(connectMode ? settings.connections() : ready.size(), measured / 1e9, answers);
  }

  /**
   * After the stop no request starts; waits up to {@code --drain} seconds for those outstanding
   * to be answered (or lost with their connection), so that what is still unanswered at the end
   * is what the server never answered, not what happened to be in flight at the stop.
   *
   * @return the seconds waited
   */
  private double drain() throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + Math.round(settings.drainSeconds() * 1e9);
    long outstanding = ledger.outstanding();
    if (outstanding <= 0) {
      return 0;
    }
    progress.printf("drain: waiting up to %s s for %d outstanding requests%n",
        BenchReport.num(settings.drainSeconds()), outstanding);
    progress.flush();
    while (outstanding > 0 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(DRAIN_POLL_MILLIS);
      outstanding = ledger.outstanding();
    }
    double waited = (System.nanoTime() - start) / 1e9;
    progress.printf("drain: %d requests still outstanding after %.2f s%n", outstanding, waited);
    progress.flush();
    return waited;
  }

  private ChannelInitializer<Channel> pipeline(BenchConnection connection) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        if (tls != null) {
          tls.addTo(ch.pipeline());
        }
        ch.pipeline().addLast(new LdapFrameDecoder(MAX_PDU_SIZE), connection);
      }
    };
  }

  /** The connections that are ready; the others are counted and closed. */
  private List<BenchConnection> awaitReady(List<BenchConnection> connections)
      throws BenchException, InterruptedException {
    CompletableFuture<?>[] all =
        connections.stream().map(BenchConnection::ready).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(all).get(READY_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // looked at one by one below
    }
    List<BenchConnection> ready = new ArrayList<>();
    String firstFailure = null;
    BenchException refused = null;
    for (BenchConnection c : connections) {
      CompletableFuture<Void> f = c.ready();
      if (f.isDone() && !f.isCompletedExceptionally()) {
        ready.add(c);
        continue;
      }
      String failure = "no answer within " + READY_TIMEOUT_MILLIS / 1000 + " s";
      if (f.isCompletedExceptionally()) {
        Throwable cause = cause(f);
        if (cause instanceof BenchException b) {
          refused = b;
        }
        failure = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      }
      firstFailure = firstFailure == null ? failure : firstFailure;
      stats.connectionError(failure);
      c.close();
    }
    if (refused != null || ready.isEmpty()) {
      control.stop();
      ready.forEach(BenchConnection::close);
      throw refused != null ? refused
          : new BenchException("cannot connect to " + settings.url() + ": " + firstFailure);
    }
    if (ready.size() < connections.size()) {
      progress.printf("warning: %d of %d connections are ready; going on with those (first"
          + " failure: %s)%n", ready.size(), connections.size(), firstFailure);
    }
    return ready;
  }

  private static Throwable cause(CompletableFuture<Void> f) {
    try {
      f.join();
      return new IllegalStateException("not failed");
    } catch (CompletionException e) {
      return e.getCause() == null ? e : e.getCause();
    }
  }

  /** Keeps time on the calling thread: warm-up, a line a second, and the stop. */
  private void runClock(List<Runnable> starters) throws InterruptedException {
    long warmup = Math.round(settings.warmupSeconds() * 1e9);
    long duration = Math.round(settings.durationSeconds() * 1e9);
    startNanos = System.nanoTime();
    long measureStart = startNanos + warmup;
    long deadline = measureStart + duration;
    boolean measuring = warmup == 0;
    if (measuring) {
      control.startMeasuring(startNanos);
    } else {
      control.startWarmup();
    }
    starters.forEach(Runnable::run);
    long intervalStart = startNanos;
    long nextTick = startNanos + SECOND;
    while (true) {
      long now = System.nanoTime();
      long until = Math.min(nextTick, measuring ? deadline : measureStart);
      if (control.awaitFinish(until - now)) {
        break;
      }
      now = System.nanoTime();
      if (!measuring && now >= measureStart) {
        control.startMeasuring(now);
        measuring = true;
        printInterval(intervalStart, now, true);
        intervalStart = now;
        nextTick = now + SECOND;
      } else if (measuring && now >= deadline) {
        control.finish("duration");
        break;
      } else if (now >= nextTick) {
        printInterval(intervalStart, now, !measuring);
        intervalStart = now;
        nextTick += SECOND;
      }
    }
    awaitEventLoops();
    long end = control.finishNanos();
    if (end - intervalStart > SECOND / 10) {
      printInterval(intervalStart, end, !measuring);
    } else {
      stats.takeInterval(); // too short to print, but its operations belong in the totals
      stats.takeIntervalErrors();
    }
  }

  /**
   * Waits until every event loop has finished what it was doing when the run stopped: a result
   * being recorded then is in the totals, one arriving later sees the stop and is left out. So
   * operations, latencies and errors always add up.
   */
  private void awaitEventLoops() {
    for (EventExecutor loop : group) {
      loop.submit(() -> { }).awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
  }

  private void printInterval(long from, long to, boolean warmup) {
    Histogram h = stats.takeInterval();
    progress.println(BenchReport.intervalLine((to - startNanos) / 1e9, h, (to - from) / 1e9,
        stats.takeIntervalErrors(), warmup));
    progress.flush();
  }

  private BenchResult result(int connectionsReady, double seconds, BenchResult.Answers answers) {
    Map<OpKind, BenchResult.KindResult> byKind = new EnumMap<>(OpKind.class);
    for (OpKind kind : kinds(settings)) {
      Histogram h = stats.total(kind);
      byKind.put(kind, new BenchResult.KindResult(h.getTotalCount(), stats.errors(kind),
          BenchResult.Latency.of(h)));
    }
    Histogram total = stats.total();
    return new BenchResult(settings, transport.name(), connectionsReady, seconds,
        total.getTotalCount(), BenchResult.Latency.of(total), byKind, stats.errorsByCode(),
        stats.connectionErrors(), stats.firstConnectionError(), control.unfinished(),
        control.stopReason(), answers, tls == null ? null : tls.describe());
  }
}
