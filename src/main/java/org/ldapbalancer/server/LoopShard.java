package org.ldapbalancer.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.Locale;
import org.ldapbalancer.balancing.Selector;
import org.ldapbalancer.balancing.ServerEndpoints;
import org.ldapbalancer.balancing.Tier;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.TierPolicy;
import org.ldapbalancer.monitor.LoopSample;
import org.ldapbalancer.monitor.ServerSnapshot;
import org.ldapbalancer.operation.FlushBatch;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.tls.UpstreamTlsContext;
import org.ldapbalancer.upstream.ServerHealth;
import org.ldapbalancer.upstream.ServerPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one event loop owns: its connections to every server, its router, and the timer
 * that expires operations and queued binds. Clients on this loop only ever use this shard, so
 * an operation is handled start to finish on one thread without locks.
 */
final class LoopShard {
  private static final Logger log = LoggerFactory.getLogger(LoopShard.class);

  /**
   * How long a bind, or a request held back by write backlogs or by the servers' first
   * connections at start, may wait before it is answered (busy, or unavailable at start).
   */
  static final long QUEUE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Binds, and other requests, that may wait per event loop before further ones are answered busy. */
  static final int QUEUE_CAPACITY = 4096;

  private static final long SWEEP_MILLIS = 100;

  private final EventLoop loop;
  private final int index;
  private final int loops;
  private final Bootstrap template;
  /** Each server's health, shared by every loop (made when a server first appears). */
  private final Function<BackendServer, ServerHealth> health;
  /** For {@code ldapi://} servers: the same, over a Unix domain socket. */
  private final Bootstrap domainTemplate;
  private final Executor resolver;
  private final FlushBatch flushes;
  /** The pools selection uses, each with what it was made from; replaced whole by a reload. */
  private List<PoolOf> pools = new ArrayList<>();
  /** Pools a reload removed, until their last connection has closed. */
  private final List<ServerPool> retiring = new ArrayList<>();
  private final OperationRouter router;
  private long operationTimeoutNanos;
  /** The configured tiers, whose servers {@link #pools} follow in order. */
  private List<org.ldapbalancer.config.Tier> tiers;
  private ScheduledFuture<?> sweeper;

  /** A pool and the settings it was made with: a reload keeps it only if they are unchanged. */
  private record PoolOf(PoolSettings settings, ServerPool pool) {}

  /**
   * Everything a {@link ServerPool} is made from apart from the loop: a server line, {@code
   * bindconf} (how its connections bind), the PDU limit, whether its tier measures latency, and
   * the TLS context (a reload that changes the TLS files builds a new one).
   */
  private record PoolSettings(
      BackendServer server,
      BindConf bindConf,
      int maxIncomingUpstream,
      boolean measuresLatency,
      UpstreamTlsContext tls,
      boolean verifyCredentials) {}

  LoopShard(
      EventLoop loop,
      int index,
      int loops,
      BalancerConfig config,
      Bootstrap template,
      Bootstrap domainTemplate,
      Executor resolver,
      UpstreamTlsContext tls,
      Function<BackendServer, ServerHealth> health) {
    this.loop = loop;
    this.health = health;
    this.index = index;
    this.loops = loops;
    this.template = template;
    this.domainTemplate = domainTemplate;
    this.resolver = resolver;
    this.operationTimeoutNanos = config.bindConf().timeout().toNanos();
    this.tiers = config.tiers();
    this.flushes = new FlushBatch(loop);
    List<PoolOf> made = new ArrayList<>();
    Selectors selectors = build(config, tls, List.of(), made);
    this.router =
        new OperationRouter(
            selectors.regular, selectors.binds, flushes, QUEUE_CAPACITY, QUEUE_TIMEOUT_NANOS);
    made.forEach(p -> p.pool().attach(router));
    this.pools = made;
  }

  private record Selectors(Selector<UpstreamLink> regular, Selector<UpstreamLink> binds) {}

  /**
   * Builds the tiers of {@code config}: a pool of {@code reusable} made from the same settings is
   * taken over (with its connections), any other is made new. The pools used are added to {@code
   * used} in tier order.
   */
  private Selectors build(
      BalancerConfig config, UpstreamTlsContext tls, List<PoolOf> reusable, List<PoolOf> used) {
    List<PoolOf> left = new ArrayList<>(reusable);
    List<Tier<UpstreamLink>> regularTiers = new ArrayList<>();
    List<Tier<UpstreamLink>> bindTiers = new ArrayList<>();
    for (org.ldapbalancer.config.Tier tier : config.tiers()) {
      List<ServerEndpoints<UpstreamLink>> regular = new ArrayList<>();
      List<ServerEndpoints<UpstreamLink>> binds = new ArrayList<>();
      for (BackendServer server : tier.servers()) {
        PoolSettings settings =
            new PoolSettings(
                server,
                config.bindConf(),
                config.maxIncomingUpstream(),
                tier.policy() == TierPolicy.BESTOF,
                server.usesTls() ? tls : null,
                config.verifyCredentials());
        PoolOf pool = take(left, settings);
        if (pool == null) {
          pool = new PoolOf(settings, newPool(settings));
        }
        used.add(pool);
        regular.add(pool.pool().regularConnections());
        binds.add(pool.pool().bindConnections());
      }
      regularTiers.add(tierOf(tier.policy(), regular));
      bindTiers.add(tierOf(tier.policy(), binds));
    }
    return new Selectors(new Selector<>(regularTiers), new Selector<>(bindTiers));
  }

  private static PoolOf take(List<PoolOf> pools, PoolSettings settings) {
    for (int i = 0; i < pools.size(); i++) {
      if (pools.get(i).settings().equals(settings)) {
        return pools.remove(i);
      }
    }
    return null;
  }

  private ServerPool newPool(PoolSettings s) {
    BackendServer server = s.server();
    ServerPool pool = new ServerPool(
        server,
        s.bindConf(),
        loop,
        server.uri().isDomainSocket() ? domainTemplate : template,
        resolver,
        share(server.numconns(), index, loops),
        share(server.bindconns(), index, loops),
        server.maxPendingOps() == 0 ? 0 : ceilShare(server.maxPendingOps(), loops),
        s.maxIncomingUpstream(),
        flushes,
        s.tls(),
        s.measuresLatency(),
        health.apply(server));
    if (s.verifyCredentials()) {
      pool.wantVerifyCredentials();
    }
    return pool;
  }

  /**
   * Applies a reloaded configuration on this loop: pools whose settings are unchanged are kept
   * with their connections; new ones are made and start connecting; the rest leave selection at
   * once and close each connection when it has nothing in flight. Operations queued for a
   * connection go on waiting, now for the new tiers. Runs on the loop.
   */
  void reload(BalancerConfig config, UpstreamTlsContext tls) {
    List<PoolOf> used = new ArrayList<>();
    Selectors selectors = build(config, tls, pools, used);
    List<PoolOf> removed = new ArrayList<>(pools);
    removed.removeIf(p -> used.stream().anyMatch(u -> u.pool() == p.pool()));
    List<PoolOf> added = new ArrayList<>(used);
    added.removeIf(u -> pools.stream().anyMatch(p -> p.pool() == u.pool()));
    pools = used;
    tiers = config.tiers();
    operationTimeoutNanos = config.bindConf().timeout().toNanos();
    router.replaceSelectors(selectors.regular, selectors.binds);
    for (PoolOf p : added) {
      p.pool().attach(router);
      p.pool().start();
    }
    for (PoolOf p : removed) {
      p.pool().retire();
      retiring.add(p.pool());
    }
    router.connectionsChanged(); // requests waiting for a backlog may fit the new tiers
  }

  private static Tier<UpstreamLink> tierOf(
      TierPolicy policy, List<ServerEndpoints<UpstreamLink>> servers) {
    return switch (policy) {
      case ROUNDROBIN -> Tier.roundRobin(servers);
      case WEIGHTED -> Tier.weighted(servers);
      case BESTOF -> Tier.bestOf(servers);
    };
  }

  /** This loop's part of {@code total} connections: an even split, but at least one. */
  static int share(int total, int index, int loops) {
    int base = total / loops;
    return Math.max(1, base + (index < total % loops ? 1 : 0));
  }

  static int ceilShare(int total, int loops) {
    return Math.max(1, (int) ((total + (long) loops - 1) / loops)); // long: total may be MAX_VALUE
  }

  EventLoop loop() {
    return loop;
  }

  OperationRouter router() {
    return router;
  }

  /** The pools selection uses now (not those still closing after a reload). */
  List<ServerPool> pools() {
    return pools.stream().map(PoolOf::pool).toList();
  }

  /** Connections of pools a reload removed that have not closed yet. */
  int retiringConnections() {
    int sum = 0;
    for (ServerPool pool : retiring) {
      sum += pool.closeIdleConnections();
    }
    return sum;
  }

  /** This loop's part of a monitor snapshot; runs on the loop, which owns everything it reads. */
  /** This loop's part of a snapshot; with every client connection listed when asked. */
  LoopSample sample(boolean listClients) {
    List<ServerSnapshot> servers = new ArrayList<>(pools.size());
    int p = 0;
    for (int t = 0; t < tiers.size(); t++) {
      String policy = tiers.get(t).policy().name().toLowerCase(Locale.ROOT);
      for (int s = 0; s < tiers.get(t).servers().size(); s++) {
        servers.add(pools.get(p++).pool().sample(t, policy));
      }
    }
    return new LoopSample(
        router.counters().copy(),
        router.queuedBinds(),
        router.queuedRequests(),
        router.backlogs().size(),
        servers,
        listClients ? router.clients().stream().map(ClientLink::sample).toList() : List.of());
  }

  void start() {
    pools.forEach(p -> p.pool().start());
    sweeper = loop.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    // An exception must not end the schedule: timeouts and queue expiry would stop on this loop
    // for good.
    try {
      long now = System.nanoTime();
      router.expireWaiting(now);
      for (PoolOf p : pools) {
        p.pool().expire(now, operationTimeoutNanos);
      }
      for (int i = retiring.size() - 1; i >= 0; i--) {
        ServerPool pool = retiring.get(i);
        pool.expire(now, operationTimeoutNanos); // what is in flight keeps its time limit
        if (pool.closeIdleConnections() == 0) {
          retiring.remove(i);
        }
      }
    } catch (RuntimeException e) {
      log.error("periodic expiry failed; it runs again in {} ms", SWEEP_MILLIS, e);
    }
  }

  /** Stops the timer and closes every upstream connection; runs on the loop. */
  void close() {
    if (sweeper != null) {
      sweeper.cancel(false);
    }
    pools.forEach(p -> p.pool().close());
    retiring.forEach(ServerPool::close);
  }
}
