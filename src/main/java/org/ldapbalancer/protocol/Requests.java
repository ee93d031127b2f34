package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** Reading the small requests the balancer acts on, and encoding the ones it sends itself. */
public final class Requests {
  private static final int EXTENDED_NAME = 0x80;
  private static final int SIMPLE_AUTH = 0x80;

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

  /** A simple BindRequest, as the balancer binds its own connections. */
  public static ByteBuf simpleBind(
      ByteBufAllocator alloc, int messageId, String dn, String password) {
    byte[] name = dn.getBytes(StandardCharsets.UTF_8);
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    int opContent = Ber.intElementLength(3) + Ber.elementLength(name.length)
        + Ber.elementLength(pw.length);
    ByteBuf buf = message(alloc, messageId, ProtocolOp.BIND_REQUEST, opContent);
    Ber.writeInt(buf, Ber.INTEGER, 3);
    Ber.writeOctets(buf, Ber.OCTET_STRING, name);
    Ber.writeOctets(buf, SIMPLE_AUTH, pw);
    return buf;
  }

  /** A Who Am I? request (RFC 4532). */
  public static ByteBuf whoAmI(ByteBufAllocator alloc, int messageId) {
    byte[] oid = Oids.WHO_AM_I.getBytes(StandardCharsets.US_ASCII);
    ByteBuf buf =
        message(alloc, messageId, ProtocolOp.EXTENDED_REQUEST, Ber.elementLength(oid.length));
    Ber.writeOctets(buf, EXTENDED_NAME, oid);
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
