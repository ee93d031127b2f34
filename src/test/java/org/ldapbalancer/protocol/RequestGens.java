package org.ldapbalancer.protocol;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.AddRequestProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.CompareRequestProtocolOp;
import com.unboundid.ldap.protocol.DeleteRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyDNRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.UnbindRequestProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * QuickTheories generators of whole request PDUs, of every request type, made and encoded by
 * UnboundID's SDK; and of mutations of them that keep the outer envelope framable.
 */
final class RequestGens {
  /** A PDU and how it was made, for the report of a failing case. */
  record Case(String what, byte[] pdu) {
    @Override
    public String toString() {
      return what + ": " + ByteBufUtil.hexDump(pdu);
    }
  }

  /** Tags worth trying in place of another: every tag the request grammar uses, and some not. */
  private static final int[] TAGS = {
    0x01, 0x02, 0x04, 0x05, 0x0a, 0x19, 0x24, 0x30, 0x31, 0x42, 0x4a, 0x50, 0x60, 0x63, 0x65,
    0x66, 0x68, 0x6c, 0x6e, 0x77, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x87, 0xa0, 0xa1, 0xa2,
    0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xbf
  };

  private RequestGens() {}

  /** Valid requests of every type, with 0 to 3 controls. */
  static Gen<Case> requests() {
    return in -> {
      Draw d = new Draw(in);
      ProtocolOp op = d.op();
      List<Control> controls = new ArrayList<>();
      for (int i = d.between(0, 3) - 1; i > 0; i--) { // none half of the time
        controls.add(d.control());
      }
      int id = d.between(0, 3) == 0 ? d.between(1, Integer.MAX_VALUE) : d.between(1, 300);
      byte[] pdu = new LDAPMessage(id, op, controls).encode().encode();
      return new Case(
          op.getClass().getSimpleName() + " with " + controls.size() + " controls", pdu);
    };
  }

  /** A valid request, then changed once or twice: in its tree of elements, or in its bytes. */
  static Gen<Case> mutatedRequests() {
    Gen<Case> valid = requests();
    return in -> {
      Case original = valid.generate(in);
      Draw d = new Draw(in);
      BerTree root = BerTree.parse(original.pdu());
      StringBuilder what = new StringBuilder(original.what());
      int changes = d.between(1, 2);
      for (int i = 0; i < changes; i++) {
        if (d.between(0, 9) < 6) {
          what.append("; ").append(d.changeTree(root));
        }
      }
      byte[] content = contentOf(root.encode());
      if (d.between(0, 9) < 4 || what.indexOf(";") < 0) {
        what.append("; ").append(d.changeBytes(content));
        content = d.lastBytes;
      }
      return new Case(what.toString(), envelope(content));
    };
  }

  /** The content octets of the outer SEQUENCE. */
  private static byte[] contentOf(byte[] pdu) {
    int first = pdu[1] & 0xff;
    int header = first < 0x80 ? 2 : 2 + (first & 0x7f);
    return java.util.Arrays.copyOfRange(pdu, header, pdu.length);
  }

  /** A SEQUENCE of exactly {@code content}: the frame decoder can always cut it. */
  private static byte[] envelope(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    BerTree.writeLength(out, content.length);
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** Draws from QuickTheories' source, so that its shrinking works on every choice. */
  private static final class Draw {
    private final RandomnessSource in;
    private byte[] lastBytes;

    Draw(RandomnessSource in) {
      this.in = in;
    }

    int between(int min, int max) {
      return (int) in.next(Constraint.between(min, max));
    }

    boolean bool() {
      return between(0, 1) == 1;
    }

    /** Mostly short; sometimes around the lengths where BER's length form changes. */
    int length() {
      if (between(0, 9) < 8) {
        return between(0, 12);
      }
      int[] edges = {126, 127, 128, 129, 255, 256, 300};
      return edges[between(0, edges.length - 1)];
    }

    byte[] bytes() {
      byte[] b = new byte[length()];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) between(0, 255);
      }
      return b;
    }

    byte[] nonEmptyBytes() {
      byte[] b = bytes();
      return b.length > 0 ? b : new byte[] {(byte) between(0, 255)};
    }

    /** Text from every UTF-8 length (no surrogates: they are not characters). */
    String text() {
      int n = length();
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < n; i++) {
        int kind = between(0, 9);
        int cp =
            kind < 7
                ? between(0x20, 0x7e)
                : kind < 9 ? between(0xa0, 0x7ff) : between(0x10000, 0x10ffff);
        s.appendCodePoint(cp);
      }
      return s.toString();
    }

    String dn() {
      return between(0, 5) == 0 ? "" : "cn=" + text() + ",dc=example,dc=com";
    }

    String attribute() {
      String[] names = {"cn", "uid", "objectClass", "mail", "description;lang-en", "1.2.3.4"};
      return names[between(0, names.length - 1)];
    }

    String oid() {
      return "1.3.6.1.4.1.99999." + between(0, 100000);
    }

    ASN1OctetString optionalValue() {
      return bool() ? null : new ASN1OctetString(bytes());
    }

    /** A control with an OID the SDK has no decoder for, so it is read back as it is. */
    Control control() {
      return new Control(oid(), bool(), optionalValue());
    }

    ProtocolOp op() {
      switch (between(0, 12)) { // searches thrice as often: filters have the most grammar
        case 0:
          return new BindRequestProtocolOp(dn(), text());
        case 1:
          String[] mechanisms = {"PLAIN", "EXTERNAL", "SCRAM-SHA-256", "GSSAPI"};
          return new BindRequestProtocolOp(
              "", mechanisms[between(0, mechanisms.length - 1)], optionalValue());
        case 2:
          return new UnbindRequestProtocolOp();
        case 3, 11, 12:
          return search();
        case 4:
          List<Modification> mods = new ArrayList<>();
          for (int i = between(0, 3); i > 0; i--) {
            mods.add(
                new Modification(ModificationType.valueOf(between(0, 3)), attribute(), values(0)));
          }
          return new ModifyRequestProtocolOp(dn(), mods);
        case 5:
          List<Attribute> attributes = new ArrayList<>();
          for (int i = between(0, 3); i > 0; i--) {
            attributes.add(new Attribute(attribute(), values(1)));
          }
          return new AddRequestProtocolOp(dn(), attributes);
        case 6:
          return new DeleteRequestProtocolOp(dn());
        case 7:
          return new ModifyDNRequestProtocolOp(dn(), "cn=" + text(), bool(), bool() ? null : dn());
        case 8:
          return new CompareRequestProtocolOp(dn(), attribute(), new ASN1OctetString(bytes()));
        case 9:
          return new AbandonRequestProtocolOp(
              bool() ? between(0, 200) : between(0, Integer.MAX_VALUE));
        case 10:
          return new ExtendedRequestProtocolOp(oid(), optionalValue());
        default:
          throw new AssertionError();
      }
    }

    private byte[][] values(int min) {
      byte[][] values = new byte[between(min, 3)][];
      for (int i = 0; i < values.length; i++) {
        values[i] = bytes();
      }
      return values;
    }

    private SearchRequestProtocolOp search() {
      List<String> attributes = new ArrayList<>();
      for (int i = between(0, 3); i > 0; i--) {
        attributes.add(attribute());
      }
      int sizeLimit = bool() ? 0 : between(0, Integer.MAX_VALUE);
      int timeLimit = bool() ? 0 : between(0, 3600);
      return new SearchRequestProtocolOp(
          dn(),
          SearchScope.valueOf(between(0, 3)),
          DereferencePolicy.valueOf(between(0, 3)),
          sizeLimit,
          timeLimit,
          bool(),
          filter(between(0, 3)),
          attributes);
    }

    /** A filter of any choice, and/or/not nesting at most {@code depth} more levels. */
    Filter filter(int depth) {
      int choice = between(depth > 0 ? 0 : 3, 9);
      String type = attribute();
      switch (choice) {
        case 0, 1:
          List<Filter> parts = new ArrayList<>();
          for (int i = between(0, 3); i > 0; i--) {
            parts.add(filter(depth - 1));
          }
          return choice == 0 ? Filter.createANDFilter(parts) : Filter.createORFilter(parts);
        case 2:
          return Filter.createNOTFilter(filter(depth - 1));
        case 3:
          return Filter.createEqualityFilter(type, bytes());
        case 4: // the SDK makes no empty substring, though the grammar allows one
          byte[] initial = bool() ? nonEmptyBytes() : null;
          byte[][] any = new byte[between(0, 2)][];
          for (int i = 0; i < any.length; i++) {
            any[i] = nonEmptyBytes();
          }
          byte[] last = bool() || (initial == null && any.length == 0) ? nonEmptyBytes() : null;
          return Filter.createSubstringFilter(type, initial, any, last);
        case 5:
          return Filter.createGreaterOrEqualFilter(type, bytes());
        case 6:
          return Filter.createLessOrEqualFilter(type, bytes());
        case 7:
          return Filter.createPresenceFilter(type);
        case 8:
          return Filter.createApproximateMatchFilter(type, bytes());
        default:
          int which = between(0, 2); // type, rule, or both
          return Filter.createExtensibleMatchFilter(
              which == 1 ? null : type, which == 0 ? null : "caseIgnoreMatch", bool(), bytes());
      }
    }

    /** Changes one element of the tree, keeping every length right; says what it did. */
    String changeTree(BerTree root) {
      List<BerTree.Place> places = root.places();
      BerTree.Place place = places.get(between(0, places.size() - 1));
      BerTree node = place.node();
      List<BerTree> siblings = place.parent().children;
      int i = place.index();
      switch (between(0, 7)) {
        case 0:
          siblings.remove(i);
          return "dropped element " + i + " of " + hex(place.parent().tag);
        case 1:
          siblings.add(i, node.copy());
          return "repeated " + hex(node.tag);
        case 2:
          if (siblings.size() < 2) {
            siblings.remove(i);
            return "dropped the only element of " + hex(place.parent().tag);
          }
          int other = i + 1 < siblings.size() ? i + 1 : i - 1;
          siblings.set(i, siblings.get(other));
          siblings.set(other, node);
          return "swapped " + hex(node.tag) + " and " + hex(siblings.get(i).tag);
        case 3, 4:
          int tag = TAGS[between(0, TAGS.length - 1)];
          String was = hex(node.tag);
          node.tag = tag;
          return "retagged " + was + " as " + hex(tag);
        case 5:
          if (node.isConstructed()) {
            node.children.clear();
            return "emptied " + hex(node.tag);
          }
          byte[] content = new byte[between(0, 5)];
          for (int k = 0; k < content.length; k++) {
            content[k] = (byte) between(0, 255);
          }
          node.content = content;
          return "replaced the content of " + hex(node.tag) + " with " + hex(content);
        case 6:
          BerTree inserted =
              BerTree.primitive(TAGS[between(0, TAGS.length - 1)], new byte[between(0, 2)]);
          siblings.add(between(i, i + 1), inserted);
          return "inserted " + hex(inserted.tag) + " near " + hex(node.tag);
        default:
          int wrapper = TAGS[between(0, TAGS.length - 1)] | 0x20;
          siblings.set(i, BerTree.constructed(wrapper, List.of(node)));
          return "wrapped " + hex(node.tag) + " in " + hex(wrapper);
      }
    }

    /** Changes the bytes themselves; the result is left in {@link #lastBytes}. */
    String changeBytes(byte[] content) {
      if (content.length == 0) {
        lastBytes = new byte[] {(byte) between(0, 255)};
        return "a single byte";
      }
      int at = between(0, content.length - 1);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(content, 0, at);
      String what;
      switch (between(0, 3)) {
        case 0:
          int value = between(0, 255);
          out.write(value);
          out.write(content, at + 1, content.length - at - 1);
          what = "set byte " + at + " to " + hex(value);
          break;
        case 1:
          int extra = between(0, 255);
          out.write(extra);
          out.write(content, at, content.length - at);
          what = "inserted " + hex(extra) + " at " + at;
          break;
        case 2:
          out.write(content, at + 1, content.length - at - 1);
          what = "deleted byte " + at;
          break;
        default:
          return changeLength(content);
      }
      lastBytes = out.toByteArray();
      return what;
    }

    /** Rewrites the length of one element: off by a little, long-form, or not allowed. */
    private String changeLength(byte[] content) {
      List<Integer> starts = new ArrayList<>();
      elementStarts(content, 0, content.length, starts);
      if (starts.isEmpty()) {
        lastBytes = content;
        return "no element to change the length of";
      }
      int at = starts.get(between(0, starts.size() - 1));
      int first = content[at + 1] & 0xff;
      int lengthOctets = first < 0x80 ? 1 : 1 + (first & 0x7f);
      int length = 0;
      for (int k = 1; k < lengthOctets; k++) {
        length = (length << 8) | (content[at + 1 + k] & 0xff);
      }
      length = first < 0x80 ? first : length;
      ByteArrayOutputStream header = new ByteArrayOutputStream();
      String what;
      switch (between(0, 4)) {
        case 0, 1:
          int changed = Math.max(0, length + (bool() ? 1 : -1) * between(1, 2));
          BerTree.writeLength(header, changed);
          what = "length " + length + " -> " + changed;
          break;
        case 2:
          header.write(0x84);
          header.write(new byte[] {0, 0, (byte) (length >> 8), (byte) length}, 0, 4);
          what = "length " + length + " in 4 octets (valid)";
          break;
        case 3:
          header.write(0x80);
          what = "indefinite length";
          break;
        default:
          header.write(0x85);
          header.write(new byte[] {0, 0, 0, (byte) (length >> 8), (byte) length}, 0, 5);
          what = "length in 5 octets";
          break;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(content, 0, at + 1);
      out.writeBytes(header.toByteArray());
      int rest = at + 1 + lengthOctets;
      out.write(content, rest, content.length - rest);
      lastBytes = out.toByteArray();
      return what + " at " + at;
    }

    /**
     * Where each element starts, as far as the content is well-formed BER (a retagged element may
     * not be: the walk stops there).
     */
    private static void elementStarts(byte[] b, int from, int to, List<Integer> starts) {
      int p = from;
      while (p + 1 < to) {
        int tag = b[p] & 0xff;
        int first = b[p + 1] & 0xff;
        int header = 2;
        long length = first;
        if (first >= 0x80) {
          int count = first & 0x7f;
          if (count == 0 || count > 4 || p + 2 + count > to) {
            return;
          }
          header += count;
          length = 0;
          for (int k = 0; k < count; k++) {
            length = (length << 8) | (b[p + 2 + k] & 0xff);
          }
        }
        if (length > to - p - header) {
          return;
        }
        starts.add(p);
        if ((tag & 0x20) != 0) {
          elementStarts(b, p + header, p + header + (int) length, starts);
        }
        p += header + (int) length;
      }
    }

    private static String hex(int tag) {
      return String.format("0x%02x", tag);
    }

    private static String hex(byte[] bytes) {
      return ByteBufUtil.hexDump(bytes);
    }
  }
}
