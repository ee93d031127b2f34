package org.ldapbalancer.monitor.access;

import io.netty.buffer.ByteBuf;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.ldapbalancer.protocol.Ber;
import org.ldapbalancer.protocol.MalformedPduException;

/**
 * Renders a BER-encoded search filter (RFC 4511 §4.5.1.7) in the string form of RFC 4515, as slapd
 * writes it in its {@code SRCH ... filter="..."} lines. Attribute names and matching rules are
 * written as the client sent them (slapd would write the schema's spelling, which a balancer does
 * not know).
 *
 * <p>Values are escaped as RFC 4515 §3 requires ({@code * ( ) \ NUL} as {@code \2a \28 \29 \5c
 * \00}), and so are control characters and octets that are not UTF-8, so that a log line is one
 * line of text whatever the client sent.
 *
 * <p>Stateless and thread-safe.
 */
final class FilterText {
  private static final int AND = 0xa0;
  private static final int OR = 0xa1;
  private static final int NOT = 0xa2;
  private static final int EQUALITY = 0xa3;
  private static final int SUBSTRINGS = 0xa4;
  private static final int GREATER_OR_EQUAL = 0xa5;
  private static final int LESS_OR_EQUAL = 0xa6;
  private static final int PRESENT = 0x87;
  private static final int APPROX = 0xa8;
  private static final int EXTENSIBLE = 0xa9;

  private static final int SUB_INITIAL = 0x80;
  private static final int SUB_ANY = 0x81;
  private static final int SUB_FINAL = 0x82;

  private static final int MR_RULE = 0x81;
  private static final int MR_TYPE = 0x82;
  private static final int MR_VALUE = 0x83;
  private static final int MR_DN_ATTRIBUTES = 0x84;

  /**
   * Deeper nesting than any real filter; the request validator bounds it before this runs, this
   * only keeps the recursion safe on its own.
   */
  private static final int MAX_DEPTH = 100;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private FilterText() {}

  /**
   * Appends the filter element at {@code index} to {@code out}.
   *
   * @return the index just past the element
   * @throws MalformedPduException if the element is not a well-formed filter
   */
  static int append(StringBuilder out, ByteBuf buf, int index, int limit)
      throws MalformedPduException {
    return filter(out, buf, index, limit, 0);
  }

  private static int filter(StringBuilder out, ByteBuf buf, int index, int limit, int depth)
      throws MalformedPduException {
    if (depth > MAX_DEPTH) {
      throw new MalformedPduException("filter nested more than " + MAX_DEPTH + " deep");
    }
    long element = Ber.readAnyElement(buf, index, limit);
    int tag = buf.getUnsignedByte(index);
    int start = Ber.start(element);
    int end = Ber.end(element);
    out.append('(');
    switch (tag) {
      case AND, OR -> {
        out.append(tag == AND ? '&' : '|');
        for (int i = start; i < end; ) {
          i = filter(out, buf, i, end, depth + 1);
        }
      }
      case NOT -> {
        out.append('!');
        if (filter(out, buf, start, end, depth + 1) != end) {
          throw new MalformedPduException("more than one filter in a not");
        }
      }
      case EQUALITY -> assertion(out, buf, start, end, "=");
      case GREATER_OR_EQUAL -> assertion(out, buf, start, end, ">=");
      case LESS_OR_EQUAL -> assertion(out, buf, start, end, "<=");
      case APPROX -> assertion(out, buf, start, end, "~=");
      case PRESENT -> {
        text(out, buf, start, end - start);
        out.append("=*");
      }
      case SUBSTRINGS -> substrings(out, buf, start, end);
      case EXTENSIBLE -> extensible(out, buf, start, end);
      default ->
          throw new MalformedPduException("unknown filter type 0x" + Integer.toHexString(tag));
    }
    out.append(')');
    return end;
  }

  /** AttributeValueAssertion ::= SEQUENCE { attributeDesc, assertionValue }. */
  private static void assertion(StringBuilder out, ByteBuf buf, int start, int end, String op)
      throws MalformedPduException {
    long type = Ber.readElement(buf, start, end, Ber.OCTET_STRING);
    long value = Ber.readElement(buf, Ber.end(type), end, Ber.OCTET_STRING);
    text(out, buf, Ber.start(type), Ber.length(type));
    out.append(op);
    value(out, buf, Ber.start(value), Ber.length(value));
  }

  /** SubstringFilter ::= SEQUENCE { type, substrings SEQUENCE OF CHOICE {initial, any, final} }. */
  private static void substrings(StringBuilder out, ByteBuf buf, int start, int end)
      throws MalformedPduException {
    long type = Ber.readElement(buf, start, end, Ber.OCTET_STRING);
    long parts = Ber.readElement(buf, Ber.end(type), end, Ber.SEQUENCE);
    text(out, buf, Ber.start(type), Ber.length(type));
    out.append('=');
    boolean endsWithValue = false;
    for (int i = Ber.start(parts); i < Ber.end(parts); ) {
      long part = Ber.readAnyElement(buf, i, Ber.end(parts));
      int tag = buf.getUnsignedByte(i);
      if (tag != SUB_INITIAL && tag != SUB_ANY && tag != SUB_FINAL) {
        throw new MalformedPduException("unknown substring type 0x" + Integer.toHexString(tag));
      }
      if (tag != SUB_INITIAL) {
        out.append('*');
      }
      value(out, buf, Ber.start(part), Ber.length(part));
      endsWithValue = tag == SUB_FINAL;
      i = Ber.end(part);
    }
    if (!endsWithValue) {
      out.append('*');
    }
  }

  /**
   * MatchingRuleAssertion ::= SEQUENCE { matchingRule [1] OPTIONAL, type [2] OPTIONAL, matchValue
   * [3], dnAttributes [4] BOOLEAN DEFAULT FALSE }, written {@code type:dn:rule:=value}.
   */
  private static void extensible(StringBuilder out, ByteBuf buf, int start, int end)
      throws MalformedPduException {
    int ruleStart = -1;
    int ruleLength = 0;
    int typeStart = -1;
    int typeLength = 0;
    int valueStart = -1;
    int valueLength = 0;
    boolean dnAttributes = false;
    for (int i = start; i < end; ) {
      long e = Ber.readAnyElement(buf, i, end);
      switch (buf.getUnsignedByte(i)) {
        case MR_RULE -> {
          ruleStart = Ber.start(e);
          ruleLength = Ber.length(e);
        }
        case MR_TYPE -> {
          typeStart = Ber.start(e);
          typeLength = Ber.length(e);
        }
        case MR_VALUE -> {
          valueStart = Ber.start(e);
          valueLength = Ber.length(e);
        }
        case MR_DN_ATTRIBUTES ->
            dnAttributes = Ber.length(e) == 1 && buf.getByte(Ber.start(e)) != 0;
        default ->
            throw new MalformedPduException(
                "unknown matching rule assertion field 0x"
                    + Integer.toHexString(buf.getUnsignedByte(i)));
      }
      i = Ber.end(e);
    }
    if (valueStart < 0) {
      throw new MalformedPduException("matching rule assertion without a value");
    }
    if (typeStart >= 0) {
      text(out, buf, typeStart, typeLength);
    }
    if (dnAttributes) {
      out.append(":dn");
    }
    if (ruleStart >= 0) {
      out.append(':');
      text(out, buf, ruleStart, ruleLength);
    }
    out.append(":=");
    value(out, buf, valueStart, valueLength);
  }

  /** An attribute description or OID: escaped like a value, as the client may send anything. */
  private static void text(StringBuilder out, ByteBuf buf, int start, int length) {
    value(out, buf, start, length);
  }

  /** An assertion value, escaped as RFC 4515 §3 requires, UTF-8 kept where it is valid. */
  static void value(StringBuilder out, ByteBuf buf, int start, int length) {
    boolean ascii = true;
    for (int i = start; i < start + length; i++) {
      if (buf.getByte(i) < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      for (int i = start; i < start + length; i++) {
        escape(out, buf.getByte(i) & 0xff);
      }
      return;
    }
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer chars;
    try {
      chars = utf8.decode(buf.nioBuffer(start, length));
    } catch (CharacterCodingException e) {
      // Not UTF-8 (RFC 4511 allows any octets in a value): every non-ASCII octet as \xx.
      for (int i = start; i < start + length; i++) {
        int b = buf.getByte(i) & 0xff;
        if (b >= 0x80) {
          hex(out, b);
        } else {
          escape(out, b);
        }
      }
      return;
    }
    while (chars.hasRemaining()) {
      char c = chars.get();
      if (c < 0x80) {
        escape(out, c);
      } else {
        out.append(c);
      }
    }
  }

  private static void escape(StringBuilder out, int c) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c == 0x7f || c == '"') {
      hex(out, c);
    } else {
      out.append((char) c);
    }
  }

  private static void hex(StringBuilder out, int b) {
    out.append('\\').append(HEX[b >> 4]).append(HEX[b & 0xf]);
  }
}
