package org.ldapbalancer.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ldapbalancer.client.ClientChannelInitializer;
import org.ldapbalancer.client.ClientConnection;
import org.ldapbalancer.client.ClientSettings;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.monitor.tree.MonitorView;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.monitor.access.AccessLog;
import org.ldapbalancer.monitor.MonitorChannelInitializer;
import org.ldapbalancer.monitor.MonitorSnapshot;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.tls.TlsConfigException;
import org.ldapbalancer.tls.TlsContexts;
import org.ldapbalancer.upstream.ServerHealth;
import org.ldapbalancer.upstream.ServerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running balancer: event loops, one {@link LoopShard} per loop, and the listeners.
 *
 * <p>Thread-safe: its public methods may be called from any thread; they hand work to the
 * loops.
 */
public final class Balancer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Balancer.class);

  /** The configuration started with; {@link #live} has the one in force. */
  private final BalancerConfig config;
  private final LiveConfig live;
  private final Transport transport = Transport.best();
  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final ExecutorService resolver;
  private final List<LoopShard> shards = new ArrayList<>();
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final List<Channel> listeners = new ArrayList<>();
  /** The files of the {@code ldapi://} listeners, removed at shutdown. */
  private final List<Path> socketFiles = new ArrayList<>();
  private final DescriptorBudget descriptors;
  private final TlsContexts tls;
  /** Connections and operations, when {@code loglevel stats} asks for them. */
  private volatile AccessLog accessLog = AccessLog.off();
  /** What newly accepted clients share; replaced by a reload. */
  private volatile ClientSettings clientSettings;
  /** Snapshots for the monitor; set once the loops are running. */
  private MonitorSnapshots monitor;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Counted down when the drain is over: every client gone, or {@link #hurry()}. */
  private final CountDownLatch drainOver = new CountDownLatch(1);
  /** One health state per server, shared by its pools on every loop; a reload adds to it. */
  private final Map<BackendServer, ServerHealth> health = new ConcurrentHashMap<>();

  private Balancer(BalancerConfig config, TlsContexts tls) {
    this.config = config;
    this.tls = tls;
    this.live = new LiveConfig(config, tls);
    this.acceptor = transport.newGroup(1, new DefaultThreadFactory("ldap-balancer-accept", true));
    this.workers =
        transport.newGroup(config.ioThreads(), new DefaultThreadFactory("ldap-balancer-io", true));
    this.resolver =
        Executors.newCachedThreadPool(new DefaultThreadFactory("ldap-balancer-resolver", true));
    this.descriptors = DescriptorBudget.forThisProcess(descriptorReserve(config));
  }

  /** How often the process-wide bound on buffered bytes is checked. */
  static final long MEMORY_CHECK_MILLIS = 100;

  /**
   * The process-wide bound on bytes held in buffers: the system property {@code
   * ldapbalancer.maxBufferedBytes}, else three quarters of the direct memory the JVM allows
   * (by default as much as its heap, {@code -Xmx}).
   */
  static long maxBufferedBytes() {
    Long configured = Long.getLong("ldapbalancer.maxBufferedBytes");
    if (configured != null && configured > 0) {
      return configured;
    }
    return PlatformDependent.maxDirectMemory() / 4 * 3;
  }

  /**
   * Descriptors kept free at the open-file limit: one per upstream connection the loops keep
   * (each loop has at least one of each kind to every server), and some for the process itself
   * (name lookups, logs, a replacement connection opened before the old one is gone).
   */
  static int descriptorReserve(BalancerConfig config) {
    int loops = config.ioThreads();
    long upstreams = 0;
    for (var server : config.servers()) {
      upstreams += Math.max(server.numconns(), loops) + Math.max(server.bindconns(), loops);
    }
    return (int) Math.min(Integer.MAX_VALUE / 2, 2 * upstreams + 32);
  }

  /**
   * Starts the event loops and upstream connections, then listens on {@code urls}.
   *
   * @throws IOException if a listener cannot be bound; nothing is left running then
   */
  public static Balancer start(BalancerConfig config, List<LdapUrl> urls) throws IOException {
    TlsContexts tls;
    try {
      tls = TlsContexts.build(config);
    } catch (TlsConfigException e) {
      throw new IOException(e.getMessage(), e);
    }
    return start(config, urls, tls);
  }

  /**
   * Like {@link #start(BalancerConfig, List)}, with TLS contexts already built (and so checked)
   * from {@code config}.
   *
   * @throws IOException if a listener cannot be bound, or an {@code ldaps://} listener has no
   *     certificate; nothing is left running then
   */
  public static Balancer start(BalancerConfig config, List<LdapUrl> urls, TlsContexts tls)
      throws IOException {
    for (LdapUrl url : urls) {
      if (url.isTls() && tls.listener() == null) {
        throw new IOException(
            "cannot listen on " + url + ": no certificate configured (TLSCertificateFile)");
      }
    }
    reportProxiedAuthorization(config);
    Balancer balancer = new Balancer(config, tls);
    for (var server : config.servers()) {
      if (server.uri().isDomainSocket() && balancer.transport.domainSocketChannel() == null) {
        balancer.close();
        throw new IOException(
            "cannot connect to " + server.uri() + ": Unix domain sockets need the epoll or"
                + " io_uring transport, not " + balancer.transport.name());
      }
    }
    try {
      if (tls.any()) {
        log.info("TLS by {} ({})", tls.provider().describe(), tls.provider().why());
        tls.startWatching();
      }
      balancer.accessLog = AccessLog.start(config.logging());
      balancer.startShards();
      for (LdapUrl url : urls) {
        if (url.isHttp()) {
          balancer.listenHttp(url);
        } else {
          balancer.listen(url);
        }
      }
      if (!urls.isEmpty()) {
        log.info("listeners: {}", balancer.transport.portSharing());
      }
    } catch (java.io.UncheckedIOException e) {
      balancer.close();
      throw e.getCause(); // the log file could not be opened
    } catch (IOException | RuntimeException e) {
      balancer.close();
      throw e;
    }
    return balancer;
  }

  /**
   * Says at start with whose rights forwarded operations run. Off, they run with the {@code
   * bindconf} identity's whatever the client bound as (lloadd 2.6's default; also a file with no
   * {@code bindconf} account and no {@code feature proxyauthz}, see ConfigParser). On with an
   * anonymous connection, servers refuse the critical Proxied Authorization control and every
   * operation fails: likely a file for a server without RFC 4370 that forgot {@code disable
   * proxyauthz}.
   */
  static void reportProxiedAuthorization(BalancerConfig config) {
    boolean anonymous = config.bindConf().method() == BindMethod.NONE;
    if (!config.proxyAuthz()) {
      log.info(
          "proxied authorization is off: forwarded operations run with the rights of the"
              + " balancer's {}, whatever identity each client bound with; 'feature proxyauthz'"
              + " (with a bindconf account allowed to proxy) gives each client its own",
          anonymous ? "anonymous connections" : "bindconf identity " + config.bindConf().bindDn());
    } else if (anonymous) {
      log.warn(
          "proxied authorization is on but no bindconf account is set: servers normally refuse"
              + " the Proxied Authorization control (RFC 4370) on an anonymous connection, so"
              + " operations will fail; set bindconf to an account allowed to proxy, or 'disable"
              + " proxyauthz'");
    }
  }

  private void startShards() {
    Bootstrap template =
        new Bootstrap()
            .channel(transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
    // ldapi:// servers: the same, on the transport's Unix domain socket channel (no TCP options).
    Bootstrap domainTemplate =
        transport.domainSocketChannel() == null
            ? null
            : new Bootstrap()
                .channel(transport.domainSocketChannel())
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(
                    ChannelOption.WRITE_BUFFER_WATER_MARK,
                    new WriteBufferWaterMark(64 * 1024, 256 * 1024));
    List<EventLoop> loops = new ArrayList<>();
    workers.forEach(e -> loops.add((EventLoop) e));
    for (int i = 0; i < loops.size(); i++) {
      shards.add(
          new LoopShard(
              loops.get(i),
              i,
              loops.size(),
              config,
              template,
              domainTemplate,
              resolver,
              live.upstreamTls(),
              server -> health.computeIfAbsent(
                  server, s -> new ServerHealth(s.name(), config.healthCheck()))));
    }
    shards.forEach(LoopShard::start);
    monitor = new MonitorSnapshots(shards);
    acceptor.scheduleWithFixedDelay(this::recalibrateDescriptors, 1, 1, TimeUnit.SECONDS);
    EventLoop home = (EventLoop) acceptor.next();
    MemoryGuard memory =
        new MemoryGuard(
            maxBufferedBytes(),
            () ->
                PooledByteBufAllocator.DEFAULT.pinnedDirectMemory()
                    + PooledByteBufAllocator.DEFAULT.pinnedHeapMemory(),
            List.copyOf(shards),
            home);
    home.scheduleWithFixedDelay(
        () -> {
          try {
            memory.check();
          } catch (RuntimeException e) {
            log.error("checking buffered memory failed; checked again shortly", e);
          }
        },
        MEMORY_CHECK_MILLIS,
        MEMORY_CHECK_MILLIS,
        TimeUnit.MILLISECONDS);
    if (descriptors.limit() > 0 && descriptors.pausePoint() < descriptors.reserve() + 64) {
      log.warn(
          "the open-file limit ({}) leaves room for few clients: {} descriptors are kept for"
              + " connections to the servers; raise it (ulimit -n, LimitNOFILE=)",
          descriptors.limit(),
          descriptors.reserve());
    }
    log.info(
        "{} event loops ({}, {}), {} servers in {} tiers; buffered responses bounded at {} MiB"
            + " (-Dldapbalancer.maxBufferedBytes, else 3/4 of the JVM's direct memory)",
        loops.size(),
        transport.name(),
        transport.why(),
        config.servers().size(),
        config.tiers().size(),
        memory.limit() >> 20);
  }

  /** Who may read cn=Monitor: the {@code bindconf} DN and every {@code monitor-access} DN. */
  private List<String> monitorReaders(BalancerConfig config) {
    List<String> readers = new ArrayList<>(config.monitorAccess());
    if (config.bindConf().method() == BindMethod.SIMPLE) {
      readers.add(config.bindConf().bindDn());
    }
    return readers;
  }

  /**
   * What client connections accepted from now on share, from {@code c}: the per-client limits
   * and timeouts, restrictions, session tracking and who may read cn=Monitor follow a reload;
   * proxied authorization, the listeners' TLS context and the access log are those of the start
   * (ConfigChange names them as needing a restart).
   */
  private ClientSettings clientSettings(BalancerConfig c) {
    ClientSettings settings =
        new ClientSettings(
                c.clientMaxPending(),
                config.proxyAuthz(),
                c.bindConf().ownAuthzId(),
                c.ioTimeout().toMillis(),
                tls.listener(),
                c.restrictions(),
                c.idleTimeout().toMillis())
            .withAccessLog(accessLog)
            .withMonitor(new MonitorView(monitor, monitor, monitorReaders(c)));
    return c.sessionTracking() ? settings.withSessionTracking(HostName.get()) : settings;
  }

  private void listen(LdapUrl url) throws IOException {
    Map<EventLoop, OperationRouter> routers = new HashMap<>();
    shards.forEach(s -> routers.put(s.loop(), s.router()));
    if (clientSettings == null) {
      clientSettings = clientSettings(config);
    }
    Class<? extends ServerChannel> channelType =
        url.isDomainSocket() ? transport.serverDomainSocketChannel() : transport.serverChannel();
    if (channelType == null) {
      throw new IOException(
          "cannot listen on " + url + ": Unix domain sockets need the epoll or io_uring"
              + " transport, not " + transport.name());
    }
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(channelType)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
            .childHandler(
                new ClientChannelInitializer(
                    routers,
                    () -> clientSettings,
                    config.maxIncomingClient(),
                    ch -> {
                      clients.add(ch);
                      descriptors.accepted(ch);
                    },
                    url.isTls() ? tls.listener() : null,
                    url.isProxyProtocol()));
    if (!url.isDomainSocket()) {
      bootstrap
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          // A client whose host vanished (no FIN, no RST) is found by the kernel's probes.
          .childOption(ChannelOption.SO_KEEPALIVE, true);
    }
    SocketAddress address;
    if (url.isDomainSocket()) {
      address = SocketFile.prepare(Path.of(url.host()));
    } else {
      address =
          url.host().isEmpty()
              ? new InetSocketAddress(url.port())
              : new InetSocketAddress(url.host(), url.port());
    }
    if (transport.sharesPorts() && !url.isDomainSocket()) {
      bootstrap.option(UnixChannelOption.SO_REUSEPORT, true); // the hand-over of an upgrade
    }
    try {
      Channel channel = bootstrap.bind(address).sync().channel();
      listeners.add(channel);
      if (url.isDomainSocket()) {
        socketFiles.add(Path.of(url.host()));
      }
      descriptors.addListener(channel);
      log.info("listening on {}", url);
    } catch (Exception e) {
      throw new IOException("cannot listen on " + url + ": " + e.getMessage(), e);
    }
  }

  /**
   * The monitoring listener: HTTP on the same event loops, reading snapshots only. Its
   * connections are not counted as clients, and it keeps accepting at the open-file limit, so
   * that health checks still answer then.
   */
  private void listenHttp(LdapUrl url) throws IOException {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 128)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            // Answers beyond this wait for the client to read (MonitorHttpHandler).
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(64 * 1024, 256 * 1024))
            .childHandler(new MonitorChannelInitializer(monitor));
    SocketAddress address =
        url.host().isEmpty()
            ? new InetSocketAddress(url.port())
            : new InetSocketAddress(url.host(), url.port());
    try {
      listeners.add(bootstrap.bind(address).sync().channel());
      log.info("listening on {}", url);
    } catch (Exception e) {
      throw new IOException("cannot listen on " + url + ": " + e.getMessage(), e);
    }
  }

  /**
   * A snapshot of every counter and every server's state, summed over the event loops; completes
   * when every loop has answered (never blocks the caller).
   */
  public CompletionStage<MonitorSnapshot> snapshot() {
    return monitor.snapshot();
  }

  private void recalibrateDescriptors() {
    try {
      descriptors.recalibrate();
    } catch (RuntimeException e) {
      log.error("counting open descriptors failed; tried again in a second", e);
    }
  }

  /**
   * The addresses the TCP listeners are bound to, in the order given (port 0 becomes real);
   * {@code ldapi://} listeners are left out.
   */
  public List<InetSocketAddress> listenAddresses() {
    return listeners.stream()
        .map(Channel::localAddress)
        .filter(InetSocketAddress.class::isInstance)
        .map(InetSocketAddress.class::cast)
        .toList();
  }

  /** Ready regular connections to each server, summed over the event loops. */
  public Map<String, Integer> readyConnections() {
    return sumOverPools(ServerPool::readyConnections);
  }

  /** Ready bind connections to each server, summed over the event loops. */
  public Map<String, Integer> readyBindConnections() {
    return sumOverPools(ServerPool::readyBindConnections);
  }

  /**
   * Whether each server is in selection (true) or taken out as unresponsive (false); servers
   * named by their URL.
   */
  public Map<String, Boolean> serversInSelection() {
    Map<String, Boolean> usable = new HashMap<>();
    health.forEach((server, h) -> usable.put(server.name(), h.isUsable()));
    return usable;
  }

  /** Binds waiting for a bind connection and requests waiting for a backlog to drain. */
  public int waitingOperations() {
    int sum = 0;
    for (LoopShard shard : shards) {
      try {
        sum += shard.loop().submit(() -> shard.router().waitingOperations()).get(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("event loop did not answer", e);
      }
    }
    return sum;
  }

  private Map<String, Integer> sumOverPools(java.util.function.ToIntFunction<ServerPool> f) {
    Map<String, Integer> sums = new HashMap<>();
    for (LoopShard shard : shards) {
      Future<Map<String, Integer>> part =
          shard.loop().submit(() -> {
            Map<String, Integer> m = new HashMap<>();
            shard.pools().forEach(p -> m.merge(p.name(), f.applyAsInt(p), Integer::sum));
            return m;
          });
      try {
        part.get(5, TimeUnit.SECONDS).forEach((k, v) -> sums.merge(k, v, Integer::sum));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("event loop did not answer", e);
      }
    }
    return sums;
  }

  /**
   * The first level of the design note's draining shutdown: stops accepting, lets every client's
   * operations in flight finish (a search streams to its end) while its new requests are answered
   * {@code unavailable (52)}, and tells each client with a Notice of Disconnection once it has
   * nothing pending. Returns when every client is gone, when {@code grace} has passed, or when
   * {@link #hurry()} is called; {@link #close()} then deals with whoever is left. Upstream
   * connections stay up throughout, so that what is in flight can finish.
   *
   * @return whether every client had finished within the grace period
   */
  public boolean drain(Duration grace) throws InterruptedException {
    if (closed.get()) {
      return true;
    }
    live.close(); // a reload now would start connections that nothing will use
    log.info("draining: no new connections, operations in flight may take up to {} s",
        grace.toSeconds());
    stopListening();
    // A connection the acceptor took just before its listener closed is registered with its loop
    // by a task queued there; one more task on every loop runs after it, so the client below
    // includes it.
    List<Future<?>> registered = new ArrayList<>();
    workers.forEach(loop -> registered.add(loop.submit(() -> {})));
    registered.forEach(f -> f.awaitUninterruptibly(5, TimeUnit.SECONDS));
    Future<Void> gone = clients.newCloseFuture();
    gone.addListener(f -> drainOver.countDown());
    for (Channel client : clients) {
      client.eventLoop().execute(() -> {
        ClientConnection connection = client.pipeline().get(ClientConnection.class);
        if (connection != null) {
          connection.drain();
        }
      });
    }
    drainOver.await(grace.toNanos(), TimeUnit.NANOSECONDS);
    boolean finished = gone.isDone();
    if (finished) {
      log.info("drained: every client has finished");
    } else {
      log.info("drain ended with {} clients left; their operations are abandoned", clients.size());
    }
    return finished;
  }

  /**
   * Applies a reloaded configuration (SIGHUP) without disturbing clients: their connections,
   * bound identities and operations in flight stay. Each event loop, in a task of its own, keeps
   * the pools of servers whose settings are unchanged, starts pools for new or changed servers
   * and takes the others out of selection; their connections close once they have nothing in
   * flight. Certificate files with the names in force are read again. Settings fixed at start
   * are kept, and named in the result.
   *
   * @param next a configuration already checked whole (parsed, TLS files read: what {@code -t}
   *     does)
   * @param nextTls the contexts built from {@code next} while checking it; taken over if the TLS
   *     options towards the servers changed, closed otherwise
   * @return the settings that changed but need a restart
   * @throws IllegalArgumentException if {@code next} cannot be applied while running; nothing has
   *     changed then
   * @throws IllegalStateException when shutting down
   * @throws ReloadIncompleteException when some event loops applied it and another did not
   */
  public List<String> reload(BalancerConfig next, TlsContexts nextTls) {
    if (closed.get()) {
      nextTls.close();
      throw new IllegalStateException("shutting down");
    }
    List<String> restart = live.apply(next, nextTls, shards);
    clientSettings = clientSettings(next); // for the clients accepted from now on
    return restart;
  }

  /** Connections to servers a reload removed that are still open (they close once idle). */
  public int retiringConnections() {
    int sum = 0;
    for (LoopShard shard : shards) {
      try {
        sum += shard.loop().submit(shard::retiringConnections).get(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("event loop did not answer", e);
      }
    }
    return sum;
  }

  /** Ends a {@link #drain} now: what is still in flight is abandoned by {@link #close()}. */
  public void hurry() {
    drainOver.countDown();
  }

  private void stopListening() {
    listeners.forEach(c -> c.close().awaitUninterruptibly(5, TimeUnit.SECONDS));
  }

  /**
   * Stops accepting, tells every client with a Notice of Disconnection ({@code unavailable}),
   * closes all connections and stops the event loops. Operations still in flight are abandoned:
   * {@link #drain} first lets them finish.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.info("shutting down");
    stopListening();
    socketFiles.forEach(SocketFile::remove);
    List<Future<?>> done = new ArrayList<>();
    for (Channel client : clients) {
      done.add(client.eventLoop().submit(() -> {
        ClientConnection connection = client.pipeline().get(ClientConnection.class);
        if (connection != null) {
          connection.disconnect(ResultCode.UNAVAILABLE, ClientConnection.SHUTTING_DOWN);
        }
      }));
    }
    done.forEach(f -> f.awaitUninterruptibly(5, TimeUnit.SECONDS));
    // Each notice closes its channel once written. On io_uring a write completes after the task
    // that flushed it, so closing the group at once could cut notices off: wait for those closes
    // first (bounded: a client that reads nothing never takes its notice), then close the rest.
    clients.newCloseFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    for (LoopShard shard : shards) {
      shard.loop().submit(() -> {
        shard.router().failWaiting(ResultCode.UNAVAILABLE, ClientConnection.SHUTTING_DOWN);
        shard.close();
      }).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    resolver.shutdownNow();
    tls.close();
    live.close();
    accessLog.close();
    log.info("stopped");
  }
}
