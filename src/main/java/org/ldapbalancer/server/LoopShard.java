package org.ldapbalancer.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.balancing.Selector;
import org.ldapbalancer.balancing.ServerEndpoints;
import org.ldapbalancer.balancing.Tier;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.TierPolicy;
import org.ldapbalancer.monitor.LoopSample;
import org.ldapbalancer.monitor.ServerSnapshot;
import org.ldapbalancer.operation.FlushBatch;
import org.ldapbalancer.operation.ClientLink;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.tls.UpstreamTlsContext;
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

  /** How long a bind, or a request held back by write backlogs, may wait before it is answered busy. */
  static final long QUEUE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Binds, and other requests, that may wait per event loop before further ones are answered busy. */
  static final int QUEUE_CAPACITY = 4096;

  private static final long SWEEP_MILLIS = 100;

  private final EventLoop loop;
  private final List<ServerPool> pools = new ArrayList<>();
  private final OperationRouter router;
  private final long operationTimeoutNanos;
  /** The configured tiers, whose servers {@link #pools} follow in order. */
  private final List<org.ldapbalancer.config.Tier> tiers;
  private ScheduledFuture<?> sweeper;

  LoopShard(
      EventLoop loop,
      int index,
      int loops,
      BalancerConfig config,
      Bootstrap template,
      Bootstrap domainTemplate,
      Executor resolver,
      UpstreamTlsContext tls) {
    this.loop = loop;
    this.operationTimeoutNanos = config.bindConf().timeout().toNanos();
    this.tiers = config.tiers();
    FlushBatch flushes = new FlushBatch(loop);
    List<Tier<UpstreamLink>> regularTiers = new ArrayList<>();
    List<Tier<UpstreamLink>> bindTiers = new ArrayList<>();
    for (org.ldapbalancer.config.Tier tier : config.tiers()) {
      List<ServerEndpoints<UpstreamLink>> regular = new ArrayList<>();
      List<ServerEndpoints<UpstreamLink>> binds = new ArrayList<>();
      for (BackendServer server : tier.servers()) {
        ServerPool pool =
            new ServerPool(
                server,
                config.bindConf(),
                loop,
                server.uri().isDomainSocket() ? domainTemplate : template,
                resolver,
                share(server.numconns(), index, loops),
                share(server.bindconns(), index, loops),
                server.maxPendingOps() == 0 ? 0 : ceilShare(server.maxPendingOps(), loops),
                config.maxIncomingUpstream(),
                flushes,
                tls,
                tier.policy() == TierPolicy.BESTOF);
        pools.add(pool);
        regular.add(pool.regularConnections());
        binds.add(pool.bindConnections());
      }
      regularTiers.add(tierOf(tier.policy(), regular));
      bindTiers.add(tierOf(tier.policy(), binds));
    }
    this.router =
        new OperationRouter(
            new Selector<>(regularTiers),
            new Selector<>(bindTiers),
            flushes,
            QUEUE_CAPACITY,
            QUEUE_TIMEOUT_NANOS);
    pools.forEach(p -> p.attach(router));
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

  List<ServerPool> pools() {
    return pools;
  }

  /** This loop's part of a monitor snapshot; runs on the loop, which owns everything it reads. */
  /** This loop's part of a snapshot; with every client connection listed when asked. */
  LoopSample sample(boolean listClients) {
    List<ServerSnapshot> servers = new ArrayList<>(pools.size());
    int p = 0;
    for (int t = 0; t < tiers.size(); t++) {
      String policy = tiers.get(t).policy().name().toLowerCase(Locale.ROOT);
      for (int s = 0; s < tiers.get(t).servers().size(); s++) {
        servers.add(pools.get(p++).sample(t, policy));
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
    pools.forEach(ServerPool::start);
    sweeper = loop.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  private void sweep() {
    // An exception must not end the schedule: timeouts and queue expiry would stop on this loop
    // for good.
    try {
      long now = System.nanoTime();
      router.expireWaiting(now);
      for (ServerPool pool : pools) {
        pool.expire(now, operationTimeoutNanos);
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
    pools.forEach(ServerPool::close);
  }
}
