package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/** Reading result codes from responses, and encoding the responses the balancer makes itself. */
public final class Responses {
  private static final int EXTENDED_RESPONSE_NAME = 0x8a;
  private static final int EXTENDED_RESPONSE_VALUE = 0x8b;

  private Responses() {}

  /** The resultCode of an LDAPResult-shaped response (every final response). */
  public static int resultCode(LdapMessage message) throws MalformedPduException {
    long code =
        Ber.readElement(message.frame(), message.opContentStart(), message.opEnd(), Ber.ENUMERATED);
    return Ber.readIntContent(message.frame(), Ber.start(code), Ber.length(code));
  }

  /** The responseName of an ExtendedResponse, or {@code null} when it has none. */
  public static String extendedResponseName(LdapMessage message) throws MalformedPduException {
    return extendedResponsePart(message, EXTENDED_RESPONSE_NAME, StandardCharsets.US_ASCII);
  }

  /** The diagnosticMessage of an LDAPResult-shaped response, for logs. */
  public static String diagnosticMessage(LdapMessage message) throws MalformedPduException {
    ByteBuf buf = message.frame();
    int limit = message.opEnd();
    long code = Ber.readElement(buf, message.opContentStart(), limit, Ber.ENUMERATED);
    long matched = Ber.readElement(buf, Ber.end(code), limit, Ber.OCTET_STRING);
    long diagnostic = Ber.readElement(buf, Ber.end(matched), limit, Ber.OCTET_STRING);
    return buf.toString(Ber.start(diagnostic), Ber.length(diagnostic), StandardCharsets.UTF_8);
  }

  /**
   * The responseValue of an ExtendedResponse as text, or {@code null} when it has none. Used for
   * the Who Am I? answer (RFC 4532: an authzId).
   */
  public static String extendedResponseValue(LdapMessage message) throws MalformedPduException {
    return extendedResponsePart(message, EXTENDED_RESPONSE_VALUE, StandardCharsets.UTF_8);
  }

  /** BindResponse serverSaslCreds [7] (RFC 4511 §4.2.2). */
  private static final int SERVER_SASL_CREDS = 0x87;

  /** The serverSaslCreds of a BindResponse, or {@code null} when it has none. */
  public static byte[] serverSaslCredentials(LdapMessage message) throws MalformedPduException {
    ByteBuf buf = message.frame();
    int limit = message.opEnd();
    int index = message.opContentStart();
    for (int i = 0; i < 3; i++) { // resultCode, matchedDN, diagnosticMessage
      index = Ber.end(Ber.readAnyElement(buf, index, limit));
    }
    while (index < limit) { // a referral [3] may come first
      int tag = buf.getUnsignedByte(index);
      long element = Ber.readAnyElement(buf, index, limit);
      if (tag == SERVER_SASL_CREDS) {
        byte[] creds = new byte[Ber.length(element)];
        buf.getBytes(Ber.start(element), creds);
        return creds;
      }
      index = Ber.end(element);
    }
    return null;
  }

  /** The element of an ExtendedResponse after its LDAPResult with this tag, as text, or null. */
  private static String extendedResponsePart(LdapMessage message, int wanted, Charset charset)
      throws MalformedPduException {
    ByteBuf buf = message.frame();
    int limit = message.opEnd();
    int index = message.opContentStart();
    for (int i = 0; i < 3; i++) { // resultCode, matchedDN, diagnosticMessage
      index = Ber.end(Ber.readAnyElement(buf, index, limit));
    }
    while (index < limit) {
      int tag = buf.getUnsignedByte(index);
      long element = Ber.readAnyElement(buf, index, limit);
      if (tag == wanted) {
        return buf.toString(Ber.start(element), Ber.length(element), charset);
      }
      index = Ber.end(element);
    }
    return null;
  }

  /**
   * {@code response} (of LDAPResult shape) under {@code messageId} with an empty
   * diagnosticMessage, everything else byte for byte (its controls included). For a server's
   * text that may be left over from another client's exchange on a shared connection.
   */
  public static ByteBuf withoutDiagnostic(
      ByteBufAllocator alloc, LdapMessage response, int messageId) throws MalformedPduException {
    ByteBuf buf = response.frame();
    int limit = response.opEnd();
    long code = Ber.readElement(buf, response.opContentStart(), limit, Ber.ENUMERATED);
    long matched = Ber.readElement(buf, Ber.end(code), limit, Ber.OCTET_STRING);
    long diagnostic = Ber.readElement(buf, Ber.end(matched), limit, Ber.OCTET_STRING);
    int head = Ber.end(matched) - response.opContentStart(); // resultCode and matchedDN
    int rest = limit - Ber.end(diagnostic); // referral, serverSaslCreds, ...
    int controls = response.hasControls() ? response.controlsEnd() - response.controlsStart() : 0;
    int opContent = head + Ber.elementLength(0) + rest;
    int idLength = Ber.intElementLength(messageId);
    int content = idLength + Ber.elementLength(opContent) + controls;
    ByteBuf out = alloc.buffer(Ber.elementLength(content));
    Ber.writeHeader(out, Ber.SEQUENCE, content);
    Ber.writeInt(out, Ber.INTEGER, messageId);
    Ber.writeHeader(out, response.opTag(), opContent);
    out.writeBytes(buf, response.opContentStart(), head);
    Ber.writeHeader(out, Ber.OCTET_STRING, 0);
    out.writeBytes(buf, Ber.end(diagnostic), rest);
    if (controls > 0) {
      out.writeBytes(buf, response.controlsStart(), controls);
    }
    return out;
  }

  /** A response of LDAPResult shape (RFC 4511 §4.1.9) with the given protocolOp tag. */
  public static ByteBuf result(
      ByteBufAllocator alloc, int messageId, int responseTag, int resultCode, String diagnostic) {
    if (responseTag == ProtocolOp.EXTENDED_RESPONSE) {
      return extended(alloc, messageId, resultCode, diagnostic, null);
    }
    byte[] diag = diagnostic.getBytes(StandardCharsets.UTF_8);
    int opContent = resultLength(resultCode, diag);
    ByteBuf buf = Requests.message(alloc, messageId, responseTag, opContent);
    writeResult(buf, resultCode, diag);
    return buf;
  }

  /** An ExtendedResponse (RFC 4511 §4.12), with a responseName when {@code oid} is not null. */
  public static ByteBuf extended(
      ByteBufAllocator alloc, int messageId, int resultCode, String diagnostic, String oid) {
    byte[] diag = diagnostic.getBytes(StandardCharsets.UTF_8);
    byte[] name = oid == null ? null : oid.getBytes(StandardCharsets.US_ASCII);
    int opContent = resultLength(resultCode, diag) + (name == null ? 0 : Ber.elementLength(name.length));
    ByteBuf buf = Requests.message(alloc, messageId, ProtocolOp.EXTENDED_RESPONSE, opContent);
    writeResult(buf, resultCode, diag);
    if (name != null) {
      Ber.writeOctets(buf, EXTENDED_RESPONSE_NAME, name);
    }
    return buf;
  }

  /** A Notice of Disconnection (RFC 4511 §4.4.1): unsolicited, message ID 0. */
  public static ByteBuf noticeOfDisconnection(
      ByteBufAllocator alloc, int resultCode, String diagnostic) {
    return extended(alloc, 0, resultCode, diagnostic, Oids.NOTICE_OF_DISCONNECTION);
  }

  private static int resultLength(int resultCode, byte[] diag) {
    return Ber.intElementLength(resultCode) + Ber.elementLength(0) + Ber.elementLength(diag.length);
  }

  private static void writeResult(ByteBuf buf, int resultCode, byte[] diag) {
    Ber.writeInt(buf, Ber.ENUMERATED, resultCode);
    Ber.writeHeader(buf, Ber.OCTET_STRING, 0);
    Ber.writeOctets(buf, Ber.OCTET_STRING, diag);
  }
}
