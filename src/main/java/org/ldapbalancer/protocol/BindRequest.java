package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The parts of a BindRequest (RFC 4511 §4.2) the balancer needs: the version, the name, and
 * whether the authentication is simple or SASL (and with which mechanism), or another choice:
 * the CHOICE is extensible ([1] and [2] were reserved), and a method not known is answered
 * {@code authMethodNotSupported}, as slapd does, not taken for a malformed request.
 *
 * <pre>
 * BindRequest ::= [APPLICATION 0] SEQUENCE { version INTEGER (1 .. 127), name LDAPDN,
 *     authentication CHOICE { simple [0] OCTET STRING, sasl [3] SaslCredentials } }
 * </pre>
 */
public record BindRequest(
    int version,
    String name,
    String saslMechanism,
    boolean emptyPassword,
    boolean securityLayer,
    boolean knownMethod) {
  private static final int SIMPLE = 0x80;
  private static final int SASL = 0xa3;
  /** DIGEST-MD5's digest-response choosing integrity or confidentiality (RFC 2831 §2.1.2). */
  private static final Pattern DIGEST_QOP_WITH_LAYER =
      Pattern.compile("(?:^|,)\\s*qop\\s*=\\s*\"?auth-(?:int|conf)\"?\\s*(?:,|$)");

  /**
   * Whether the client asks for a SASL security layer, which would wrap every later PDU. Known
   * for DIGEST-MD5, whose response names it in clear; GSSAPI negotiates it inside wrapped tokens.
   */
  public boolean asksForSecurityLayer() {
    return securityLayer;
  }

  public boolean isSasl() {
    return saslMechanism != null;
  }

  /** An anonymous simple bind, or an unauthenticated one (a name with no password). */
  public boolean isAnonymous() {
    return knownMethod && !isSasl() && emptyPassword;
  }

  public static BindRequest parse(LdapMessage message) throws MalformedPduException {
    ByteBuf buf = message.frame();
    int limit = message.opEnd();
    long version = Ber.readElement(buf, message.opContentStart(), limit, Ber.INTEGER);
    int v = Ber.readIntContent(buf, Ber.start(version), Ber.length(version));
    long name = Ber.readElement(buf, Ber.end(version), limit, Ber.OCTET_STRING);
    String dn = buf.toString(Ber.start(name), Ber.length(name), StandardCharsets.UTF_8);
    int authStart = Ber.end(name);
    if (authStart >= limit) {
      throw new MalformedPduException("bind request without authentication");
    }
    int authTag = buf.getUnsignedByte(authStart);
    long auth = Ber.readAnyElement(buf, authStart, limit);
    if (authTag == SIMPLE) {
      return new BindRequest(v, dn, null, Ber.length(auth) == 0, false, true);
    } else if (authTag == SASL) {
      long mech = Ber.readElement(buf, Ber.start(auth), Ber.end(auth), Ber.OCTET_STRING);
      String mechanism = buf.toString(Ber.start(mech), Ber.length(mech), StandardCharsets.UTF_8);
      boolean layer = false;
      if (Ber.end(mech) < Ber.end(auth) && "DIGEST-MD5".equalsIgnoreCase(mechanism)) {
        long credentials = Ber.readElement(buf, Ber.end(mech), Ber.end(auth), Ber.OCTET_STRING);
        String response =
            buf.toString(Ber.start(credentials), Ber.length(credentials), StandardCharsets.ISO_8859_1);
        layer = DIGEST_QOP_WITH_LAYER.matcher(response.toLowerCase(Locale.ROOT)).find();
      }
      return new BindRequest(v, dn, mechanism, false, layer, true);
    }
    return new BindRequest(v, dn, null, false, false, false);
  }

  /**
   * The credentials of a SASL bind as text (for EXTERNAL, the authorization identity the client
   * asks for, RFC 4422 Appendix A), or null when there are none or the bind is simple.
   */
  public static String saslCredentials(LdapMessage message) throws MalformedPduException {
    ByteBuf buf = message.frame();
    int limit = message.opEnd();
    long version = Ber.readElement(buf, message.opContentStart(), limit, Ber.INTEGER);
    long name = Ber.readElement(buf, Ber.end(version), limit, Ber.OCTET_STRING);
    int authStart = Ber.end(name);
    if (authStart >= limit || buf.getUnsignedByte(authStart) != SASL) {
      return null;
    }
    long auth = Ber.readAnyElement(buf, authStart, limit);
    long mech = Ber.readElement(buf, Ber.start(auth), Ber.end(auth), Ber.OCTET_STRING);
    if (Ber.end(mech) >= Ber.end(auth)) {
      return null;
    }
    long credentials = Ber.readElement(buf, Ber.end(mech), Ber.end(auth), Ber.OCTET_STRING);
    return buf.toString(Ber.start(credentials), Ber.length(credentials), StandardCharsets.UTF_8);
  }
}
