package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Rewrites the root DSE entry (RFC 4512 §5.1) a server returns, dropping from {@code
 * supportedControl} and {@code supportedExtension} the OIDs that do not work through the balancer
 * (the design note's "RootDSE": check the entry passed back and filter its lists). Everything else
 * in the entry, and its controls, is kept byte for byte.
 *
 * <pre>
 * SearchResultEntry ::= [APPLICATION 4] SEQUENCE { objectName LDAPDN,
 *                                                  attributes PartialAttributeList }
 * PartialAttributeList ::= SEQUENCE OF SEQUENCE { type AttributeDescription,
 *                                                 vals SET OF AttributeValue }
 * </pre>
 *
 * <p>Immutable and thread-safe. Only root DSE searches (base "", scope base) pay for it.
 */
public final class RootDseRewriter {
  private static final byte[] SUPPORTED_CONTROL =
      "supportedcontrol".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SUPPORTED_EXTENSION =
      "supportedextension".getBytes(StandardCharsets.US_ASCII);

  private final Predicate<String> controlShown;
  private final Predicate<String> extensionShown;

  /**
   * @param controlShown whether a control OID stays in {@code supportedControl}
   * @param extensionShown whether an extended operation OID stays in {@code supportedExtension}
   */
  public RootDseRewriter(Predicate<String> controlShown, Predicate<String> extensionShown) {
    this.controlShown = controlShown;
    this.extensionShown = extensionShown;
  }

  /** Whether a SearchRequest reads the root DSE: base DN empty, scope baseObject. */
  public static boolean isRootDseSearch(LdapMessage request) throws MalformedPduException {
    ByteBuf buf = request.frame();
    int start = request.opContentStart();
    // Two octets say "not the empty DN" for almost every search: checked before any parsing.
    if (start + 2 > request.opEnd()
        || buf.getUnsignedByte(start) != Ber.OCTET_STRING
        || buf.getUnsignedByte(start + 1) != 0) {
      return false;
    }
    long base = Ber.readElement(buf, request.opContentStart(), request.opEnd(), Ber.OCTET_STRING);
    if (Ber.length(base) != 0) {
      return false;
    }
    long scope = Ber.readElement(buf, Ber.end(base), request.opEnd(), Ber.ENUMERATED);
    return Ber.readIntContent(buf, Ber.start(scope), Ber.length(scope)) == 0;
  }

  /**
   * The entry as a whole LDAPMessage under {@code messageId}, its lists filtered; a new buffer
   * the caller writes (and so releases).
   */
  public ByteBuf rewrite(ByteBufAllocator alloc, LdapMessage entry, int messageId)
      throws MalformedPduException {
    ByteBuf buf = entry.frame();
    int opEnd = entry.opEnd();
    long name = Ber.readElement(buf, entry.opContentStart(), opEnd, Ber.OCTET_STRING);
    long attributes = Ber.readElement(buf, Ber.end(name), opEnd, Ber.SEQUENCE);
    List<byte[]> kept = new ArrayList<>();
    int attributesContent = 0;
    int index = Ber.start(attributes);
    while (index < Ber.end(attributes)) {
      long attribute = Ber.readElement(buf, index, Ber.end(attributes), Ber.SEQUENCE);
      byte[] encoded = filterAttribute(buf, index, attribute);
      kept.add(encoded);
      attributesContent += encoded.length;
      index = Ber.end(attribute);
    }
    int nameElement = Ber.end(name) - entry.opContentStart();
    int opContent = nameElement + Ber.elementLength(attributesContent);
    int controls = entry.hasControls() ? entry.controlsEnd() - entry.controlsStart() : 0;
    int content = Ber.intElementLength(messageId) + Ber.elementLength(opContent) + controls;
    ByteBuf out = alloc.buffer(Ber.elementLength(content));
    Ber.writeHeader(out, Ber.SEQUENCE, content);
    Ber.writeInt(out, Ber.INTEGER, messageId);
    Ber.writeHeader(out, ProtocolOp.SEARCH_RESULT_ENTRY, opContent);
    out.writeBytes(buf, entry.opContentStart(), nameElement);
    Ber.writeHeader(out, Ber.SEQUENCE, attributesContent);
    for (byte[] a : kept) {
      out.writeBytes(a);
    }
    if (controls > 0) {
      out.writeBytes(buf, entry.controlsStart(), controls);
    }
    return out;
  }

  /** One attribute, re-encoded without its hidden values, or as it was. */
  private byte[] filterAttribute(ByteBuf buf, int elementStart, long attribute)
      throws MalformedPduException {
    long type = Ber.readElement(buf, Ber.start(attribute), Ber.end(attribute), Ber.OCTET_STRING);
    Predicate<String> shown =
        typeIs(buf, type, SUPPORTED_CONTROL)
            ? controlShown
            : typeIs(buf, type, SUPPORTED_EXTENSION) ? extensionShown : null;
    if (shown == null) {
      byte[] whole = new byte[Ber.end(attribute) - elementStart];
      buf.getBytes(elementStart, whole);
      return whole;
    }
    long values = Ber.readElement(buf, Ber.end(type), Ber.end(attribute), Ber.SET);
    List<long[]> keptValues = new ArrayList<>();
    int valuesContent = 0;
    int index = Ber.start(values);
    while (index < Ber.end(values)) {
      long value = Ber.readElement(buf, index, Ber.end(values), Ber.OCTET_STRING);
      String oid = buf.toString(Ber.start(value), Ber.length(value), StandardCharsets.US_ASCII);
      if (shown.test(oid.trim())) {
        keptValues.add(new long[] {index, Ber.end(value)});
        valuesContent += Ber.end(value) - index;
      }
      index = Ber.end(value);
    }
    int typeElement = Ber.end(type) - Ber.start(attribute);
    int content = typeElement + Ber.elementLength(valuesContent);
    ByteBuf out = Unpooled.buffer(Ber.elementLength(content));
    Ber.writeHeader(out, Ber.SEQUENCE, content);
    out.writeBytes(buf, Ber.start(attribute), typeElement);
    Ber.writeHeader(out, Ber.SET, valuesContent);
    for (long[] v : keptValues) {
      out.writeBytes(buf, (int) v[0], (int) (v[1] - v[0]));
    }
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    return bytes;
  }

  /** Case-insensitive comparison of an attribute type with a lower-case ASCII name. */
  private static boolean typeIs(ByteBuf buf, long type, byte[] lowerCaseName) {
    if (Ber.length(type) != lowerCaseName.length) {
      return false;
    }
    int start = Ber.start(type);
    for (int i = 0; i < lowerCaseName.length; i++) {
      byte b = buf.getByte(start + i);
      if (b >= 'A' && b <= 'Z') {
        b = (byte) (b + ('a' - 'A'));
      }
      if (b != lowerCaseName[i]) {
        return false;
      }
    }
    return true;
  }
}
