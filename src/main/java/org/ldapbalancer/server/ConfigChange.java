package org.ldapbalancer.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.ldapbalancer.config.BalancerConfig;
import org.ldapbalancer.config.BindMethod;

/**
 * What a reloaded configuration changes that a running balancer cannot take over, compared with
 * the one in force. Servers, tiers, {@code bindconf} (its account's password, time-outs and TLS
 * options) and {@code sockbuf_max_incoming_upstream} are applied by a reload; the settings named
 * by {@link #needingRestart()} are fixed when the event loops and listeners start, so they keep
 * their old values until the process is restarted. A change of the balancer's own identity is
 * {@link #refusal() refused}: which clients get a Proxied Authorization control depends on it.
 *
 * <p>Immutable.
 */
record ConfigChange(List<String> needingRestart, String refusal) {
  ConfigChange {
    needingRestart = List.copyOf(needingRestart);
  }

  static ConfigChange between(BalancerConfig running, BalancerConfig next) {
    List<String> restart = new ArrayList<>();
    note(restart, "io-threads", running.ioThreads(), next.ioThreads());
    note(restart, "client_max_pending", running.clientMaxPending(), next.clientMaxPending());
    note(restart, "sockbuf_max_incoming_client", running.maxIncomingClient(),
        next.maxIncomingClient());
    note(restart, "iotimeout", running.ioTimeout(), next.ioTimeout());
    note(restart, "feature proxyauthz", running.proxyAuthz(), next.proxyAuthz());
    note(restart, "pidfile", running.pidFile(), next.pidFile());
    note(restart, "listen", running.listenUrls(), next.listenUrls());
    // The files are read again on every reload; other TLS settings for clients are in the
    // listeners' context, made at start.
    note(restart, "TLS settings of the listeners", running.listenerTls(), next.listenerTls());
    // Client connections and health watches take these when they are made.
    note(restart, "loglevel, logfile, logformat", running.logging(), next.logging());
    note(restart, "feature session-tracking", running.sessionTracking(), next.sessionTracking());
    note(restart, "restrict_exop, restrict_control, write_coherence", running.restrictions(),
        next.restrictions());
    note(restart, "health-check-interval, health-check-timeout", running.healthCheck(),
        next.healthCheck());
    note(restart, "idletimeout", running.idleTimeout(), next.idleTimeout());
    note(restart, "monitor-access", running.monitorAccess(), next.monitorAccess());
    String refusal = null;
    if (running.proxyAuthz() && !ownIdentity(running).equals(ownIdentity(next))) {
      refusal =
          "bindconf binds as another identity (" + ownIdentity(next) + " instead of "
              + ownIdentity(running) + "): which clients are proxied depends on it, so it"
              + " changes only with a restart";
    }
    return new ConfigChange(restart, refusal);
  }

  /** The identity regular connections are bound as, {@code dn:} alone when anonymous. */
  static String ownIdentity(BalancerConfig config) {
    return config.bindConf().method() == BindMethod.SIMPLE
        ? "dn:" + config.bindConf().bindDn()
        : "dn:";
  }

  private static void note(List<String> restart, String name, Object running, Object next) {
    if (!Objects.equals(running, next)) {
      restart.add(name);
    }
  }
}
