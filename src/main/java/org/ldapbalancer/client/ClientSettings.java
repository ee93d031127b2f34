package org.ldapbalancer.client;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.regex.Pattern;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.monitor.access.AccessLog;
import org.ldapbalancer.monitor.tree.MonitorView;
import org.ldapbalancer.protocol.Controls;
import org.ldapbalancer.protocol.RootDseRewriter;
import org.ldapbalancer.tls.ServerTlsContext;

/**
 * What every client connection shares: the per-client limit, how identities become Proxied
 * Authorization controls (and Session Tracking controls, when on), and the TLS context for
 * StartTLS. Immutable and thread-safe.
 */
public final class ClientSettings {
  private static final String ANONYMOUS = "dn:";
  private static final Pattern SPACE_AROUND_SEPARATORS = Pattern.compile("\\s*([,=+])\\s*");

  private final int maxPendingPerClient;
  private final long ioTimeoutMillis;
  private final long idleTimeoutMillis;
  private final boolean proxyAuthz;
  /** The balancer's own identity, normalised once. */
  private final String ownAuthzId;
  /** Every new client starts anonymous: one shared control instead of one per connection. */
  private final ByteBuf anonymousControl;
  /** The certificate StartTLS offers, or null when none is configured. */
  private final ServerTlsContext tls;
  /** Where connections and operations are logged ({@code loglevel stats}); off by default. */
  private final AccessLog accessLog;
  /**
   * The session tracking control's source name (the balancer's host name), or null when no such
   * control is added ({@code feature session-tracking} off).
   */
  private final String sessionSourceName;
  /** {@code restrict_exop}, {@code restrict_control} and {@code write_coherence} as configured. */
  private final Restrictions restrictionsConfig;
  private final RequestAffinity restrictions;
  private final RootDseRewriter rootDse;
  private final int writeCoherenceSeconds;
  /** The cn=Monitor tree searches of it are answered from, or null to forward them. */
  private final MonitorView monitor;

  /**
   * @param maxPendingPerClient {@code client_max_pending}, 0 for no limit
   * @param proxyAuthz whether to add the control at all
   * @param ownAuthzId the identity regular upstream connections are bound as ({@code dn:...}); a
   *     client with that identity needs no control, so its own control passes through
   * @param ioTimeoutMillis {@code iotimeout}: how long a client may hold a partly sent request,
   *     or fail to take any of its waiting responses; 0 for no limit
   */
  public ClientSettings(
      int maxPendingPerClient, boolean proxyAuthz, String ownAuthzId, long ioTimeoutMillis) {
    this(maxPendingPerClient, proxyAuthz, ownAuthzId, ioTimeoutMillis, null);
  }

  /**
   * @param tls the listeners' TLS context for StartTLS, or null when no certificate is configured
   *     (StartTLS is then answered {@code unavailable}, as lloadd does)
   */
  public ClientSettings(
      int maxPendingPerClient,
      boolean proxyAuthz,
      String ownAuthzId,
      long ioTimeoutMillis,
      ServerTlsContext tls) {
    this(maxPendingPerClient, proxyAuthz, ownAuthzId, ioTimeoutMillis, tls, Restrictions.NONE);
  }

  /**
   * @param idleTimeoutMillis {@code idletimeout}: how long a client may send nothing while it has
   *     no operation in flight before it is disconnected; 0 for never
   */
  public ClientSettings(
      int maxPendingPerClient,
      boolean proxyAuthz,
      String ownAuthzId,
      long ioTimeoutMillis,
      ServerTlsContext tls,
      long idleTimeoutMillis) {
    this(maxPendingPerClient, proxyAuthz, ownAuthzId, ioTimeoutMillis, tls, Restrictions.NONE,
        idleTimeoutMillis);
  }

  /**
   * @param restrictions {@code restrict_exop}, {@code restrict_control} and {@code
   *     write_coherence}
   */
  public ClientSettings(
      int maxPendingPerClient,
      boolean proxyAuthz,
      String ownAuthzId,
      long ioTimeoutMillis,
      ServerTlsContext tls,
      Restrictions restrictions) {
    this(maxPendingPerClient, proxyAuthz, ownAuthzId, ioTimeoutMillis, tls, restrictions, 0);
  }

  /** Every setting from the configuration; access log and session tracking are added by with. */
  public ClientSettings(
      int maxPendingPerClient,
      boolean proxyAuthz,
      String ownAuthzId,
      long ioTimeoutMillis,
      ServerTlsContext tls,
      Restrictions restrictions,
      long idleTimeoutMillis) {
    this(maxPendingPerClient, proxyAuthz, normalize(ownAuthzId), ioTimeoutMillis, tls,
        restrictions, idleTimeoutMillis, null, AccessLog.off(), null);
  }

  private ClientSettings(
      int maxPendingPerClient,
      boolean proxyAuthz,
      String normalizedOwnAuthzId,
      long ioTimeoutMillis,
      ServerTlsContext tls,
      Restrictions restrictions,
      long idleTimeoutMillis,
      String sessionSourceName,
      AccessLog accessLog,
      MonitorView monitor) {
    this.idleTimeoutMillis = idleTimeoutMillis;
    this.tls = tls;
    this.maxPendingPerClient = maxPendingPerClient;
    this.ioTimeoutMillis = ioTimeoutMillis;
    this.proxyAuthz = proxyAuthz;
    this.ownAuthzId = normalizedOwnAuthzId;
    this.anonymousControl = newControl(ANONYMOUS);
    this.restrictionsConfig = restrictions;
    this.restrictions =
        restrictions.equals(Restrictions.NONE)
            ? RequestAffinity.NONE
            : new RequestAffinity(restrictions);
    this.writeCoherenceSeconds = restrictions.writeCoherenceSeconds();
    this.rootDse = RootDsePolicy.rewriter(restrictions, proxyAuthz, tls != null);
    this.sessionSourceName = sessionSourceName;
    this.accessLog = accessLog;
    this.monitor = monitor;
  }

  /**
   * These settings with an access log: every connection accepted afterwards writes to it. Called
   * once, before the first listener starts.
   */
  public ClientSettings withAccessLog(AccessLog log) {
    return new ClientSettings(maxPendingPerClient, proxyAuthz, ownAuthzId, ioTimeoutMillis, tls,
        restrictionsConfig, idleTimeoutMillis, sessionSourceName, log, monitor);
  }

  AccessLog accessLog() {
    return accessLog;
  }

  /**
   * These settings, with a Session Tracking control (draft-wahl-ldap-session) added to every
   * forwarded operation ({@code feature session-tracking}).
   *
   * @param sourceName the name the control gives as the session's source: the balancer's host
   */
  public ClientSettings withSessionTracking(String sourceName) {
    return new ClientSettings(maxPendingPerClient, proxyAuthz, ownAuthzId, ioTimeoutMillis, tls,
        restrictionsConfig, idleTimeoutMillis, sourceName, accessLog, monitor);
  }

  /**
   * These settings, with searches of cn=Monitor answered by the balancer from {@code view}
   * instead of forwarded. Called once, before the first listener starts.
   */
  public ClientSettings withMonitor(MonitorView view) {
    return new ClientSettings(maxPendingPerClient, proxyAuthz, ownAuthzId, ioTimeoutMillis, tls,
        restrictionsConfig, idleTimeoutMillis, sessionSourceName, accessLog, view);
  }

  /** The cn=Monitor tree, or null when searches of it are forwarded like any other. */
  MonitorView monitor() {
    return monitor;
  }

  public int maxPendingPerClient() {
    return maxPendingPerClient;
  }

  long ioTimeoutMillis() {
    return ioTimeoutMillis;
  }

  RequestAffinity restrictions() {
    return restrictions;
  }

  /** Filters the root DSE's lists of controls and extended operations. */
  RootDseRewriter rootDse() {
    return rootDse;
  }

  int writeCoherenceSeconds() {
    return writeCoherenceSeconds;
  }

  long idleTimeoutMillis() {
    return idleTimeoutMillis;
  }

  /** The listeners' TLS context, or null. */
  ServerTlsContext tls() {
    return tls;
  }

  /** The control for {@code authzId}, or null when none is to be added. */
  ByteBuf controlFor(String authzId) {
    return ANONYMOUS.equals(authzId) ? anonymousControl : newControl(authzId);
  }

  /**
   * Whether a client with {@code authzId} is bound as the balancer's own {@code bindconf}
   * identity: only then may it send a Proxied Authorization control of its own. Any other client
   * would borrow that account's right to act for others (and, with proxied authorization on,
   * its requests carry the balancer's control already: RFC 4370 allows one).
   */
  boolean isOwnIdentity(String authzId) {
    return normalize(authzId).equals(ownAuthzId);
  }

  /**
   * Every control the balancer adds to the requests of a client with {@code authzId} at {@code
   * peer}, as one run of encoded Control elements, or null for none. Made once per identity and
   * kept by the client: forwarding an operation then copies bytes and encodes nothing.
   */
  ByteBuf controlsFor(String authzId, SocketAddress peer) {
    ByteBuf proxied = controlFor(authzId);
    if (sessionSourceName == null) {
      return proxied;
    }
    String ip =
        peer instanceof InetSocketAddress inet && inet.getAddress() != null
            ? inet.getAddress().getHostAddress()
            : "";
    return Controls.concat(proxied, Controls.sessionTracking(ip, sessionSourceName, authzId));
  }

  private ByteBuf newControl(String authzId) {
    if (!proxyAuthz || normalize(authzId).equals(ownAuthzId)) {
      return null;
    }
    return Controls.proxiedAuthorization(authzId);
  }

  /** Enough DN normalisation to recognise the balancer's own account as written in the config. */
  private static String normalize(String authzId) {
    return SPACE_AROUND_SEPARATORS.matcher(authzId.toLowerCase(Locale.ROOT)).replaceAll("$1").trim();
  }
}
