package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Encoding the controls the balancer adds to requests, and finding one in a request. */
public final class Controls {
  private static final byte[] PROXIED_AUTHORIZATION_OID =
      Oids.PROXIED_AUTHORIZATION.getBytes(StandardCharsets.US_ASCII);

  private Controls() {}

  /**
   * Whether the message carries a Proxied Authorization control of its own. Reads the control
   * types in place; called only for messages that have controls.
   */
  public static boolean hasProxiedAuthorization(LdapMessage message)
      throws MalformedPduException {
    if (!message.hasControls()) {
      return false;
    }
    ByteBuf buf = message.frame();
    long controls =
        Ber.readElement(buf, message.controlsStart(), message.end(), Ber.CONTEXT_0_CONSTRUCTED);
    int index = Ber.start(controls);
    int end = Ber.end(controls);
    while (index < end) {
      long control = Ber.readElement(buf, index, end, Ber.SEQUENCE);
      long type = Ber.readElement(buf, Ber.start(control), Ber.end(control), Ber.OCTET_STRING);
      if (Ber.length(type) == PROXIED_AUTHORIZATION_OID.length
          && equalsAt(buf, Ber.start(type), PROXIED_AUTHORIZATION_OID)) {
        return true;
      }
      index = Ber.end(control);
    }
    return false;
  }

  private static boolean equalsAt(ByteBuf buf, int index, byte[] expected) {
    for (int i = 0; i < expected.length; i++) {
      if (buf.getByte(index + i) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * A critical Proxied Authorization control (RFC 4370 §3) for {@code authzId}, e.g. {@code
   * "dn:uid=jo,dc=example,dc=com"}, or {@code "dn:"} for anonymous. The result is an unpooled,
   * read-only buffer meant to be kept (one per client identity) and copied from.
   *
   * <pre>
   * Control ::= SEQUENCE { controlType LDAPOID, criticality BOOLEAN, controlValue OCTET STRING }
   * </pre>
   */
  public static ByteBuf proxiedAuthorization(String authzId) {
    byte[] oid = Oids.PROXIED_AUTHORIZATION.getBytes(StandardCharsets.US_ASCII);
    byte[] value = authzId.getBytes(StandardCharsets.UTF_8);
    int content = Ber.elementLength(oid.length) + 3 + Ber.elementLength(value.length);
    ByteBuf buf = Unpooled.buffer(Ber.elementLength(content));
    Ber.writeHeader(buf, Ber.SEQUENCE, content);
    Ber.writeOctets(buf, Ber.OCTET_STRING, oid);
    buf.writeByte(Ber.BOOLEAN).writeByte(1).writeByte(0xff);
    Ber.writeOctets(buf, Ber.OCTET_STRING, value);
    return buf.asReadOnly();
  }

  /**
   * A non-critical Session Tracking control (draft-wahl-ldap-session-03 §2) naming where a
   * session comes from, so that a server's log shows the real client behind the balancer.
   * Criticality FALSE is the default and so left out (DER). Like {@link #proxiedAuthorization}, an
   * unpooled read-only buffer meant to be kept per client and copied from.
   *
   * <pre>
   * SessionIdentifierControlValue ::= SEQUENCE {
   *     sessionSourceIp            LDAPString,
   *     sessionSourceName          LDAPString,
   *     formatOID                  LDAPOID,
   *     sessionTrackingIdentifier  LDAPString }
   * </pre>
   *
   * @param sourceIp the client's IP address as text, or "" when it has none (a Unix socket)
   * @param sourceName the name of the source of the session (the balancer's host name)
   * @param identifier the client's identity, in the {@link Oids#SESSION_TRACKING_USERNAME} format
   */
  public static ByteBuf sessionTracking(String sourceIp, String sourceName, String identifier) {
    byte[] oid = Oids.SESSION_TRACKING.getBytes(StandardCharsets.US_ASCII);
    byte[][] fields = {
      sourceIp.getBytes(StandardCharsets.UTF_8),
      sourceName.getBytes(StandardCharsets.UTF_8),
      Oids.SESSION_TRACKING_USERNAME.getBytes(StandardCharsets.US_ASCII),
      identifier.getBytes(StandardCharsets.UTF_8)
    };
    int sequence = 0;
    for (byte[] field : fields) {
      sequence += Ber.elementLength(field.length);
    }
    int value = Ber.elementLength(sequence);
    int content = Ber.elementLength(oid.length) + Ber.elementLength(value);
    ByteBuf buf = Unpooled.buffer(Ber.elementLength(content));
    Ber.writeHeader(buf, Ber.SEQUENCE, content);
    Ber.writeOctets(buf, Ber.OCTET_STRING, oid);
    Ber.writeHeader(buf, Ber.OCTET_STRING, value);
    Ber.writeHeader(buf, Ber.SEQUENCE, sequence);
    for (byte[] field : fields) {
      Ber.writeOctets(buf, Ber.OCTET_STRING, field);
    }
    return buf.asReadOnly();
  }

  /** {@code first} followed by {@code second}, either of which may be null; null if both are. */
  public static ByteBuf concat(ByteBuf first, ByteBuf second) {
    if (first == null || second == null) {
      return first == null ? second : first;
    }
    ByteBuf both = Unpooled.buffer(first.readableBytes() + second.readableBytes());
    both.writeBytes(first, first.readerIndex(), first.readableBytes());
    both.writeBytes(second, second.readerIndex(), second.readableBytes());
    return both.asReadOnly();
  }
}
