package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The root DSE as a client of the balancer sees it: the servers' entry, with the SASL
 * mechanisms the balancer answers itself added to {@code supportedSASLMechanisms} (RFC 4512
 * §5.1) on a connection where they can be used, since the servers cannot know of them (the
 * design note's "RootDSE" section). Only the one search that reads it is decoded; everything
 * else passes untouched.
 *
 * <pre>
 * SearchRequest ::= [APPLICATION 3] SEQUENCE { baseObject LDAPDN, scope ENUMERATED, derefAliases
 *     ENUMERATED, sizeLimit INTEGER, timeLimit INTEGER, typesOnly BOOLEAN, filter Filter,
 *     attributes AttributeSelection }
 * SearchResultEntry ::= [APPLICATION 4] SEQUENCE { objectName LDAPDN,
 *     attributes PartialAttributeList }
 * PartialAttributeList ::= SEQUENCE OF SEQUENCE { type AttributeDescription, vals SET OF value }
 * </pre>
 */
public final class RootDse {
  public static final String SASL_MECHANISMS = "supportedSASLMechanisms";

  private static final byte[] SASL_MECHANISMS_BYTES =
      SASL_MECHANISMS.getBytes(StandardCharsets.US_ASCII);

  private RootDse() {}

  /**
   * Whether the request reads the root DSE: a base-object search of the empty DN. Reads two
   * bytes for any other search.
   */
  public static boolean isRootDseSearch(LdapMessage request) throws MalformedPduException {
    // One reading of "the root DSE" for the whole balancer: RootDseRewriter's, which rules out
    // almost every search by its first two octets.
    return request.opTag() == ProtocolOp.SEARCH_REQUEST && RootDseRewriter.isRootDseSearch(request);
  }

  /**
   * Whether a search asks for attribute types only ({@code typesOnly}, RFC 4511 §4.5.1.6): then
   * no value may be added to what the server returns.
   */
  public static boolean typesOnly(LdapMessage request) throws MalformedPduException {
    ByteBuf buf = request.frame();
    int end = request.opEnd();
    int index = request.opContentStart();
    for (int i = 0; i < 5; i++) { // baseObject .. timeLimit
      index = Ber.end(Ber.readAnyElement(buf, index, end));
    }
    long typesOnly = Ber.readElement(buf, index, end, Ber.BOOLEAN);
    return Ber.length(typesOnly) > 0 && buf.getByte(Ber.start(typesOnly)) != 0;
  }

  /**
   * Whether a root DSE search asks for {@code supportedSASLMechanisms} by name or for every
   * operational attribute ({@code +}, RFC 3673): operational attributes come only when asked
   * for (RFC 4511 §4.5.1.8).
   */
  public static boolean asksForMechanisms(LdapMessage request) throws MalformedPduException {
    ByteBuf buf = request.frame();
    int end = request.opEnd();
    int index = request.opContentStart();
    for (int i = 0; i < 7; i++) { // baseObject .. filter
      index = Ber.end(Ber.readAnyElement(buf, index, end));
    }
    long attributes = Ber.readElement(buf, index, end, Ber.SEQUENCE);
    for (int a = Ber.start(attributes); a < Ber.end(attributes); ) {
      long name = Ber.readElement(buf, a, Ber.end(attributes), Ber.OCTET_STRING);
      if (Ber.length(name) == 1 && buf.getByte(Ber.start(name)) == '+') {
        return true;
      }
      if (equalsIgnoreCase(buf, name, SASL_MECHANISMS_BYTES)) {
        return true;
      }
      a = Ber.end(name);
    }
    return false;
  }

  /**
   * The root DSE entry {@code response} under {@code messageId} with {@code mechanism} among its
   * {@code supportedSASLMechanisms}: added to the attribute's values if the server sent it
   * (unless there already), or as a new attribute when {@code addAttribute} (the client asked
   * for it and the server has no mechanisms of its own). The response's controls are kept. Null
   * when nothing is to change: the caller relays the response as it is.
   */
  public static ByteBuf withMechanism(
      ByteBufAllocator alloc,
      LdapMessage response,
      int messageId,
      String mechanism,
      boolean addAttribute)
      throws MalformedPduException {
    ByteBuf buf = response.frame();
    int end = response.opEnd();
    long objectName = Ber.readElement(buf, response.opContentStart(), end, Ber.OCTET_STRING);
    if (Ber.length(objectName) != 0) {
      return null; // not the root DSE
    }
    long list = Ber.readElement(buf, Ber.end(objectName), end, Ber.SEQUENCE);
    byte[] value = mechanism.getBytes(StandardCharsets.US_ASCII);
    long found = -1;
    int foundStart = -1; // where its tag is: a server's lengths need not be minimal
    for (int a = Ber.start(list); a < Ber.end(list); ) {
      long attribute = Ber.readElement(buf, a, Ber.end(list), Ber.SEQUENCE);
      long type = Ber.readElement(buf, Ber.start(attribute), Ber.end(attribute), Ber.OCTET_STRING);
      if (equalsIgnoreCase(buf, type, SASL_MECHANISMS_BYTES)) {
        found = attribute;
        foundStart = a;
        break;
      }
      a = Ber.end(attribute);
    }
    int addedValue = Ber.elementLength(value.length);
    int listContent;
    int newAttributeContent = 0;
    int newValuesContent = 0;
    if (found >= 0) {
      long type = Ber.readElement(buf, Ber.start(found), Ber.end(found), Ber.OCTET_STRING);
      long values = Ber.readElement(buf, Ber.end(type), Ber.end(found), Ber.SET);
      for (int v = Ber.start(values); v < Ber.end(values); ) {
        long each = Ber.readElement(buf, v, Ber.end(values), Ber.OCTET_STRING);
        if (equalsIgnoreCase(buf, each, value)) {
          return null; // the server offers it already
        }
        v = Ber.end(each);
      }
      newValuesContent = Ber.length(values) + addedValue;
      newAttributeContent =
          (Ber.end(type) - Ber.start(found)) + Ber.elementLength(newValuesContent);
      listContent =
          Ber.length(list) - (Ber.end(found) - foundStart)
              + Ber.elementLength(newAttributeContent);
    } else if (addAttribute) {
      newValuesContent = addedValue;
      newAttributeContent =
          Ber.elementLength(SASL_MECHANISMS_BYTES.length) + Ber.elementLength(newValuesContent);
      listContent = Ber.length(list) + Ber.elementLength(newAttributeContent);
    } else {
      return null;
    }
    int opContent =
        (Ber.end(objectName) - response.opContentStart()) + Ber.elementLength(listContent);
    int controls = response.hasControls() ? response.controlsEnd() - response.controlsStart() : 0;
    int messageContent =
        Ber.intElementLength(messageId) + Ber.elementLength(opContent) + controls;
    ByteBuf out = alloc.buffer(Ber.elementLength(messageContent));
    Ber.writeHeader(out, Ber.SEQUENCE, messageContent);
    Ber.writeInt(out, Ber.INTEGER, messageId);
    Ber.writeHeader(out, ProtocolOp.SEARCH_RESULT_ENTRY, opContent);
    out.writeBytes(buf, response.opContentStart(), Ber.end(objectName) - response.opContentStart());
    Ber.writeHeader(out, Ber.SEQUENCE, listContent);
    if (found >= 0) {
      out.writeBytes(buf, Ber.start(list), foundStart - Ber.start(list));
      long type = Ber.readElement(buf, Ber.start(found), Ber.end(found), Ber.OCTET_STRING);
      long values = Ber.readElement(buf, Ber.end(type), Ber.end(found), Ber.SET);
      Ber.writeHeader(out, Ber.SEQUENCE, newAttributeContent);
      out.writeBytes(buf, Ber.start(found), Ber.end(type) - Ber.start(found));
      Ber.writeHeader(out, Ber.SET, newValuesContent);
      out.writeBytes(buf, Ber.start(values), Ber.length(values));
      Ber.writeOctets(out, Ber.OCTET_STRING, value);
      out.writeBytes(buf, Ber.end(found), Ber.end(list) - Ber.end(found));
    } else {
      out.writeBytes(buf, Ber.start(list), Ber.length(list));
      Ber.writeHeader(out, Ber.SEQUENCE, newAttributeContent);
      Ber.writeOctets(out, Ber.OCTET_STRING, SASL_MECHANISMS_BYTES);
      Ber.writeHeader(out, Ber.SET, newValuesContent);
      Ber.writeOctets(out, Ber.OCTET_STRING, value);
    }
    if (controls > 0) {
      out.writeBytes(buf, response.controlsStart(), controls);
    }
    return out;
  }

  private static boolean equalsIgnoreCase(ByteBuf buf, long element, byte[] expected) {
    if (Ber.length(element) != expected.length) {
      return false;
    }
    int start = Ber.start(element);
    for (int i = 0; i < expected.length; i++) {
      byte b = buf.getByte(start + i);
      if (Character.toLowerCase((char) (b & 0xff)) != Character.toLowerCase((char) expected[i])) {
        return false;
      }
    }
    return true;
  }
}
