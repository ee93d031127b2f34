package org.ldapbalancer.client;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.tls.CertificateSubject;
import org.ldapbalancer.tls.ServerTlsContext;

/**
 * SASL EXTERNAL (RFC 4513 §5.2.1.2, RFC 4422 Appendix A), answered by the balancer itself as
 * lloadd does: the identity is the one established outside LDAP, the client certificate's subject
 * as an LDAP DN over TLS, or the peer process's user and group over {@code ldapi://} (as slapd
 * gives them), and it goes upstream in the Proxied Authorization control like any other. The
 * servers never see the bind: their connections are the balancer's, not the client's, so they
 * could not see the certificate or the process.
 *
 * <p>Thread-safe: no state.
 */
final class ExternalBind {
  static final String MECHANISM = "EXTERNAL";

  /**
   * What the bind comes to.
   *
   * @param authzId the identity on success ({@code dn:...}), null otherwise
   */
  record Outcome(int resultCode, String authzId, String diagnostic) {
    static Outcome refused(int resultCode, String diagnostic) {
      return new Outcome(resultCode, null, diagnostic);
    }
  }

  private ExternalBind() {}

  static boolean isExternal(String mechanism) {
    return MECHANISM.equalsIgnoreCase(mechanism);
  }

  /**
   * @param tlsHandler the connection's TLS handler, or null when it has no TLS
   * @param tls the listeners' context, whose CAs must have signed the certificate (whatever
   *     {@code TLSVerifyClient allow} let through during the handshake)
   * @param requestedAuthzId the authorization identity the client asked for, or null or empty to
   *     take the certificate's
   */
  static Outcome bind(Channel channel, ServerTlsContext tls, String requestedAuthzId) {
    SslHandler tlsHandler = channel.pipeline().get(SslHandler.class);
    if (tlsHandler == null) {
      PeerCredentials peer = peerCredentials(channel);
      if (peer != null) {
        return granted(peerCredentialsIdentity(peer), requestedAuthzId);
      }
    }
    return certificate(tlsHandler, tls, requestedAuthzId);
  }

  /**
   * The identity slapd gives a process on {@code ldapi://} (its {@code SO_PEERCRED}): {@code
   * dn:gidNumber=G+uidNumber=U,cn=peercred,cn=external,cn=auth}.
   */
  static String peerCredentialsIdentity(PeerCredentials peer) {
    int[] gids = peer.gids();
    int gid = gids.length > 0 ? gids[0] : -1;
    return "dn:gidNumber=" + Integer.toUnsignedString(gid) + "+uidNumber="
        + Integer.toUnsignedString(peer.uid()) + ",cn=peercred,cn=external,cn=auth";
  }

  /**
   * Whether an EXTERNAL bind would succeed on this connection now (for the root DSE): TLS with a
   * client certificate a configured CA signed, or a Unix domain socket with peer credentials.
   */
  static boolean available(Channel channel, ServerTlsContext tls) {
    return bind(channel, tls, null).resultCode() == ResultCode.SUCCESS;
  }

  /** The credentials of the process at the other end of a Unix domain socket, or null. */
  private static PeerCredentials peerCredentials(Channel channel) {
    try {
      if (channel instanceof EpollDomainSocketChannel epoll) {
        return epoll.peerCredentials();
      }
      if (channel instanceof IoUringDomainSocketChannel uring) {
        return uring.peerCredentials();
      }
    } catch (IOException e) {
      return null; // the peer is gone; the bind is answered as if there were no credentials
    }
    return null;
  }

  private static Outcome certificate(
      SslHandler tlsHandler, ServerTlsContext tls, String requestedAuthzId) {
    if (tlsHandler == null || tls == null || !tlsHandler.handshakeFuture().isSuccess()) {
      return Outcome.refused(
          ResultCode.INAPPROPRIATE_AUTHENTICATION,
          "SASL EXTERNAL needs TLS with a client certificate (ldaps:// or StartTLS) or ldapi://");
    }
    Certificate[] chain;
    try {
      chain = tlsHandler.engine().getSession().getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Outcome.refused(
          ResultCode.INAPPROPRIATE_AUTHENTICATION,
          "SASL EXTERNAL: no client certificate was presented"
              + (tls.asksForCertificates() ? "" : " (TLSVerifyClient never asks for one)"));
    }
    X509Certificate[] x509 = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      if (!(chain[i] instanceof X509Certificate c)) {
        return Outcome.refused(
            ResultCode.INVALID_CREDENTIALS, "SASL EXTERNAL: not an X.509 certificate");
      }
      x509[i] = c;
    }
    String untrusted = tls.whyUntrusted(x509);
    if (untrusted != null) {
      return Outcome.refused(ResultCode.INVALID_CREDENTIALS, "SASL EXTERNAL: " + untrusted);
    }
    return granted(
        "dn:" + CertificateSubject.ldapDn(x509[0].getSubjectX500Principal()), requestedAuthzId);
  }

  private static Outcome granted(String authzId, String requestedAuthzId) {
    if (requestedAuthzId != null
        && !requestedAuthzId.isEmpty()
        && !sameIdentity(requestedAuthzId, authzId)) {
      // The balancer cannot check a server's authorization rules (authz-regexp, authzTo) here:
      // only the certificate's own identity may be asked for.
      return Outcome.refused(
          ResultCode.INSUFFICIENT_ACCESS_RIGHTS,
          "SASL EXTERNAL: authorization identity \"" + requestedAuthzId
              + "\" is not the one established outside LDAP (" + authzId + ")");
    }
    return new Outcome(ResultCode.SUCCESS, authzId, "");
  }

  /** {@code dn:X} and {@code X} both name X; DNs compare without case and spaces at commas. */
  private static boolean sameIdentity(String requested, String certificate) {
    String r = requested.regionMatches(true, 0, "dn:", 0, 3) ? requested.substring(3) : requested;
    return normalize(r).equals(normalize(certificate.substring(3)));
  }

  private static String normalize(String dn) {
    return dn.replaceAll("\\s*([,=+])\\s*", "$1").trim().toLowerCase(Locale.ROOT);
  }
}
