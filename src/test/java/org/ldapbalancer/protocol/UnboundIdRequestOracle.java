package org.ldapbalancer.protocol;

import com.unboundid.asn1.ASN1StreamReader;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.Filter;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * UnboundID's request decoder as the judge of what is a valid request, made as strict as its own
 * encoder: a PDU is accepted when {@link LDAPMessage#readFrom(ASN1StreamReader, boolean)} reads it
 * as a request, to its last byte, and UnboundID's encoding of what it read is the same tree of
 * elements.
 *
 * <p>The second half is needed because the stream decoder reads each field by position and never
 * looks at the tags of universal elements (an OCTET STRING may come as an INTEGER, a SEQUENCE as
 * anything), nor at whether a protocolOp's last field ends where the protocolOp does. RFC 4511 and
 * slapd do. Re-encoding shows what it ignored: the tags come back as the grammar has them and the
 * bytes it skipped are gone.
 *
 * <p>"The same tree" allows for what BER lets an encoder choose and UnboundID canonicalises:
 * long-form or non-minimal lengths, an INTEGER with leading zero or 0xff octets, TRUE as any
 * non-zero octet, an explicit criticality or dnAttributes FALSE (DEFAULT FALSE, left out when
 * re-encoded), an empty controls element, and strings that are not UTF-8 (UnboundID reads
 * LDAPString as text and replaces what does not decode; the validator leaves UTF-8 to the server,
 * which answers it).
 */
final class UnboundIdRequestOracle {
  private static final List<Integer> REQUEST_TAGS =
      List.of(0x60, 0x42, 0x63, 0x66, 0x68, 0x4a, 0x6c, 0x6e, 0x50, 0x77);

  private UnboundIdRequestOracle() {}

  /** UnboundID's judgement, and what it read when it accepted. */
  record Verdict(boolean accepted, String why, LDAPMessage message) {
    static Verdict rejected(String why) {
      return new Verdict(false, why, null);
    }
  }

  static Verdict judge(byte[] pdu) {
    EndOfPduThrows in = new EndOfPduThrows(pdu);
    LDAPMessage message;
    try {
      message = LDAPMessage.readFrom(new ASN1StreamReader(in), true);
    } catch (Exception e) {
      return Verdict.rejected("UnboundID: " + e.getMessage());
    }
    if (message == null) {
      return Verdict.rejected("UnboundID read nothing");
    }
    if (in.available() > 0) {
      return Verdict.rejected("UnboundID stopped " + in.available() + " bytes before the end");
    }
    if (!REQUEST_TAGS.contains(message.getProtocolOpType() & 0xff)) {
      return Verdict.rejected("not a request: " + message.getProtocolOp().getClass());
    }
    byte[] again;
    try {
      again = withGrammarTags(message).encode().encode();
    } catch (RuntimeException e) {
      return Verdict.rejected("UnboundID cannot encode what it read: " + e);
    }
    BerTree original;
    try {
      original = BerTree.parse(pdu);
    } catch (IllegalArgumentException e) {
      return Verdict.rejected("UnboundID read a PDU that is not BER: " + e.getMessage());
    }
    if (!sameMeaning(original, BerTree.parse(again))) {
      return Verdict.rejected("UnboundID read it only by ignoring part of it");
    }
    return new Verdict(true, null, message);
  }

  /**
   * {@code message}, with its filter made again from its parts. Inside a not, UnboundID decodes the
   * filter from elements and keeps an assertion value's tag as it came, so encoding it would repeat
   * a wrong tag instead of showing it; everywhere else it encodes the grammar's.
   */
  private static LDAPMessage withGrammarTags(LDAPMessage message) {
    if (!(message.getProtocolOp() instanceof SearchRequestProtocolOp s)) {
      return message;
    }
    SearchRequestProtocolOp op =
        new SearchRequestProtocolOp(
            s.getBaseDN(),
            s.getScope(),
            s.getDerefPolicy(),
            s.getSizeLimit(),
            s.getTimeLimit(),
            s.typesOnly(),
            withGrammarTags(s.getFilter()),
            s.getAttributes());
    return new LDAPMessage(message.getMessageID(), op, message.getControls());
  }

  private static Filter withGrammarTags(Filter f) {
    return switch (f.getFilterType()) {
      case Filter.FILTER_TYPE_AND ->
          Filter.createANDFilter(
              Arrays.stream(f.getComponents())
                  .map(UnboundIdRequestOracle::withGrammarTags)
                  .toList());
      case Filter.FILTER_TYPE_OR ->
          Filter.createORFilter(
              Arrays.stream(f.getComponents())
                  .map(UnboundIdRequestOracle::withGrammarTags)
                  .toList());
      case Filter.FILTER_TYPE_NOT -> Filter.createNOTFilter(withGrammarTags(f.getNOTComponent()));
      case Filter.FILTER_TYPE_EQUALITY ->
          Filter.createEqualityFilter(f.getAttributeName(), f.getAssertionValueBytes());
      case Filter.FILTER_TYPE_GREATER_OR_EQUAL ->
          Filter.createGreaterOrEqualFilter(f.getAttributeName(), f.getAssertionValueBytes());
      case Filter.FILTER_TYPE_LESS_OR_EQUAL ->
          Filter.createLessOrEqualFilter(f.getAttributeName(), f.getAssertionValueBytes());
      case Filter.FILTER_TYPE_APPROXIMATE_MATCH ->
          Filter.createApproximateMatchFilter(f.getAttributeName(), f.getAssertionValueBytes());
      default -> f;
    };
  }

  /**
   * The PDU as a stream whose end is an error, not the end of input. UnboundID's stream decoder
   * takes end of input between elements for "no more", so a SET OF whose length runs past the end
   * of the PDU (an AddRequest's vals, say) makes it loop for ever, adding nulls.
   */
  private static final class EndOfPduThrows extends InputStream {
    private final byte[] bytes;
    private int pos;
    private int mark;

    EndOfPduThrows(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read() throws IOException {
      if (pos >= bytes.length) {
        throw new EOFException("end of the PDU");
      }
      return bytes[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n = Math.min(len, bytes.length - pos);
      if (n <= 0) {
        throw new EOFException("end of the PDU");
      }
      System.arraycopy(bytes, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      if (n > bytes.length - pos) {
        throw new EOFException("end of the PDU");
      }
      pos += (int) Math.max(0, n);
      return Math.max(0, n);
    }

    @Override
    public int available() {
      return bytes.length - pos;
    }

    @Override
    public boolean markSupported() {
      return true;
    }

    @Override
    public synchronized void mark(int readLimit) {
      mark = pos;
    }

    @Override
    public synchronized void reset() {
      pos = mark;
    }
  }

  /** Whether {@code input} says what {@code canonical} (UnboundID's encoding) says. */
  private static boolean sameMeaning(BerTree input, BerTree canonical) {
    if (input.tag != canonical.tag || input.isConstructed() != canonical.isConstructed()) {
      return false;
    }
    if (!input.isConstructed()) {
      return sameContent(input.tag, input.content, canonical.content);
    }
    int j = 0;
    List<BerTree> in = input.children;
    List<BerTree> out = canonical.children;
    for (int i = 0; i < in.size(); i++) {
      if (j < out.size() && sameMeaning(in.get(i), out.get(j))) {
        j++;
      } else if (!isOmitted(input, i, j < out.size() ? out.get(j) : null)) {
        return false;
      }
    }
    return j == out.size();
  }

  /**
   * What UnboundID leaves out when it encodes: Control.criticality (second in a SEQUENCE) or
   * dnAttributes (last in [9]) given as FALSE, their DEFAULT; an empty controls element (third and
   * last in the LDAPMessage). Only when the encoding has no such element there: two criticalities
   * are not one left out.
   */
  private static boolean isOmitted(BerTree parent, int index, BerTree nextInEncoding) {
    BerTree node = parent.children.get(index);
    if (nextInEncoding != null && nextInEncoding.tag == node.tag) {
      return false;
    }
    boolean last = index == parent.children.size() - 1;
    if (node.isConstructed()) {
      return node.tag == 0xa0
          && node.children.isEmpty()
          && parent.tag == 0x30
          && index == 2
          && last;
    }
    boolean isFalse = node.content.length == 1 && node.content[0] == 0;
    return isFalse
        && ((node.tag == 0x01 && parent.tag == 0x30 && index == 1)
            || (node.tag == 0x84 && parent.tag == 0xa9 && last));
  }

  private static boolean sameContent(int tag, byte[] input, byte[] canonical) {
    if (Arrays.equals(input, canonical)) {
      return true;
    }
    switch (tag) {
      case 0x01, 0x84 -> { // BOOLEAN: any non-zero octet is TRUE
        return input.length == 1 && canonical.length == 1 && (input[0] != 0) == (canonical[0] != 0);
      }
      case 0x02, 0x0a, 0x50 -> { // INTEGER, ENUMERATED, AbandonRequest
        return input.length >= 1 && input.length <= 4 && intValue(input) == intValue(canonical);
      }
      default -> {
        return Arrays.equals(
            new String(input, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), canonical);
      }
    }
  }

  private static int intValue(byte[] content) {
    int value = content[0];
    for (int i = 1; i < content.length; i++) {
      value = (value << 8) | (content[i] & 0xff);
    }
    return value;
  }
}
