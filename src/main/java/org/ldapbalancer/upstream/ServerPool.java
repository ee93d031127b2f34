package org.ldapbalancer.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Consumer;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.balancing.ServerEndpoints;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.monitor.ServerCounters;
import org.ldapbalancer.monitor.ServerSnapshot;
import org.ldapbalancer.monitor.ServerState;
import org.ldapbalancer.operation.FlushBatch;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.tls.UpstreamTlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's connections to one configured server: its share of {@code numconns} regular
 * connections and {@code bindconns} bind connections, opened asynchronously, secured with TLS
 * when the server uses it ({@code ldaps://}, {@code starttls=}), bound as {@code bindconf},
 * replaced when lost and retried after {@code retry} when an attempt fails. A connection is
 * offered to selection only once all of that is done.
 *
 * <p>Every field belongs to {@link #loop}; the pool is only touched from it (its constructor
 * and {@link #start()} excepted, which run before it is shared).
 */
public final class ServerPool {
  private static final Logger log = LoggerFactory.getLogger(ServerPool.class);

  /** The time between SASL steps when neither {@code timeout} nor {@code network-timeout} is set. */
  static final Duration DEFAULT_SASL_STEP_TIMEOUT = Duration.ofSeconds(60);

  private final BackendServer server;
  private final BindConf bindConf;
  private final EventLoop loop;
  private final Bootstrap template;
  private final Executor resolver;
  private final int regularTarget;
  private final int bindTarget;
  private final int maxPendingOps;
  private final int maxIncoming;
  private final boolean timeoutsEnabled;
  /** The moving average a bestof tier chooses by; null in other tiers. */
  private final ResponseTime responseTime;
  private final long saslStepTimeoutNanos;
  private final FlushBatch flushes;
  /** TLS towards this server, or null when it uses none. */
  private final UpstreamTlsContext tls;
  private final HealthWatch health;
  private final PoolSize size;
  private final List<UpstreamConnection> regular = new ArrayList<>();
  private final List<UpstreamConnection> binds = new ArrayList<>();
  private final List<UpstreamConnection> all = new ArrayList<>();
  private final ServerEndpoints<UpstreamLink> regularView;
  private final ServerEndpoints<UpstreamLink> bindView;
  private OperationRouter router;
  private int pendingOps;
  /** What this loop's connections to the server did, for the monitor. */
  private final ServerCounters counters = new ServerCounters();
  /**
   * Where new connections start counting message IDs; only tests and diagnostics set it (system
   * property {@code ldapbalancer.upstream.firstMessageId}) to exercise the wrap-around.
   */
  private final int firstMessageId = Integer.getInteger("ldapbalancer.upstream.firstMessageId", 1);
  private boolean closed;
  /**
   * Removed (or replaced) by a reload: no longer selected, not reconnected, and each connection
   * closed once it has nothing in flight. See {@link #retire()}.
   */
  private boolean retiring;
  /** The reason last logged for failed attempts, or null while the server is reachable. */
  private String reportedDown;
  /** Whether a refused StartTLS ({@code starttls=yes}) has been logged since it last worked. */
  private boolean reportedClearText;
  /** Whether a regular, and a bind, connection has been ready since the pool started. */
  private boolean everReadyRegular;
  private boolean everReadyBind;

  /**
   * @param template a bootstrap with the channel type and options set; the pool adds the event
   *     loop and handlers
   * @param resolver runs blocking host name lookups off the event loop
   */
  public ServerPool(
      BackendServer server,
      BindConf bindConf,
      EventLoop loop,
      Bootstrap template,
      Executor resolver,
      int regularConnections,
      int bindConnections,
      int maxPendingOps,
      int maxIncoming,
      FlushBatch flushes,
      UpstreamTlsContext tls,
      boolean measuresLatency) {
    this(
        server,
        bindConf,
        loop,
        template,
        resolver,
        regularConnections,
        bindConnections,
        maxPendingOps,
        maxIncoming,
        flushes,
        tls,
        measuresLatency,
        ServerHealth.unchecked(server.name()));
  }

  /**
   * @param health the server's health as every loop sees it; this pool watches it on its loop
   */
  public ServerPool(
      BackendServer server,
      BindConf bindConf,
      EventLoop loop,
      Bootstrap template,
      Executor resolver,
      int regularConnections,
      int bindConnections,
      int maxPendingOps,
      int maxIncoming,
      FlushBatch flushes,
      UpstreamTlsContext tls,
      boolean measuresLatency,
      ServerHealth health) {
    this.health = new HealthWatch(health);
    if (server.usesTls() && tls == null) {
      throw new IllegalArgumentException(server.name() + " uses TLS but no TLS context is given");
    }
    this.tls = server.usesTls() ? tls : null;
    this.server = server;
    this.bindConf = bindConf;
    this.loop = loop;
    this.template = template;
    this.resolver = resolver;
    this.regularTarget = regularConnections;
    this.size =
        new PoolSize(
            regularConnections,
            PoolSize.loopShare(regularConnections, server.numconns(), server.maxConns()));
    this.bindTarget = bindConnections;
    this.maxPendingOps = maxPendingOps;
    this.maxIncoming = maxIncoming;
    this.timeoutsEnabled = !bindConf.timeout().isZero();
    this.responseTime = measuresLatency ? new ResponseTime() : null;
    this.saslStepTimeoutNanos =
        (!bindConf.timeout().isZero()
                ? bindConf.timeout()
                : !bindConf.networkTimeout().isZero()
                    ? bindConf.networkTimeout()
                    : DEFAULT_SASL_STEP_TIMEOUT)
            .toNanos();
    this.flushes = flushes;
    this.regularView = new View(regular, server.connMaxPending(), true);
    this.bindView = new View(binds, 1, false);
  }

  /**
   * {@code feature vc}: regular connections then ask the root DSE whether the server announces
   * Verify Credentials. Set once by the loop before the pool connects.
   */
  private boolean verifyCredentialsWanted;
  /**
   * Whether the last regular connection to read the server's root DSE found Verify Credentials
   * among its supportedExtension values: client binds then go as that operation on regular
   * connections. Owned by the loop.
   */
  private boolean announcesVerifyCredentials;

  /** Switches {@code feature vc} on for this pool. Called once, before start. */
  public void wantVerifyCredentials() {
    verifyCredentialsWanted = true;
  }

  boolean verifyCredentialsWanted() {
    return verifyCredentialsWanted;
  }

  /** What a regular connection's look at the root DSE found; the latest look decides. */
  void verifyCredentialsAnnounced(boolean announced) {
    if (announced != announcesVerifyCredentials) {
      log.info(
          "{}: the server {} Verify Credentials; client binds go {}",
          name(),
          announced ? "announces" : "does not announce",
          announced ? "as that operation on regular connections" : "over bind connections");
    }
    announcesVerifyCredentials = announced;
  }

  /**
   * A regular connection saw a result arrive before that of a request sent earlier (see
   * ServerEndpoints#answersOutOfOrder): learnt once, kept in the counters until an attempt to
   * connect fails (the server is down, and what comes back may be another).
   */
  void answeredOutOfOrder() {
    if (!counters.answersOutOfOrder()) {
      counters.answeredOutOfOrder();
      log.info(
          "{}: the server answers a connection's requests out of order; requests from several"
              + " clients now share a connection and a write",
          name());
    }
  }

  /** Client binds may be checked on this pool's regular connections ({@code feature vc}). */
  boolean verifiesCredentials() {
    return announcesVerifyCredentials;
  }

  /** Connects the router that idle bind connections report to. Called once, before start. */
  public void attach(OperationRouter router) {
    this.router = router;
  }

  public ServerEndpoints<UpstreamLink> regularConnections() {
    return regularView;
  }

  public ServerEndpoints<UpstreamLink> bindConnections() {
    return bindView;
  }

  public String name() {
    return server.name();
  }

  BindConf bindConf() {
    return bindConf;
  }

  /** The server's host name as configured. */
  String host() {
    return server.uri().host();
  }

  boolean timeoutsEnabled() {
    return timeoutsEnabled;
  }

  /**
   * An operation's final response came {@code nanos} after its request was written: one fewer in
   * flight, one more sample for the latency histogram and (bestof) the moving average.
   */
  void operationAnswered(long nanos, long nowNanos) {
    pendingOps--;
    counters.answered(nanos);
    latencySample(nanos, nowNanos);
  }

  /** Folds a response time into the moving average, when a bestof tier chooses by it. */
  private void latencySample(long nanos, long nowNanos) {
    if (responseTime != null) {
      responseTime.sample(nanos, nowNanos);
    }
  }

  /**
   * How long a multi-step SASL exchange may hold a bind connection between steps: {@code
   * bindconf timeout}, else {@code network-timeout}, else {@link #DEFAULT_SASL_STEP_TIMEOUT}.
   */
  long saslStepTimeoutNanos() {
    return saslStepTimeoutNanos;
  }

  FlushBatch flushes() {
    return flushes;
  }

  /** {@code starttls=} of the server; {@link StartTls#NO} for {@code ldaps://}, TLS from the start. */
  StartTls startTls() {
    return server.uri().isTls() ? StartTls.NO : server.startTls();
  }

  /** A TLS handler for a new connection to the server, its name checked against the URL's host. */
  SslHandler newTlsHandler(ByteBufAllocator alloc) {
    SslHandler handler = tls.newHandler(alloc, server.uri().host(), server.uri().port());
    // network-timeout bounds the whole set-up, TLS included; 0 means no limit, as for connect.
    handler.setHandshakeTimeoutMillis(bindConf.networkTimeout().toMillis());
    return handler;
  }

  /** Opens every connection; returns at once. */
  public void start() {
    loop.execute(
        () -> {
          for (int i = 0; i < regularTarget; i++) {
            connect(false);
          }
          for (int i = 0; i < bindTarget; i++) {
            connect(true);
          }
        });
  }

  private void connect(boolean bindConnection) {
    if (closed) {
      return;
    }
    if (!bindConnection) {
      size.attemptStarted(); // ended by connectionReady or attemptFailed
    }
    if (server.uri().isDomainSocket()) {
      // No name to look up: the path is the address (the template is a domain socket one).
      connect(bindConnection, new DomainSocketAddress(server.uri().host()));
      return;
    }
    String host = server.uri().host();
    resolver.execute(
        () -> {
          InetAddress[] addresses;
          try {
            addresses = InetAddress.getAllByName(host);
          } catch (UnknownHostException e) {
            loop.execute(() -> attemptFailed(bindConnection, "cannot resolve host " + host));
            return;
          }
          loop.execute(() -> connect(bindConnection, addresses, 0, "no address"));
        });
  }

  /** Tries each resolved address in turn. */
  private void connect(
      boolean bindConnection, InetAddress[] addresses, int index, String lastFailure) {
    if (closed) {
      return;
    }
    if (index >= addresses.length) {
      // The cause as the system gave it: "Connection refused", or "Too many open files" when the
      // process is at its open-file limit, which an operator must not mistake for a dead server.
      attemptFailed(bindConnection, "cannot connect: " + lastFailure);
      return;
    }
    InetSocketAddress address = new InetSocketAddress(addresses[index], server.uri().port());
    connect(
        bindConnection,
        address,
        cause -> {
          log.debug("{}: {} failed: {}", name(), addresses[index], cause.toString());
          connect(bindConnection, addresses, index + 1, describe(cause));
        });
  }

  /** One attempt at a Unix domain socket ({@code ldapi://}). */
  private void connect(boolean bindConnection, DomainSocketAddress address) {
    connect(
        bindConnection,
        address,
        cause -> attemptFailed(bindConnection, "cannot connect: " + describe(cause)));
  }

  private void connect(
      boolean bindConnection, SocketAddress address, Consumer<Throwable> onFailure) {
    if (closed) {
      return;
    }
    UpstreamConnection connection =
        bindConnection
            ? new BindConnection(this, firstMessageId)
            : new RegularConnection(this, firstMessageId);
    // network-timeout=0 gives 0 here, which Netty takes as "no connect timer": the kernel's own
    // SYN retries then end an attempt that gets no answer. The parser keeps the value in an int.
    Bootstrap bootstrap =
        template
            .clone(loop)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) bindConf.networkTimeout().toMillis())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (server.uri().isTls()) {
                      ch.pipeline().addLast(UpstreamConnection.TLS_HANDLER, newTlsHandler(ch.alloc()));
                    }
                    ch.pipeline().addLast(LdapFrameDecoder.skippingOversized(maxIncoming), connection);
                  }
                });
    ChannelFuture future = bootstrap.connect(address);
    future.addListener(
        f -> {
          if (f.isSuccess()) {
            connected(connection);
          } else {
            onFailure.accept(f.cause());
          }
        });
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message != null ? message : cause.getClass().getSimpleName();
  }

  private void attemptFailed(boolean bindConnection, String why) {
    if (!bindConnection) {
      size.attemptEnded();
    }
    retryLater(bindConnection, why);
  }

  /** Says why (once per outage, and again if the cause changes) and connects after retry. */
  private void retryLater(boolean bindConnection, String why) {
    if (!why.equals(reportedDown)) { // once per outage, and again if the cause changes
      log.warn("{}: {}; retrying every {} ms", name(), why, server.retry().toMillis());
      reportedDown = why;
    }
    // What answers at this address next may be another server: its order is learnt afresh.
    counters.orderForgotten();
    updateState();
    scheduleConnect(bindConnection);
  }

  private void scheduleConnect(boolean bindConnection) {
    if (!closed) {
      loop.schedule(() -> connect(bindConnection), server.retry().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Takes a connection whose channel has connected, for expiry and close. Package-private so that
   * tests can hand the pool connections on channels they drive themselves.
   */
  void connected(UpstreamConnection connection) {
    all.add(connection);
  }

  /** With {@code starttls=yes}: said once, not for every connection, that TLS is not used. */
  void startTlsRefused(String why) {
    if (!reportedClearText) {
      log.warn("{}: {}; continuing without TLS (starttls=yes)", name(), why);
      reportedClearText = true;
    }
  }

  void connectionReady(UpstreamConnection connection) {
    if (retiring) {
      closeIfIdle(connection); // set up after a reload removed the server: never offered
      return;
    }
    if (reportedDown != null && !REFUSED.equals(reportedDown)) {
      log.info("{}: connected again", name());
      reportedDown = null;
    } // after refusals, only an answer shows the server back: firstAnswer()
    if (connection.isBindConnection()) {
      everReadyBind = true;
      binds.add(connection);
      updateState();
      bindConnectionIdle();
    } else {
      size.attemptEnded();
      everReadyRegular = true;
      regular.add(connection);
      updateState();
      connectionsChanged();
    }
  }

  /**
   * The balancer has only just started towards this server: no connection of the kind has been
   * ready yet, and no attempt has failed. Operations wait for the first one (see
   * ServerEndpoints#isStarting) rather than be refused.
   */
  private boolean isStarting(boolean regularKind) {
    return !(regularKind ? everReadyRegular : everReadyBind)
        && reportedDown == null
        && !closed
        && !retiring;
  }

  /** Up while a regular connection is ready; down while attempts fail; connecting otherwise. */
  private void updateState() {
    counters.state(
        !regular.isEmpty()
            ? ServerState.UP
            : reportedDown != null ? ServerState.DOWN : ServerState.CONNECTING);
  }

  void connectionDrained(UpstreamConnection connection) {
    if (retiring) {
      closeIfIdle(connection);
      return;
    }
    if (connection.isBindConnection()) {
      if (connection.pendingOps() == 0) { // counts a bind in flight and a pinned SASL exchange
        bindConnectionIdle();
      }
    } else {
      connectionsChanged();
    }
  }

  private void connectionsChanged() {
    if (router != null) {
      router.connectionsChanged();
    }
  }

  /** Why a connection that the server closes at once, before answering anything, failed. */
  static final String REFUSED =
      "every connection closed by the server before it answered anything";

  /** A connection's first answer from the server: after refusals, it works again. */
  void firstAnswer() {
    if (REFUSED.equals(reportedDown)) {
      log.info("{}: connected again", name());
      reportedDown = null;
    }
  }

  /** {@code retry} in nanoseconds: how long before a failed attempt is made again. */
  long retryNanos() {
    return server.retry().toNanos();
  }

  /**
   * A connection closed. One that worked is replaced at once; one whose set-up failed, or that
   * the server closed before answering anything within the retry interval of connecting ({@code
   * refused}: a proxy whose backend is down, a server at its descriptor limit), is a failed
   * attempt, made again after {@code retry} and said once per outage. Replaced at once, a
   * refusing server would take thousands of connections a second and as many log lines.
   */
  void connectionClosed(UpstreamConnection connection, boolean wasReady, boolean refused) {
    all.remove(connection);
    (connection.isBindConnection() ? binds : regular).remove(connection);
    updateState();
    if (closed || connection.isRetired()) {
      return; // a surplus connection closed on purpose is not replaced
    }
    connectionsChanged(); // waiting requests may now fail fast rather than wait for nothing
    boolean bindConnection = connection.isBindConnection();
    if (refused && wasReady) {
      retryLater(bindConnection, REFUSED); // its attempt ended when it became ready
    } else if (wasReady) {
      connect(bindConnection); // a working connection is replaced at once
    } else {
      String why = connection.setupFailure();
      attemptFailed(bindConnection, why != null ? why : "connection set-up failed");
    }
  }


  /**
   * One of the pool's bind connections has become idle: queued binds may leave now, where
   * selection sends them (never to a retiring pool, which the reload's selectors left out).
   */
  void bindConnectionIdle() {
    if (router != null) {
      router.bindConnectionIdle();
    }
  }

  void operationStarted() {
    pendingOps++;
    counters.forwarded();
  }

  /** An operation left without an answer from the server (abandoned). */
  void operationEnded() {
    pendingOps--;
  }

  /**
   * The connection carrying {@code count} operations was lost; each is answered other (80).
   * {@code pending} of them still counted against {@code max-pending-ops} (a search that is
   * streaming no longer does).
   */
  void operationsLost(int count, int pending) {
    pendingOps -= pending;
    counters.lost(count);
  }

  /**
   * A search began to stream (its first entry or intermediate response): it no longer counts
   * against {@code max-pending-ops}, and the time to that first response is its latency.
   */
  void streamingStarted(long nanos, long nowNanos) {
    pendingOps--;
    latencySample(nanos, nowNanos);
  }

  /**
   * A search that had been streaming ended: it left {@code max-pending-ops} at its first entry,
   * and a long stream says nothing of the server's latency, so it is only counted as answered.
   */
  void streamingAnswered(long nanos, long nowNanos) {
    counters.answered(nanos);
  }


  void tlsHandshake(boolean succeeded) {
    counters.tlsHandshake(succeeded);
  }

  /**
   * This loop's view of the server for the monitor; run on the loop.
   *
   * @param tier the index of the server's tier
   * @param policy the tier's policy as the monitor names it
   */
  public ServerSnapshot sample(int tier, String policy) {
    ServerSnapshot s =
        new ServerSnapshot(name(), tier, policy, server.weight(), counters, reportedDown);
    for (UpstreamConnection c : all) {
      int kind = c.isBindConnection() ? 1 : 0;
      switch (c.state()) {
        case READY -> s.connection(kind, 0, c.pendingOps());
        case CONNECTING, SETTING_UP -> s.connection(kind, 1, c.pendingOps());
        case CLOSING -> s.connection(kind, 2, c.pendingOps());
        case CLOSED -> {}
      }
    }
    s.load(regularTarget, bindTarget, pendingOps);
    if (!health.health().isUsable()) {
      s.unresponsive("taken out of selection: no response within health-check-timeout");
    }
    return s;
  }

  /** A PDU came from the server: it is alive (counted, looked at in the sweep). */
  void frameRead() {
    health.frameRead();
  }

  void probeAnswered(UpstreamConnection connection) {
    health.probeAnswered(connection);
  }

  /**
   * {@code count} operations got no response within {@code bindconf timeout}: counted for the
   * monitor, and told to the server's health (consecutive time-outs are a sign of a hung server).
   */
  void operationsTimedOut(int count) {
    counters.timedOut(count);
    health.operationsExpired(count);
  }

  /**
   * Fails operations older than the time limit ({@code timeoutNanos}, 0 for none) and ends SASL
   * exchanges that wait too long for their next step; run periodically on the loop.
   */
  public void expire(long nowNanos, long timeoutNanos) {
    if (responseTime != null) {
      responseTime.age(nowNanos, pendingOps);
    }
    if (!retiring) {
      // A server a reload removed is no longer judged: its state stays as it was for the day
      // the same server is added again, and no "taken out of selection" follows the reload.
      health.check(nowNanos, pendingOps, regular);
    }
    resize(nowNanos);
    // A copy: expiring may close a connection, which removes it from the list at once.
    for (UpstreamConnection connection : List.copyOf(all)) {
      connection.expire(nowNanos, timeoutNanos);
    }
  }

  /**
   * A reload removed this server, or changed its settings (then a new pool takes its place): the
   * caller has already taken it out of selection. Operations in flight finish; each connection
   * closes once it has none (a pinned SASL exchange counts), and none is opened again. Runs on the
   * loop.
   */
  public void retire() {
    closed = true;
    retiring = true;
    closeIdleConnections();
  }

  /**
   * Closes the connections of a retiring pool that have nothing in flight: those that drained
   * without telling the pool, and those that finished connecting after {@link #retire()}.
   * Returns how many connections are left. Called periodically on the loop.
   */
  public int closeIdleConnections() {
    for (UpstreamConnection c : List.copyOf(all)) {
      closeIfIdle(c);
    }
    return all.size();
  }

  private void closeIfIdle(UpstreamConnection connection) {
    if (connection.isQuiet(System.nanoTime())) {
      connection.channel().close();
    }
  }

  /** Grows the pool by one connection when all are loaded; closes one idle surplus connection. */
  private void resize(long nowNanos) {
    if (closed) {
      return;
    }
    if (size.shouldGrow(regular, server.connMaxPending())) {
      log.debug("{}: every connection is loaded; opening another (up to {})", name(), size.max());
      connect(false);
      return;
    }
    UpstreamConnection surplus = size.idleSurplus(nowNanos, regular);
    if (surplus != null) {
      regular.remove(surplus); // out of selection first, so nothing is sent to it any more
      surplus.retire();
    }
  }

  /** Stops reconnecting and closes every connection (on the loop). */
  public void close() {
    closed = true;
    for (UpstreamConnection c : new ArrayList<>(all)) {
      c.channel().close();
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** Operations in flight on this server from this loop. */
  public int pendingOps() {
    return pendingOps;
  }

  public int readyConnections() {
    return regular.size();
  }

  public int readyBindConnections() {
    return binds.size();
  }

  /** A server's connections of one kind as selection sees them. */
  private final class View implements ServerEndpoints<UpstreamLink> {
    private final List<? extends UpstreamLink> connections;
    private final int connMaxPending;
    private final boolean limited;

    @SuppressWarnings("unchecked")
    View(List<UpstreamConnection> connections, int connMaxPending, boolean limited) {
      this.connections = connections;
      this.connMaxPending = connMaxPending;
      this.limited = limited;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<UpstreamLink> endpoints() {
      return (List<UpstreamLink>) connections;
    }

    @Override
    public int pendingOps() {
      return pendingOps;
    }

    @Override
    public int maxPendingOps() {
      return limited ? maxPendingOps : 0;
    }

    @Override
    public int connMaxPending() {
      return connMaxPending;
    }

    @Override
    public int weight() {
      return server.weight();
    }

    /** Not once closed (a reload removed the server, or shutdown): pins to it move on too. */
    @Override
    public boolean isUsable() {
      return !closed && health.health().isUsable();
    }

    /**
     * Bind connections only: the server answers on its regular connections, so a missing bind
     * connection is being replaced (a bind that timed out closes its connection); binds wait for
     * it in the router's queue rather than fail {@code unavailable (52)}.
     */
    @Override
    public boolean isReconnecting() {
      return !limited && !closed && connections.isEmpty() && !regular.isEmpty();
    }

    /** Regular and bind connections alike wait for the pool's first connections. */
    @Override
    public boolean isStarting() {
      return connections.isEmpty() && ServerPool.this.isStarting(limited);
    }

    @Override
    public long latencyNanos() {
      return responseTime == null ? 0 : responseTime.nanos();
    }

    @Override
    public boolean answersOutOfOrder() {
      return limited && counters.answersOutOfOrder();
    }
  }
}
