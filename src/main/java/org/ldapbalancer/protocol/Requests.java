package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** Reading the small requests the balancer acts on, and encoding the ones it sends itself. */
public final class Requests {
  private static final int EXTENDED_NAME = 0x80;
  private static final int EXTENDED_VALUE = 0x81;
  private static final int SIMPLE_AUTH = 0x80;
  /** Filter CHOICE {@code present [7] AttributeDescription} (RFC 4511 §4.5.1.7.5). */
  private static final int FILTER_PRESENT = 0x87;
  private static final byte[] OBJECT_CLASS = "objectClass".getBytes(StandardCharsets.US_ASCII);
  private static final int MODIFY_REPLACE = 2;

  private Requests() {}

  /** The message ID an AbandonRequest (RFC 4511 §4.11) names. */
  public static int abandonedMessageId(LdapMessage message) throws MalformedPduException {
    return Ber.readIntContent(message.frame(), message.opContentStart(), message.opContentLength());
  }

  /** The requestName of an ExtendedRequest (RFC 4511 §4.12). */
  public static String extendedRequestName(LdapMessage message) throws MalformedPduException {
    long name =
        Ber.readElement(message.frame(), message.opContentStart(), message.opEnd(), EXTENDED_NAME);
    return message.frame().toString(Ber.start(name), Ber.length(name), StandardCharsets.US_ASCII);
  }

  /**
   * The message ID a Cancel request (RFC 3909 §2) names:
   *
   * <pre>
   * ExtendedRequest ::= [APPLICATION 23] SEQUENCE { requestName [0] "1.3.6.1.1.8",
   *                                                 requestValue [1] cancelRequestValue }
   * cancelRequestValue ::= SEQUENCE { cancelID MessageID }
   * </pre>
   *
   * @throws MalformedPduException when the value is missing or not of that shape
   */
  public static int cancelId(LdapMessage message) throws MalformedPduException {
    ByteBuf buf = message.frame();
    long name = Ber.readElement(buf, message.opContentStart(), message.opEnd(), EXTENDED_NAME);
    long value = Ber.readElement(buf, Ber.end(name), message.opEnd(), EXTENDED_VALUE);
    long seq = Ber.readElement(buf, Ber.start(value), Ber.end(value), Ber.SEQUENCE);
    long id = Ber.readElement(buf, Ber.start(seq), Ber.end(seq), Ber.INTEGER);
    if (Ber.end(id) != Ber.end(seq) || Ber.end(seq) != Ber.end(value)) {
      throw new MalformedPduException("trailing bytes in the Cancel request value");
    }
    return Ber.readIntContent(buf, Ber.start(id), Ber.length(id));
  }

  /** A simple BindRequest, as the balancer binds its own connections. */
  public static ByteBuf simpleBind(
      ByteBufAllocator alloc, int messageId, String dn, String password) {
    return simpleBind(
        alloc,
        messageId,
        dn.getBytes(StandardCharsets.UTF_8),
        password.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A SASL BindRequest (RFC 4511 §4.2): empty name, {@code SaslCredentials} with the mechanism and,
   * when not null, the credentials of this step.
   */
  public static ByteBuf saslBind(
      ByteBufAllocator alloc, int messageId, String mechanism, byte[] credentials) {
    byte[] mech = mechanism.getBytes(StandardCharsets.UTF_8);
    int saslContent =
        Ber.elementLength(mech.length)
            + (credentials == null ? 0 : Ber.elementLength(credentials.length));
    int opContent =
        Ber.intElementLength(3) + Ber.elementLength(0) + Ber.elementLength(saslContent);
    ByteBuf buf = message(alloc, messageId, ProtocolOp.BIND_REQUEST, opContent);
    Ber.writeInt(buf, Ber.INTEGER, 3);
    Ber.writeOctets(buf, Ber.OCTET_STRING, new byte[0]);
    Ber.writeHeader(buf, SASL_AUTH, saslContent);
    Ber.writeOctets(buf, Ber.OCTET_STRING, mech);
    if (credentials != null) {
      Ber.writeOctets(buf, Ber.OCTET_STRING, credentials);
    }
    return buf;
  }

  /** AuthenticationChoice sasl [3] SaslCredentials (constructed). */
  private static final int SASL_AUTH = 0xa3;

  /** A simple BindRequest from an already encoded DN and password (UTF-8). */
  public static ByteBuf simpleBind(ByteBufAllocator alloc, int messageId, byte[] name, byte[] pw) {
    int opContent = Ber.intElementLength(3) + Ber.elementLength(name.length)
        + Ber.elementLength(pw.length);
    ByteBuf buf = message(alloc, messageId, ProtocolOp.BIND_REQUEST, opContent);
    Ber.writeInt(buf, Ber.INTEGER, 3);
    Ber.writeOctets(buf, Ber.OCTET_STRING, name);
    Ber.writeOctets(buf, SIMPLE_AUTH, pw);
    return buf;
  }

  /**
   * A base-object SearchRequest (RFC 4511 §4.5.1) with the filter {@code (objectClass=*)}: the
   * usual way to read one entry. No size or time limit, aliases never dereferenced.
   *
   * @param attributes the requested attribute descriptions, each UTF-8; none means all user
   *     attributes
   */
  public static ByteBuf searchBaseObject(
      ByteBufAllocator alloc, int messageId, byte[] baseDn, byte[][] attributes) {
    int attrContent = 0;
    for (byte[] a : attributes) {
      attrContent += Ber.elementLength(a.length);
    }
    int opContent = Ber.elementLength(baseDn.length)
        + 3 * Ber.intElementLength(0) // scope, derefAliases, sizeLimit
        + Ber.intElementLength(0) // timeLimit
        + 3 // typesOnly BOOLEAN
        + Ber.elementLength(OBJECT_CLASS.length)
        + Ber.elementLength(attrContent);
    ByteBuf buf = message(alloc, messageId, ProtocolOp.SEARCH_REQUEST, opContent);
    Ber.writeOctets(buf, Ber.OCTET_STRING, baseDn);
    Ber.writeInt(buf, Ber.ENUMERATED, 0); // baseObject
    Ber.writeInt(buf, Ber.ENUMERATED, 0); // neverDerefAliases
    Ber.writeInt(buf, Ber.INTEGER, 0); // sizeLimit: none
    Ber.writeInt(buf, Ber.INTEGER, 0); // timeLimit: none
    buf.writeByte(Ber.BOOLEAN).writeByte(1).writeByte(0); // typesOnly FALSE
    Ber.writeOctets(buf, FILTER_PRESENT, OBJECT_CLASS);
    Ber.writeHeader(buf, Ber.SEQUENCE, attrContent);
    for (byte[] a : attributes) {
      Ber.writeOctets(buf, Ber.OCTET_STRING, a);
    }
    return buf;
  }

  /**
   * A ModifyRequest (RFC 4511 §4.6) that replaces every value of one attribute with {@code
   * value}.
   */
  public static ByteBuf modifyReplace(
      ByteBufAllocator alloc, int messageId, byte[] dn, byte[] attribute, byte[] value) {
    int values = Ber.elementLength(value.length);
    int partialAttribute = Ber.elementLength(attribute.length) + Ber.elementLength(values);
    int change = Ber.intElementLength(MODIFY_REPLACE) + Ber.elementLength(partialAttribute);
    int changes = Ber.elementLength(change);
    int opContent = Ber.elementLength(dn.length) + Ber.elementLength(changes);
    ByteBuf buf = message(alloc, messageId, ProtocolOp.MODIFY_REQUEST, opContent);
    Ber.writeOctets(buf, Ber.OCTET_STRING, dn);
    Ber.writeHeader(buf, Ber.SEQUENCE, changes);
    Ber.writeHeader(buf, Ber.SEQUENCE, change);
    Ber.writeInt(buf, Ber.ENUMERATED, MODIFY_REPLACE);
    Ber.writeHeader(buf, Ber.SEQUENCE, partialAttribute);
    Ber.writeOctets(buf, Ber.OCTET_STRING, attribute);
    Ber.writeHeader(buf, Ber.SET, values);
    Ber.writeOctets(buf, Ber.OCTET_STRING, value);
    return buf;
  }

  /** A Who Am I? request (RFC 4532). */
  public static ByteBuf whoAmI(ByteBufAllocator alloc, int messageId) {
    return extendedWithoutValue(alloc, messageId, Oids.WHO_AM_I);
  }

  /** A StartTLS request (RFC 4511 §4.14.1). */
  public static ByteBuf startTls(ByteBufAllocator alloc, int messageId) {
    return extendedWithoutValue(alloc, messageId, Oids.START_TLS);
  }

  private static ByteBuf extendedWithoutValue(ByteBufAllocator alloc, int messageId, String name) {
    byte[] oid = name.getBytes(StandardCharsets.US_ASCII);
    ByteBuf buf =
        message(alloc, messageId, ProtocolOp.EXTENDED_REQUEST, Ber.elementLength(oid.length));
    Ber.writeOctets(buf, EXTENDED_NAME, oid);
    return buf;
  }

  /**
   * A Cancel request (RFC 3909 §2) for the operation with message ID {@code cancelId} on the same
   * connection: {@code cancelRequestValue ::= SEQUENCE { cancelID MessageID }}.
   */
  public static ByteBuf cancel(ByteBufAllocator alloc, int messageId, int cancelId) {
    byte[] oid = Oids.CANCEL.getBytes(StandardCharsets.US_ASCII);
    int sequence = Ber.elementLength(Ber.intElementLength(cancelId));
    int content = Ber.elementLength(oid.length) + Ber.elementLength(sequence);
    ByteBuf buf = message(alloc, messageId, ProtocolOp.EXTENDED_REQUEST, content);
    Ber.writeOctets(buf, EXTENDED_NAME, oid);
    Ber.writeHeader(buf, EXTENDED_VALUE, sequence);
    Ber.writeHeader(buf, Ber.SEQUENCE, Ber.intElementLength(cancelId));
    Ber.writeInt(buf, Ber.INTEGER, cancelId);
    return buf;
  }

  /** An AbandonRequest for {@code abandonedId}. */
  public static ByteBuf abandon(ByteBufAllocator alloc, int messageId, int abandonedId) {
    int idLength = Ber.intElementLength(messageId);
    int opLength = Ber.intElementLength(abandonedId);
    ByteBuf buf = alloc.directBuffer(2 + idLength + opLength);
    Ber.writeHeader(buf, Ber.SEQUENCE, idLength + opLength);
    Ber.writeInt(buf, Ber.INTEGER, messageId);
    Ber.writeInt(buf, ProtocolOp.ABANDON_REQUEST, abandonedId);
    return buf;
  }

  /** An UnbindRequest. */
  public static ByteBuf unbind(ByteBufAllocator alloc, int messageId) {
    int idLength = Ber.intElementLength(messageId);
    ByteBuf buf = alloc.directBuffer(4 + idLength);
    Ber.writeHeader(buf, Ber.SEQUENCE, idLength + 2);
    Ber.writeInt(buf, Ber.INTEGER, messageId);
    buf.writeByte(ProtocolOp.UNBIND_REQUEST).writeByte(0);
    return buf;
  }

  /**
   * Starts an LDAPMessage whose protocolOp (constructed, with {@code opContentLength} content
   * octets) the caller writes next.
   */
  static ByteBuf message(ByteBufAllocator alloc, int messageId, int opTag, int opContentLength) {
    int idLength = Ber.intElementLength(messageId);
    int content = idLength + Ber.elementLength(opContentLength);
    ByteBuf buf = alloc.buffer(Ber.elementLength(content));
    Ber.writeHeader(buf, Ber.SEQUENCE, content);
    Ber.writeInt(buf, Ber.INTEGER, messageId);
    Ber.writeHeader(buf, opTag, opContentLength);
    return buf;
  }
}
