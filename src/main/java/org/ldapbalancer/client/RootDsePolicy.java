package org.ldapbalancer.client;

import java.util.Set;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.RootDseRewriter;

/**
 * Which of a server's {@code supportedControl} and {@code supportedExtension} values clients see
 * in the root DSE through the balancer: only what works through it, given the configuration.
 *
 * <ul>
 *   <li>Transactions (RFC 5805: start, end, and the transaction specification control) only when
 *       {@code restrict_exop 1.3.6.1.1.21.1 connection} keeps a client's operations on the
 *       connection that started one and {@code proxyauthz} is off (slapd refuses the control on
 *       StartTransaction); Turn (RFC 4531) never.
 *   <li>VLV (draft-ietf-ldapext-ldapv3-vlv) only with {@code restrict_control
 *       2.16.840.1.113730.3.4.9 connection}: its context lives on one connection.
 *   <li>Proxied Authorization (RFC 4370, and its older draft form) not while {@code proxyauthz}
 *       is on: the balancer refuses clients' own (see docs/architecture.md "Binds").
 *   <li>StartTLS only when the listeners have a certificate.
 *   <li>Anything {@code restrict_* ... reject} refuses; with {@code restrict_exop 1.1 reject},
 *       only the extended operations named with another action (and StartTLS).
 * </ul>
 *
 * Paged results, sort, Cancel (answered by the balancer) and Who Am I? (forwarded with the
 * client's identity) are shown as the server lists them.
 */
final class RootDsePolicy {
  static final String TXN_START = "1.3.6.1.1.21.1";
  static final String TXN_END = "1.3.6.1.1.21.3";
  static final String TXN_SPEC = "1.3.6.1.1.21.2";
  static final String TURN = "1.3.6.1.1.19";
  static final String VLV = "2.16.840.1.113730.3.4.9";

  private RootDsePolicy() {}

  private static boolean pinsConnection(RestrictAction action) {
    return action != null && action.pinsConnection();
  }

  static RootDseRewriter rewriter(Restrictions r, boolean proxyAuthz, boolean tls) {
    // slapd refuses a Proxied Authorization control on StartTransaction (critical extension
    // unavailable), so with proxyauthz on a transaction cannot even start.
    boolean txn = pinsConnection(r.exops().get(TXN_START)) && !proxyAuthz;
    boolean vlv = pinsConnection(r.controls().get(VLV));
    // Clients' own are refused (only the bindconf identity may send one), proxyauthz on or off.
    Set<String> proxied = Set.of(Oids.PROXIED_AUTHORIZATION, Oids.PROXIED_AUTHORIZATION_V1);
    return new RootDseRewriter(
        oid -> {
          if (r.controls().get(oid) == RestrictAction.REJECT) {
            return false;
          }
          if (oid.equals(TXN_SPEC)) {
            return txn;
          }
          if (oid.equals(VLV)) {
            return vlv;
          }
          return !proxied.contains(oid);
        },
        oid -> {
          if (oid.equals(Oids.START_TLS)) {
            // The balancer's own, whatever the server offers; only an explicit reject refuses it.
            return tls && r.exops().get(oid) != RestrictAction.REJECT;
          }
          RestrictAction action = r.exops().getOrDefault(oid, r.exopDefault());
          if (action == RestrictAction.REJECT || oid.equals(TURN)) {
            return false;
          }
          if (oid.equals(TXN_START) || oid.equals(TXN_END)) {
            return txn;
          }
          return true;
        });
  }
}
