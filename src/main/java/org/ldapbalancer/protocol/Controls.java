package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Encoding the controls the balancer adds to requests, and finding one in a request. */
public final class Controls {
  private static final byte[] PROXIED_AUTHORIZATION_OID =
      Oids.PROXIED_AUTHORIZATION.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PROXIED_AUTHORIZATION_V1_OID =
      Oids.PROXIED_AUTHORIZATION_V1.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PAGED_RESULTS_OID =
      Oids.PAGED_RESULTS.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SYNC_REQUEST_OID =
      Oids.SYNC_REQUEST.getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PERSISTENT_SEARCH_OID =
      Oids.PERSISTENT_SEARCH.getBytes(StandardCharsets.US_ASCII);

  /** {@link #pagedResultsCookieLength}: the message has no paged results control. */
  public static final int NOT_PAGED = -1;

  private Controls() {}

  /**
   * Whether the message carries a Proxied Authorization control of its own, in either form (RFC
   * 4370's, or the first one that 389 Directory Server still honours). Reads the control types
   * in place; called only for messages that have controls.
   */
  public static boolean hasProxiedAuthorization(LdapMessage message)
      throws MalformedPduException {
    return find(message, PROXIED_AUTHORIZATION_OID) != -1
        || find(message, PROXIED_AUTHORIZATION_V1_OID) != -1;
  }

  /**
   * Whether any control of the message is marked critical (RFC 4511 §4.1.11): one the balancer
   * answers itself must then be refused {@code unavailableCriticalExtension}, since it applies
   * none of them.
   */
  public static boolean hasCritical(LdapMessage message) throws MalformedPduException {
    if (!message.hasControls()) {
      return false;
    }
    ByteBuf buf = message.frame();
    long controls =
        Ber.readElement(buf, message.controlsStart(), message.controlsEnd(), Ber.CONTEXT_0_CONSTRUCTED);
    int index = Ber.start(controls);
    int end = Ber.end(controls);
    while (index < end) {
      long control = Ber.readElement(buf, index, end, Ber.SEQUENCE);
      long type = Ber.readElement(buf, Ber.start(control), Ber.end(control), Ber.OCTET_STRING);
      int next = Ber.end(type);
      if (next < Ber.end(control) && buf.getUnsignedByte(next) == Ber.BOOLEAN) {
        long critical = Ber.readElement(buf, next, Ber.end(control), Ber.BOOLEAN);
        if (Ber.length(critical) > 0 && buf.getByte(Ber.start(critical)) != 0) {
          return true;
        }
      }
      index = Ber.end(control);
    }
    return false;
  }

  /**
   * Whether a search asks for a phase that may last indefinitely: a Sync Request control (RFC
   * 4533, syncrepl) or a Persistent Search control.
   */
  public static boolean asksForPersistence(LdapMessage message) throws MalformedPduException {
    return find(message, SYNC_REQUEST_OID) != -1 || find(message, PERSISTENT_SEARCH_OID) != -1;
  }

  /**
   * The length of the cookie of the message's paged results control (RFC 2696 §2), or {@link
   * #NOT_PAGED} when it carries none. The same encoding serves requests and responses:
   *
   * <pre>
   * realSearchControlValue ::= SEQUENCE { size INTEGER (0..maxInt), cookie OCTET STRING }
   * </pre>
   *
   * @throws MalformedPduException when the control's value is not of that shape
   */
  public static int pagedResultsCookieLength(LdapMessage message) throws MalformedPduException {
    long control = find(message, PAGED_RESULTS_OID);
    if (control == -1) {
      return NOT_PAGED;
    }
    ByteBuf buf = message.frame();
    long value = controlValue(buf, control);
    if (value == -1) {
      throw new MalformedPduException("paged results control without a value");
    }
    long seq = Ber.readElement(buf, Ber.start(value), Ber.end(value), Ber.SEQUENCE);
    long size = Ber.readElement(buf, Ber.start(seq), Ber.end(seq), Ber.INTEGER);
    long cookie = Ber.readElement(buf, Ber.end(size), Ber.end(seq), Ber.OCTET_STRING);
    return Ber.length(cookie);
  }

  /**
   * The first control of the message whose type is {@code oid} (ASCII), as a {@link Ber} element
   * of its SEQUENCE, or -1. Reads the control types in place, allocating nothing.
   */
  public static long find(LdapMessage message, byte[] oid) throws MalformedPduException {
    if (!message.hasControls()) {
      return -1;
    }
    ByteBuf buf = message.frame();
    long controls =
        Ber.readElement(buf, message.controlsStart(), message.controlsEnd(), Ber.CONTEXT_0_CONSTRUCTED);
    int index = Ber.start(controls);
    int end = Ber.end(controls);
    while (index < end) {
      long control = Ber.readElement(buf, index, end, Ber.SEQUENCE);
      long type = Ber.readElement(buf, Ber.start(control), Ber.end(control), Ber.OCTET_STRING);
      if (Ber.length(type) == oid.length && equalsAt(buf, Ber.start(type), oid)) {
        return control;
      }
      index = Ber.end(control);
    }
    return -1;
  }

  /** The controlValue OCTET STRING of a control element, or -1 when it has none. */
  static long controlValue(ByteBuf buf, long control) throws MalformedPduException {
    int end = Ber.end(control);
    long type = Ber.readElement(buf, Ber.start(control), end, Ber.OCTET_STRING);
    int index = Ber.end(type);
    if (index < end && buf.getUnsignedByte(index) == Ber.BOOLEAN) {
      index = Ber.end(Ber.readElement(buf, index, end, Ber.BOOLEAN));
    }
    if (index >= end) {
      return -1;
    }
    return Ber.readElement(buf, index, end, Ber.OCTET_STRING);
  }

  /** Whether the bytes at {@code index} are {@code expected}. */
  public static boolean equalsAt(ByteBuf buf, int index, byte[] expected) {
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
