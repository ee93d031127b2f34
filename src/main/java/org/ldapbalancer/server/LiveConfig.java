package org.ldapbalancer.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.tls.TlsContexts;
import org.ldapbalancer.tls.UpstreamTlsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration in force, and its replacement by a reload (SIGHUP): decides what a new
 * configuration changes ({@link ConfigChange}), which TLS context new server connections use, and
 * hands each event loop its new tiers in a task of its own ({@link LoopShard#reload}).
 *
 * <p>Thread-safe: reloads run one at a time; {@link #current()} may be read from any thread.
 */
final class LiveConfig {
  private static final Logger log = LoggerFactory.getLogger(LiveConfig.class);

  /** How long one event loop may take to apply a configuration before the reload gives up. */
  private static final long APPLY_SECONDS = 10;

  private volatile BalancerConfig current;
  /** The contexts made at start: their files are read again at every reload. */
  private final TlsContexts startTls;
  /** The TLS context new server connections use; another one once the TLS options change. */
  private UpstreamTlsContext upstreamTls;
  /** Contexts built by reloads and in use by pools: watched, and closed at the end. */
  private final List<TlsContexts> adopted = new ArrayList<>();
  private boolean closed;

  LiveConfig(BalancerConfig config, TlsContexts startTls) {
    this.current = config;
    this.startTls = startTls;
    this.upstreamTls = startTls.upstream();
  }

  BalancerConfig current() {
    return current;
  }

  synchronized UpstreamTlsContext upstreamTls() {
    return upstreamTls;
  }

  /**
   * Applies {@code next} on every loop of {@code shards}; see {@link Balancer#reload}.
   *
   * @return the settings that changed but need a restart
   */
  synchronized List<String> apply(
      BalancerConfig next, TlsContexts nextTls, List<LoopShard> shards) {
    if (closed) {
      nextTls.close();
      throw new IllegalStateException("shutting down");
    }
    ConfigChange change = ConfigChange.between(current, next);
    if (change.refusal() != null) {
      nextTls.close();
      throw new IllegalArgumentException(change.refusal());
    }
    // The context towards the servers is made from bindconf's TLS options and, for what they
    // leave out, the listeners'; a context built now for unchanged options would only differ in
    // being new, and would make every TLS server's pool look changed.
    boolean upstreamTlsChanged =
        !next.bindConf().tls().equals(current.bindConf().tls())
            || !next.listenerTls().equals(current.listenerTls())
            || (upstreamTls == null && nextTls.upstream() != null);
    if (upstreamTlsChanged) {
      upstreamTls = nextTls.upstream();
      adopted.add(nextTls);
      nextTls.startWatching();
    } else {
      nextTls.close();
    }
    startTls.reloadIfChanged(); // renewed certificates under the same names
    adopted.forEach(TlsContexts::reloadIfChanged);
    UpstreamTlsContext forPools = upstreamTls;
    for (LoopShard shard : shards) {
      try {
        shard.loop()
            .submit(() -> shard.reload(next, forPools))
            .get(APPLY_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while applying the configuration", e);
      } catch (ExecutionException | TimeoutException e) {
        // Loops already done keep the new tiers (and a slow one may still apply them): say so
        // rather than pretend nothing changed.
        throw new ReloadIncompleteException(
            "an event loop did not apply it (" + e + "); the loops that did use the new"
                + " configuration: send SIGHUP again, or restart", e);
      }
    }
    current = next;
    log.info("{} servers in {} tiers", next.servers().size(), next.tiers().size());
    return change.needingRestart();
  }

  /** Refuses later reloads and closes the contexts reloads made. */
  synchronized void close() {
    closed = true;
    adopted.forEach(TlsContexts::close);
  }
}
