package org.ldapbalancer.client;

import io.netty.buffer.ByteBuf;
import java.util.Locale;
import java.util.regex.Pattern;
import org.ldapbalancer.protocol.Controls;
import org.ldapbalancer.tls.ServerTlsContext;

/**
 * What every client connection shares: the per-client limit, how identities become Proxied
 * Authorization controls, and the TLS context for StartTLS. Immutable and thread-safe.
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
    this(maxPendingPerClient, proxyAuthz, ownAuthzId, ioTimeoutMillis, tls, 0);
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
    this.idleTimeoutMillis = idleTimeoutMillis;
    this.tls = tls;
    this.maxPendingPerClient = maxPendingPerClient;
    this.ioTimeoutMillis = ioTimeoutMillis;
    this.proxyAuthz = proxyAuthz;
    this.ownAuthzId = normalize(ownAuthzId);
    this.anonymousControl = newControl(ANONYMOUS);
  }

  public int maxPendingPerClient() {
    return maxPendingPerClient;
  }

  long ioTimeoutMillis() {
    return ioTimeoutMillis;
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
