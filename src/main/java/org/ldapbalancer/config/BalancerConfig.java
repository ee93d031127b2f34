package org.ldapbalancer.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The whole configuration, as read from an lloadd.conf file. Immutable.
 *
 * @param bindConf how regular upstream connections authenticate ({@code bindconf})
 * @param tiers the tiers in the order they are tried, each with its servers
 * @param ioThreads event loops ({@code io-threads})
 * @param clientMaxPending operations one client may have in flight, 0 for no limit
 *     ({@code client_max_pending})
 * @param maxIncomingClient largest PDU accepted from a client, in bytes
 *     ({@code sockbuf_max_incoming_client})
 * @param maxIncomingUpstream largest PDU accepted from an upstream, in bytes
 *     ({@code sockbuf_max_incoming_upstream})
 * @param proxyAuthz whether forwarded operations carry the client's identity in a Proxied
 *     Authorization control ({@code feature proxyauthz}, {@code enable}/{@code disable})
 * @param pidFile where to write the process id, if anywhere ({@code pidfile})
 * @param listenUrls listener URLs given in the file ({@code listen}); the command line's
 *     {@code -h} replaces them
 * @param ioTimeout how long a connection may hold a partly received request, or fail to take
 *     any of the responses waiting for it, before it is closed ({@code iotimeout});
 *     {@link Duration#ZERO} for no limit
 * @param warnings directives that were accepted but are not acted on, with their location
 * @param listenerTls the certificate offered on {@code ldaps://} and after StartTLS, and how
 *     clients' certificates are checked ({@code TLSCertificateFile} and the other {@code TLS*}
 *     directives)
 * @param logging the levels logged and where the access log goes ({@code loglevel}, {@code
 *     logfile}, {@code logformat})
 * @param sessionTracking whether forwarded operations carry a Session Tracking control naming
 *     the client's address and identity ({@code feature session-tracking}; ours, off by default)
 * @param restrictions how extended operations, controls and writes restrict the choice of
 *     upstream ({@code restrict_exop}, {@code restrict_control}, {@code write_coherence})
 * @param healthCheck how hung servers are found and taken out of selection ({@code
 *     health-check-interval}, {@code health-check-timeout})
 * @param idleTimeout how long a client may sit with no operation in flight and send nothing
 *     before it is sent a Notice of Disconnection and closed ({@code idletimeout});
 *     {@link Duration#ZERO} for never
 * @param monitorAccess DNs besides the {@code bindconf} identity that may read and act on the
 *     cn=Monitor tree ({@code monitor-access}; ours), as written
 * @param verifyCredentials whether client binds are checked with the Verify Credentials extended
 *     operation on regular connections to servers that announce it, rather than bound on bind
 *     connections ({@code feature vc}, off by default, as lloadd)
 */
public record BalancerConfig(
    BindConf bindConf,
    List<Tier> tiers,
    int ioThreads,
    int clientMaxPending,
    int maxIncomingClient,
    int maxIncomingUpstream,
    boolean proxyAuthz,
    Optional<Path> pidFile,
    List<String> listenUrls,
    Duration ioTimeout,
    List<ConfigProblem> warnings,
    TlsSettings listenerTls,
    LogSettings logging,
    boolean sessionTracking,
    Restrictions restrictions,
    HealthCheck healthCheck,
    Duration idleTimeout,
    List<String> monitorAccess,
    boolean verifyCredentials) {

  /** lloadd's default for {@code sockbuf_max_incoming_client}. */
  public static final int DEFAULT_MAX_INCOMING_CLIENT = 262143;

  /** lloadd's default for {@code sockbuf_max_incoming_upstream}. */
  public static final int DEFAULT_MAX_INCOMING_UPSTREAM = 4194303;

  /** lloadd's default for {@code iotimeout}. */
  public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofMillis(10_000);

  /**
   * The smallest {@code sockbuf_max_incoming_client} and {@code sockbuf_max_incoming_upstream}, in
   * bytes. lloadd sets no minimum, but below this an ordinary Bind, search filter or entry would
   * close its connection, and below 16 bytes no LDAP message could be framed at all.
   */
  public static final int MIN_MAX_INCOMING = 1024;

  /**
   * The most {@code io-threads}. Every event loop opens its own connections to every server, so
   * far more loops than processors only multiply upstream connections. (lloadd caps it at 16.)
   */
  public static final int MAX_IO_THREADS = 256;

  /** The most event loops {@link #defaultIoThreads()} picks on a large machine. */
  public static final int MAX_DEFAULT_IO_THREADS = 16;

  /**
   * Event loops when {@code io-threads} is not given: one per two available processors, at least
   * one and at most {@link #MAX_DEFAULT_IO_THREADS}. One loop forwards tens of thousands of
   * operations per second; more loops split the same traffic into smaller batches (requests of
   * one turn share an upstream write only within a loop) and more wake-ups, and on loopback or a
   * busy network the kernel's TCP work, which runs beside the loops, needs the other processors
   * (BENCHMARKS.md: on 2 processors, one loop took 18 µs per search where two took 28).
   */
  public static int defaultIoThreads() {
    return defaultIoThreads(Runtime.getRuntime().availableProcessors());
  }

  static int defaultIoThreads(int processors) {
    return Math.max(1, Math.min(processors / 2, MAX_DEFAULT_IO_THREADS));
  }

  public BalancerConfig {
    tiers = List.copyOf(tiers);
    listenUrls = List.copyOf(listenUrls);
    warnings = List.copyOf(warnings);
    monitorAccess = List.copyOf(monitorAccess);
  }

  /**
   * A configuration of {@code bindConf} and {@code tiers} with every other setting at its
   * default until set: the default event loops, no client limit, lloadd's PDU limits and
   * {@code iotimeout}, proxied authorization on (as the balancer ships), no pid file or listeners
   * from the file, the default TLS settings towards clients, the default logging (no access log),
   * no session tracking, no restrictions, the default health checks, no idle timeout, cn=Monitor
   * for the {@code bindconf} identity only, and no {@code feature vc}.
   */
  public static Builder builder(BindConf bindConf, List<Tier> tiers) {
    return new Builder(bindConf, tiers);
  }

  /** The same configuration with other logging settings (the command line's {@code -d}). */
  public BalancerConfig withLogging(LogSettings newLogging) {
    return new BalancerConfig(
        bindConf,
        tiers,
        ioThreads,
        clientMaxPending,
        maxIncomingClient,
        maxIncomingUpstream,
        proxyAuthz,
        pidFile,
        listenUrls,
        ioTimeout,
        warnings,
        listenerTls,
        newLogging,
        sessionTracking,
        restrictions,
        healthCheck,
        idleTimeout,
        monitorAccess,
        verifyCredentials);
  }

  /** Names each setting, so that no call site depends on the order of the components. */
  public static final class Builder {
    private final BindConf bindConf;
    private final List<Tier> tiers;
    private int ioThreads = defaultIoThreads();
    private int clientMaxPending;
    private int maxIncomingClient = DEFAULT_MAX_INCOMING_CLIENT;
    private int maxIncomingUpstream = DEFAULT_MAX_INCOMING_UPSTREAM;
    private boolean proxyAuthz = true;
    private Optional<Path> pidFile = Optional.empty();
    private List<String> listenUrls = List.of();
    private Duration ioTimeout = DEFAULT_IO_TIMEOUT;
    private List<ConfigProblem> warnings = List.of();
    private TlsSettings listenerTls = TlsSettings.listenerDefaults();
    private LogSettings logging = LogSettings.DEFAULT;
    private boolean sessionTracking;
    private Restrictions restrictions = Restrictions.NONE;
    private HealthCheck healthCheck = HealthCheck.DEFAULTS;
    private Duration idleTimeout = Duration.ZERO;
    private List<String> monitorAccess = List.of();
    private boolean verifyCredentials;

    private Builder(BindConf bindConf, List<Tier> tiers) {
      this.bindConf = bindConf;
      this.tiers = tiers;
    }

    public Builder ioThreads(int n) {
      this.ioThreads = n;
      return this;
    }

    public Builder clientMaxPending(int n) {
      this.clientMaxPending = n;
      return this;
    }

    public Builder maxIncomingClient(int bytes) {
      this.maxIncomingClient = bytes;
      return this;
    }

    public Builder maxIncomingUpstream(int bytes) {
      this.maxIncomingUpstream = bytes;
      return this;
    }

    public Builder proxyAuthz(boolean on) {
      this.proxyAuthz = on;
      return this;
    }

    public Builder pidFile(Optional<Path> file) {
      this.pidFile = file;
      return this;
    }

    public Builder listenUrls(List<String> urls) {
      this.listenUrls = urls;
      return this;
    }

    public Builder ioTimeout(Duration timeout) {
      this.ioTimeout = timeout;
      return this;
    }

    public Builder warnings(List<ConfigProblem> problems) {
      this.warnings = problems;
      return this;
    }

    public Builder listenerTls(TlsSettings tls) {
      this.listenerTls = tls;
      return this;
    }

    public Builder logging(LogSettings settings) {
      this.logging = settings;
      return this;
    }

    public Builder sessionTracking(boolean on) {
      this.sessionTracking = on;
      return this;
    }

    public Builder restrictions(Restrictions r) {
      this.restrictions = r;
      return this;
    }

    public Builder healthCheck(HealthCheck check) {
      this.healthCheck = check;
      return this;
    }

    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = timeout;
      return this;
    }

    public Builder monitorAccess(List<String> dns) {
      this.monitorAccess = dns;
      return this;
    }

    public Builder verifyCredentials(boolean on) {
      this.verifyCredentials = on;
      return this;
    }

    public BalancerConfig build() {
      return new BalancerConfig(
          bindConf,
          tiers,
          ioThreads,
          clientMaxPending,
          maxIncomingClient,
          maxIncomingUpstream,
          proxyAuthz,
          pidFile,
          listenUrls,
          ioTimeout,
          warnings,
          listenerTls,
          logging,
          sessionTracking,
          restrictions,
          healthCheck,
          idleTimeout,
          monitorAccess,
          verifyCredentials);
    }
  }

  /** Every configured server, tier by tier. */
  public List<BackendServer> servers() {
    return tiers.stream().flatMap(t -> t.servers().stream()).toList();
  }
}
