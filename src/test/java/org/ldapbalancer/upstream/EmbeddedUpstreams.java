package org.ldapbalancer.upstream;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ProtocolOp;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.balancing.Selector;
import org.ldapbalancer.balancing.Tier;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.HealthCheck;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.operation.FlushBatch;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.testing.Pdus;

/**
 * One server's pool with its router and end-of-turn flush, whose connections run on embedded
 * channels the test drives: what the balancer sends the server is read from a connection's
 * channel, and the server's answers are written into it. Nothing connects anywhere; a connection
 * the pool asks for (a replacement, a retry) is only counted.
 *
 * <p>An embedded channel runs its loop's pending tasks whenever it is written to, so the flush
 * batch and the pool get a loop of their own ({@link #turn()}), whose tasks run only when the
 * test ends the turn: as on a real loop, nothing is flushed before then.
 *
 * <p>Every loop's clock here stands still until the test moves it ({@link #advancePoolTime},
 * {@link Upstream#advanceTime}).
 *
 * <p>Not thread-safe: the test's thread is every loop here.
 */
public final class EmbeddedUpstreams {
  public static final int MAX_PDU = 1 << 20;
  public static final Duration RETRY = Duration.ofSeconds(3);

  /**
   * An embedded loop's clock follows the real one unless it is given its own: with a mock one,
   * timers fire exactly when the test moves the clock past them.
   */
  private final MockTicker poolClock = Ticker.newMockTicker();

  private final EmbeddedChannel turn = EmbeddedChannel.builder().ticker(poolClock).build();
  private final FlushBatch flushes = new FlushBatch(turn.eventLoop());
  private final List<Runnable> connectAttempts = new ArrayList<>();
  private final List<EmbeddedChannel> channels = new ArrayList<>();
  private final ServerPool pool;
  private final OperationRouter router;

  private EmbeddedUpstreams(Builder b) {
    BackendServer server =
        new BackendServer(
            new LdapUrl("ldap", "upstream.test", 389), 1, 1, RETRY, b.maxPendingOps,
            b.connMaxPending, StartTls.NO, 0, b.maxConns);
    pool =
        new ServerPool(
            server,
            b.bindConf,
            turn.eventLoop(),
            new Bootstrap(),
            connectAttempts::add,
            1,
            1,
            b.maxPendingOps,
            MAX_PDU,
            flushes,
            null,
            false,
            b.health != null ? b.health : new ServerHealth(server.name(), b.healthCheck));
    router =
        new OperationRouter(
            new Selector<>(List.of(Tier.roundRobin(List.of(pool.regularConnections())))),
            new Selector<>(List.of(Tier.roundRobin(List.of(pool.bindConnections())))),
            flushes,
            b.queueCapacity,
            b.queueTimeout.toNanos());
    pool.attach(router);
    if (b.verifyCredentials) {
      pool.wantVerifyCredentials();
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A pool with anonymous {@code bindconf}, no limits and the router's default queues. */
  public static EmbeddedUpstreams create() {
    return builder().build();
  }

  /** The settings a test may vary; the rest are fixed. */
  public static final class Builder {
    private BindConf bindConf = BindConf.anonymous();
    private int maxPendingOps;
    private int connMaxPending;
    private int queueCapacity = 64;
    private Duration queueTimeout = Duration.ofSeconds(10);
    private HealthCheck healthCheck = HealthCheck.OFF;
    private int maxConns = 1;
    private boolean verifyCredentials;
    private ServerHealth health;

    /** {@code feature vc}: ready regular connections read the root DSE. */
    public Builder verifyCredentials() {
      this.verifyCredentials = true;
      return this;
    }

    /** {@code max-conns}: 1 (the pool never grows) unless set. */
    public Builder maxConns(int maxConns) {
      this.maxConns = maxConns;
      return this;
    }

    private Builder() {}

    /** Health checks of the server; off unless set, so that other tests see no probes. */
    public Builder healthCheck(HealthCheck healthCheck) {
      this.healthCheck = healthCheck;
      return this;
    }

    /**
     * The server's health shared with another pool, as the pools of one server on two event
     * loops share it; {@link #healthCheck} is then ignored.
     */
    public Builder health(ServerHealth shared) {
      this.health = shared;
      return this;
    }

    public Builder bindConf(BindConf bindConf) {
      this.bindConf = bindConf;
      return this;
    }

    public Builder maxPendingOps(int maxPendingOps) {
      this.maxPendingOps = maxPendingOps;
      return this;
    }

    public Builder connMaxPending(int connMaxPending) {
      this.connMaxPending = connMaxPending;
      return this;
    }

    public Builder queueCapacity(int queueCapacity) {
      this.queueCapacity = queueCapacity;
      return this;
    }

    public Builder queueTimeout(Duration queueTimeout) {
      this.queueTimeout = queueTimeout;
      return this;
    }

    public EmbeddedUpstreams build() {
      return new EmbeddedUpstreams(this);
    }
  }

  public ServerPool pool() {
    return pool;
  }

  public OperationRouter router() {
    return router;
  }

  public FlushBatch flushes() {
    return flushes;
  }

  /** The loop of the flush batch and the pool's timers. */
  public EmbeddedChannel turn() {
    return turn;
  }

  /** Ends the turn of the event loop: every channel written to in it is flushed. */
  public void endTurn() {
    turn.runPendingTasks();
  }

  /** Moves the pool's clock on and runs the timers that are due (its retries). */
  public void advancePoolTime(Duration duration) {
    poolClock.advance(duration.toNanos(), TimeUnit.NANOSECONDS);
    turn.runScheduledPendingTasks();
  }

  /**
   * Ends the turn and releases whatever the balancer sent that the test did not read, so that
   * buffers left in the embedded channels are not reported as leaks; the connections stay as
   * they are.
   */
  public void releaseUnread() {
    endTurn();
    for (EmbeddedChannel channel : channels) {
      channel.releaseOutbound();
    }
  }

  /** How many new connections the pool has asked for (replacements and retries). */
  public int connectAttempts() {
    return connectAttempts.size();
  }

  /** A regular connection, connected now; bound as {@code bindconf} if that is set. */
  public Upstream regular() {
    return regular(1);
  }

  /** A regular connection whose message IDs start at {@code firstMessageId}. */
  public Upstream regular(int firstMessageId) {
    return open(new RegularConnection(pool, firstMessageId));
  }

  /** A bind connection, connected now (and so ready at once). */
  public Upstream bind() {
    return bind(1);
  }

  /** A bind connection whose message IDs start at {@code firstMessageId}. */
  public Upstream bind(int firstMessageId) {
    return open(new BindConnection(pool, firstMessageId));
  }

  private Upstream open(UpstreamConnection connection) {
    // Unregistered until the pool knows the connection, as when a real connect completes.
    MockTicker clock = Ticker.newMockTicker();
    EmbeddedChannel channel =
        EmbeddedChannel.builder()
            .register(false)
            .ticker(clock)
            .handlers(new LdapFrameDecoder(MAX_PDU), connection)
            .build();
    channels.add(channel);
    pool.connected(connection);
    try {
      channel.register();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return new Upstream(connection, channel, clock);
  }

  /** One connection to the server, seen from the server's side. */
  public final class Upstream {
    final UpstreamConnection connection;
    private final EmbeddedChannel channel;
    private final MockTicker clock;

    private Upstream(UpstreamConnection connection, EmbeddedChannel channel, MockTicker clock) {
      this.connection = connection;
      this.channel = channel;
      this.clock = clock;
    }

    /** Moves the connection's clock on and runs its timers that are due. */
    public void advanceTime(Duration duration) {
      clock.advance(duration.toNanos(), TimeUnit.NANOSECONDS);
      channel.runScheduledPendingTasks();
    }

    public UpstreamLink link() {
      return connection;
    }

    public EmbeddedChannel channel() {
      return channel;
    }

    /** Ends the turn, then returns what the balancer has sent the server since the last call. */
    public List<LDAPMessage> sent() {
      endTurn();
      return Pdus.written(channel);
    }

    /** The server answers. */
    public void answer(int messageId, ProtocolOp op) {
      channel.writeInbound(Pdus.frame(messageId, op));
    }

    /** The connection is lost (the server went away). */
    public void lose() {
      channel.close();
    }

    public boolean isOpen() {
      return channel.isOpen();
    }

    /** Operations the connection has in flight, as selection sees it. */
    public int pendingOps() {
      return connection.pendingOps();
    }
  }
}
