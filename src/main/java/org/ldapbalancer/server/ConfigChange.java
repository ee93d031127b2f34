package org.ldapbalancer.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.ldapbalancer.config.BalancerConfig;

/**
 * What a reloaded configuration changes that a running balancer cannot take over, compared with
 * the one in force. Servers, tiers, {@code bindconf} (its account's password, time-outs and TLS
 * options) and {@code sockbuf_max_incoming_upstream} are applied by a reload, and so are the
 * client settings ({@code client_max_pending}, {@code iotimeout}, {@code idletimeout}, {@code
 * restrict_*}, {@code write_coherence}, session tracking, {@code monitor-access}) for the clients
 * accepted after it (Balancer#clientSettings); the settings named
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
    note(restart, "sockbuf_max_incoming_client", running.maxIncomingClient(),
        next.maxIncomingClient());
    note(restart, "feature proxyauthz", running.proxyAuthz(), next.proxyAuthz());
    note(restart, "pidfile", running.pidFile(), next.pidFile());
    note(restart, "listen", running.listenUrls(), next.listenUrls());
    // The files are read again on every reload; other TLS settings for clients are in the
    // listeners' context, made at start.
    note(restart, "TLS settings of the listeners", running.listenerTls(), next.listenerTls());
    // The access log and the health watches are made at start.
    note(restart, "loglevel, logfile, logformat", running.logging(), next.logging());
    note(restart, "health-check-interval, health-check-timeout", running.healthCheck(),
        next.healthCheck());
    String refusal = null;
    if (!ownIdentity(running).equals(ownIdentity(next))) {
      // Clients connected before the reload keep the identity they were accepted with: one
      // bound as it gets no control of the balancer's and may send its own, so with a new
      // identity it would act with the new account's rights.
      refusal =
          "bindconf binds as another identity (" + ownIdentity(next) + " instead of "
              + ownIdentity(running) + "): which clients are proxied, and which may send their"
              + " own Proxied Authorization control, depends on it, so it changes only with a"
              + " restart";
    }
    return new ConfigChange(restart, refusal);
  }

  /**
   * The identity regular connections act as, as the clients compare theirs with it
   * (BindConf#ownAuthzId: the DN of a simple bind, the authzid or authcid of a SASL one).
   */
  static String ownIdentity(BalancerConfig config) {
    return config.bindConf().ownAuthzId().toLowerCase(Locale.ROOT);
  }

  private static void note(List<String> restart, String name, Object running, Object next) {
    if (!Objects.equals(running, next)) {
      restart.add(name);
    }
  }
}
