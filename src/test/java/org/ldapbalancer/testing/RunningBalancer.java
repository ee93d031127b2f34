package org.ldapbalancer.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.ldapbalancer.config.BackendServer;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.config.HealthCheck;
import org.ldapbalancer.config.LdapUrl;
import org.ldapbalancer.config.LogSettings;
import org.ldapbalancer.config.StartTls;
import org.ldapbalancer.config.Tier;
import org.ldapbalancer.config.TierPolicy;
import org.ldapbalancer.config.TlsSettings;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.server.Balancer;

/** A balancer started in-process on a free loopback port, for tests. */
public final class RunningBalancer implements AutoCloseable {
  private final Balancer balancer;
  private final int port;
  private final List<Integer> ports;

  private RunningBalancer(Balancer balancer) {
    this.balancer = balancer;
    this.port = balancer.listenAddresses().get(0).getPort();
    this.ports = balancer.listenAddresses().stream().map(a -> a.getPort()).toList();
  }

  /** The port of the {@code i}th listener, in the order the builder named them. */
  public int port(int i) {
    return ports.get(i);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Balancer balancer() {
    return balancer;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "ldap://127.0.0.1:" + port;
  }

  /** Waits until every listed server has at least one ready regular and bind connection. */
  public RunningBalancer awaitReady(String... serverUrls) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      var ready = balancer.readyConnections();
      var binds = balancer.readyBindConnections();
      for (String s : serverUrls) {
        if (ready.getOrDefault(s, 0) < 1 || binds.getOrDefault(s, 0) < 1) {
          return false;
        }
      }
      return true;
    });
    return this;
  }

  @Override
  public void close() {
    balancer.close();
  }

  public static final class Builder {
    private final List<List<BackendServer>> tiers = new ArrayList<>(List.of(new ArrayList<>()));
    private final List<TierPolicy> policies = new ArrayList<>(List.of(TierPolicy.ROUNDROBIN));
    private Duration ioTimeout = BalancerConfig.DEFAULT_IO_TIMEOUT;
    private BindConf bindConf =
        new BindConf(BindMethod.SIMPLE, SampleDirectory.BALANCER_DN,
            SampleDirectory.BALANCER_PASSWORD, Duration.ofSeconds(5), Duration.ZERO);
    private int ioThreads = 2;
    private int clientMaxPending = 0;
    private int maxIncomingClient = 262143;
    private int maxIncomingUpstream = BalancerConfig.DEFAULT_MAX_INCOMING_UPSTREAM;
    private boolean proxyAuthz = true;
    private boolean sessionTracking;
    private boolean verifyCredentials;
    private TlsSettings listenerTls = TlsSettings.listenerDefaults();
    private List<String> listeners = List.of("ldap://127.0.0.1:0");
    private LogSettings logging = LogSettings.DEFAULT;
    private Restrictions restrictions = Restrictions.NONE;
    /**
     * Off unless a test asks: many tests hold requests at a server on purpose, which the checks
     * would rightly take for a hung server.
     */
    private HealthCheck healthCheck = HealthCheck.OFF;
    private Duration idleTimeout = Duration.ZERO;

    /** {@code health-check-interval} and {@code health-check-timeout}. */
    public Builder healthCheck(HealthCheck h) {
      this.healthCheck = h;
      return this;
    }

    /** {@code idletimeout}; zero (the default) for none. */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = timeout;
      return this;
    }
    private List<String> monitorAccess = List.of();

    public Builder server(String url, int numconns, int bindconns) {
      return server(url, numconns, bindconns, 0, 0);
    }

    /**
     * A server whose pool stays at {@code numconns} ({@code max-conns} equal to it), so that tests
     * of the limits see them as configured; {@link #server(BackendServer)} for a growing pool.
     */
    public Builder server(String url, int numconns, int bindconns, int maxPending, int connMax) {
      tiers.get(tiers.size() - 1).add(new BackendServer(LdapUrl.parse(url), numconns, bindconns,
          Duration.ofMillis(200), maxPending, connMax, StartTls.NO, 0, numconns));
      return this;
    }

    /** A server as configured in full (TLS, StartTLS). */
    public Builder server(BackendServer server) {
      tiers.get(tiers.size() - 1).add(server);
      return this;
    }

    /** The listeners' TLS settings (certificate, client certificate checks). */
    public Builder listenerTls(TlsSettings tls) {
      this.listenerTls = tls;
      return this;
    }

    /** Listener URLs (http:// too), port 0 for a free one; {@code ldap://127.0.0.1:0} by default. */
    public Builder listen(String... urls) {
      this.listeners = List.of(urls);
      return this;
    }

    public Builder nextTier() {
      tiers.add(new ArrayList<>());
      policies.add(TierPolicy.ROUNDROBIN);
      return this;
    }

    /** The policy of the current tier. */
    public Builder policy(TierPolicy policy) {
      policies.set(policies.size() - 1, policy);
      return this;
    }

    /** A server with a {@code weight=} in the current tier. */
    public Builder weightedServer(String url, int numconns, int bindconns, int weight) {
      tiers.get(tiers.size() - 1).add(new BackendServer(LdapUrl.parse(url), numconns, bindconns,
          Duration.ofMillis(200), 0, 0, StartTls.NO, weight, numconns));
      return this;
    }

    public Builder bindConf(BindConf b) {
      this.bindConf = b;
      return this;
    }

    public Builder ioThreads(int n) {
      this.ioThreads = n;
      return this;
    }

    public Builder clientMaxPending(int n) {
      this.clientMaxPending = n;
      return this;
    }

    public Builder maxIncomingClient(int n) {
      this.maxIncomingClient = n;
      return this;
    }

    /** {@code sockbuf_max_incoming_upstream}: the largest response taken from a server. */
    public Builder maxIncomingUpstream(int n) {
      this.maxIncomingUpstream = n;
      return this;
    }

    public Builder ioTimeout(Duration timeout) {
      this.ioTimeout = timeout;
      return this;
    }

    /** {@code loglevel}, {@code logfile}, {@code logformat}; none by default. */
    public Builder logging(LogSettings settings) {
      this.logging = settings;
      return this;
    }

    public Builder proxyAuthz(boolean on) {
      this.proxyAuthz = on;
      return this;
    }

    /** {@code feature session-tracking}. */
    public Builder sessionTracking(boolean on) {
      this.sessionTracking = on;
      return this;
    }

    /** {@code feature vc}. */
    public Builder verifyCredentials(boolean on) {
      this.verifyCredentials = on;
      return this;
    }

    /** {@code restrict_exop}, {@code restrict_control} and {@code write_coherence}. */
    public Builder restrictions(Restrictions r) {
      this.restrictions = r;
      return this;
    }

    /** {@code monitor-access}: DNs besides bindconf's that may read cn=Monitor. */
    public Builder monitorAccess(String... dns) {
      this.monitorAccess = List.of(dns);
      return this;
    }

    public BalancerConfig config() {
      List<Tier> built = new ArrayList<>();
      for (int i = 0; i < tiers.size(); i++) {
        if (!tiers.get(i).isEmpty()) {
          built.add(new Tier(policies.get(i), tiers.get(i)));
        }
      }
      return BalancerConfig.builder(bindConf, built)
          .ioThreads(ioThreads)
          .clientMaxPending(clientMaxPending)
          .maxIncomingClient(maxIncomingClient)
          .maxIncomingUpstream(maxIncomingUpstream)
          .proxyAuthz(proxyAuthz)
          .ioTimeout(ioTimeout)
          .listenerTls(listenerTls)
          .logging(logging)
          .sessionTracking(sessionTracking)
          .restrictions(restrictions)
          .healthCheck(healthCheck)
          .idleTimeout(idleTimeout)
          .monitorAccess(monitorAccess)
          .verifyCredentials(verifyCredentials)
          .build();
    }

    public RunningBalancer start() throws IOException {
      return new RunningBalancer(
          Balancer.start(config(), listeners.stream().map(LdapUrl::parseListener).toList()));
    }
  }
}
