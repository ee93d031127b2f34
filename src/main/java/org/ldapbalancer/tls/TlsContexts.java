package org.ldapbalancer.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.ConfigProblem;
import org.ldapbalancer.config.TlsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's TLS contexts, built from the configuration: for the listeners when a certificate
 * is configured, towards the servers when one of them uses TLS (or {@code bindconf} names TLS
 * files, so that {@code -t} checks them). Both are rebuilt when their files change, checked every
 * {@code ldapbalancer.tls.reloadCheckMillis} (default 5000).
 *
 * <p>Thread-safe.
 */
public final class TlsContexts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);

  /** How often certificate files are checked for changes, in milliseconds. */
  public static final long DEFAULT_RELOAD_CHECK_MILLIS = 5000;

  private final TlsProvider provider;
  private final ServerTlsContext listener;
  private final UpstreamTlsContext upstream;
  private ScheduledExecutorService watcher;

  private TlsContexts(TlsProvider provider, ServerTlsContext listener, UpstreamTlsContext upstream) {
    this.provider = provider;
    this.listener = listener;
    this.upstream = upstream;
  }

  /**
   * Reads every TLS file the configuration names and builds the contexts.
   *
   * @throws TlsConfigException listing every problem, each with file and line
   */
  public static TlsContexts build(BalancerConfig config) throws TlsConfigException {
    TlsProvider provider = TlsProvider.choose();
    List<ConfigProblem> problems = new ArrayList<>();
    ServerTlsContext listener = null;
    TlsSettings listenerTls = config.listenerTls();
    if (listenerTls.hasCertificate()) {
      try {
        listener = ServerTlsContext.build(listenerTls, provider);
      } catch (TlsConfigException e) {
        problems.addAll(e.problems());
      }
    }
    UpstreamTlsContext upstream = null;
    TlsSettings upstreamTls = config.bindConf().tls();
    boolean needed = config.servers().stream().anyMatch(s -> s.usesTls());
    if (needed || namesFiles(upstreamTls)) {
      try {
        upstream = UpstreamTlsContext.build(upstreamTls, listenerTls, provider);
      } catch (TlsConfigException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new TlsConfigException(problems);
    }
    return new TlsContexts(provider, listener, upstream);
  }

  private static boolean namesFiles(TlsSettings s) {
    return s.certificateFile() != null
        || s.keyFile() != null
        || s.caFile() != null
        || s.caPath() != null
        || s.crlFile() != null;
  }

  public TlsProvider provider() {
    return provider;
  }

  /** The listeners' context, or null when no certificate is configured. */
  public ServerTlsContext listener() {
    return listener;
  }

  /** The context towards the servers, or null when no server uses TLS. */
  public UpstreamTlsContext upstream() {
    return upstream;
  }

  /** Whether any context exists (so that the provider is worth naming in the log). */
  public boolean any() {
    return listener != null || upstream != null;
  }

  /** Starts checking the certificate files for changes. */
  public synchronized void startWatching() {
    if (!any() || watcher != null) {
      return;
    }
    long period =
        Math.max(10, Long.getLong("ldapbalancer.tls.reloadCheckMillis", DEFAULT_RELOAD_CHECK_MILLIS));
    watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ldap-balancer-tls-reload");
              t.setDaemon(true);
              return t;
            });
    watcher.scheduleWithFixedDelay(this::reloadIfChanged, period, period, TimeUnit.MILLISECONDS);
  }

  /** Rebuilds the contexts whose files changed; true if any did. */
  public boolean reloadIfChanged() {
    boolean reloaded = false;
    try {
      if (listener != null) {
        reloaded |= listener.reloadIfChanged();
      }
      if (upstream != null) {
        reloaded |= upstream.reloadIfChanged();
      }
    } catch (RuntimeException e) {
      log.error("checking certificate files failed; checked again later", e);
    }
    return reloaded;
  }

  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.shutdownNow();
      watcher = null;
    }
  }
}
