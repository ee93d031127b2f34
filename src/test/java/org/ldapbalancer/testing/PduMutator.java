package org.ldapbalancer.testing;

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
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.UnbindRequestProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutated LDAP requests for fault tests: valid requests of every type, each changed at random,
 * reproducibly from a seed. Half the mutations work on raw bytes (bit flips, odd bytes, cuts,
 * insertions); half on the BER element tree with the enclosing lengths fixed up afterwards, so
 * that the outer frame stays well formed and only what is inside is wrong. Those are the
 * requests a balancer that checks only the frame would forward to a shared upstream connection.
 *
 * <p>{@code bench/faults.d/mutate.py} does the same from the command line.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class PduMutator {
  private static final byte[] ODD_BYTES = {
    0x00, 0x01, 0x02, 0x04, 0x0a, 0x30, 0x31, 0x7f, (byte) 0x80, (byte) 0x81, (byte) 0x84,
    (byte) 0x85, (byte) 0xa0, (byte) 0xa3, (byte) 0xff
  };
  private static final byte[][] ODD_INTEGERS = {
    {}, {0}, {(byte) 0xff}, {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
    {(byte) 0x80, 0, 0, 0}, {1, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 1}
  };
  private static final byte[][] ODD_LENGTHS = {
    {0}, {(byte) 0x80}, {(byte) 0x81, 5}, {(byte) 0x84, (byte) 0xff, (byte) 0xff, (byte) 0xff,
      (byte) 0xff}, {(byte) 0x85, 0, 0, 0, 0, 1}
  };

  private final SplittableRandom random;
  private final List<byte[]> templates = templates();

  public PduMutator(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The next mutated request. */
  public byte[] next() {
    byte[] template = templates.get(random.nextInt(templates.size()));
    return random.nextBoolean() ? mutateTree(template) : mutateBytes(template);
  }

  private static List<byte[]> templates() {
    String dn = DirectoryData.userDn(7);
    List<LDAPMessage> messages = List.of(
        new LDAPMessage(1, new BindRequestProtocolOp(dn, DirectoryData.USER_PASSWORD)),
        new LDAPMessage(1, new BindRequestProtocolOp("", "")),
        new LDAPMessage(1, new SearchRequestProtocolOp(dn, SearchScope.BASE,
            DereferencePolicy.NEVER, 0, 0, false, Filter.createPresenceFilter("objectClass"),
            List.of("cn", "mail"))),
        new LDAPMessage(1, new SearchRequestProtocolOp(DirectoryData.PEOPLE_DN, SearchScope.SUB,
            DereferencePolicy.NEVER, 5, 0, false,
            Filter.createANDFilter(Filter.createEqualityFilter("uid", "user.7"),
                Filter.createNOTFilter(Filter.createPresenceFilter("telephoneNumber")),
                Filter.createSubstringFilter("cn", "User", new String[] {"7"}, null)),
            List.of("1.1"))),
        new LDAPMessage(1, new SearchRequestProtocolOp(DirectoryData.PEOPLE_DN, SearchScope.ONE,
            DereferencePolicy.NEVER, 0, 0, false, Filter.createPresenceFilter("objectClass"),
            List.of("cn")), List.of(new SimplePagedResultsControl(5))),
        new LDAPMessage(1, new CompareRequestProtocolOp(dn, "cn",
            new ASN1OctetString("User 7"))),
        new LDAPMessage(1, new ModifyRequestProtocolOp(dn, List.of(
            new Modification(ModificationType.REPLACE, "description", "mutated")))),
        new LDAPMessage(1, new AddRequestProtocolOp("uid=mutant," + DirectoryData.PEOPLE_DN,
            List.of(new Attribute("objectClass", "inetOrgPerson"), new Attribute("cn", "m"),
                new Attribute("sn", "m")))),
        new LDAPMessage(1, new DeleteRequestProtocolOp("uid=mutant," + DirectoryData.PEOPLE_DN)),
        new LDAPMessage(1, new ModifyDNRequestProtocolOp(dn, "uid=user.7x", true,
            DirectoryData.PEOPLE_DN)),
        new LDAPMessage(1, new ExtendedRequestProtocolOp("1.3.6.1.4.1.4203.1.11.3", null)),
        new LDAPMessage(1, new ExtendedRequestProtocolOp("1.2.3.4.5",
            new ASN1OctetString(new byte[] {0x30, 0}))),
        new LDAPMessage(2, new AbandonRequestProtocolOp(1)),
        new LDAPMessage(1, new UnbindRequestProtocolOp()),
        new LDAPMessage(1, new SearchRequestProtocolOp(dn, SearchScope.BASE,
            DereferencePolicy.NEVER, 0, 0, false, Filter.createPresenceFilter("objectClass"),
            List.of()), List.of(new Control("2.16.840.1.113730.3.4.2", true))));
    List<byte[]> out = new ArrayList<>();
    for (LDAPMessage m : messages) {
      out.add(m.encode().encode());
    }
    return out;
  }

  // ------------------------------------------------------------------------------- raw bytes

  private byte[] mutateBytes(byte[] template) {
    List<Byte> b = new ArrayList<>(template.length + 16);
    for (byte x : template) {
      b.add(x);
    }
    int rounds = 1 + random.nextInt(4);
    for (int r = 0; r < rounds; r++) {
      if (b.isEmpty()) {
        b.add((byte) random.nextInt(256));
      }
      int pos = random.nextInt(b.size());
      switch (random.nextInt(6)) {
        case 0 -> b.set(pos, (byte) (b.get(pos) ^ (1 << random.nextInt(8))));
        case 1 -> b.set(pos, ODD_BYTES[random.nextInt(ODD_BYTES.length)]);
        case 2 -> b.subList(Math.max(1, pos), b.size()).clear(); // the rest never comes
        case 3 -> {
          for (int i = 1 + random.nextInt(8); i > 0; i--) {
            b.add(pos, (byte) random.nextInt(256));
          }
        }
        case 4 -> b.subList(pos, Math.min(b.size(), pos + 1 + random.nextInt(8))).clear();
        default -> {
          for (int i = 1 + random.nextInt(16); i > 0; i--) {
            b.add((byte) random.nextInt(256));
          }
        }
      }
    }
    byte[] out = new byte[b.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(i);
    }
    return out;
  }

  // -------------------------------------------------------------------------------- the tree

  /** One BER element: a tag, and either children (constructed) or a value. */
  private static final class Node {
    int tag;
    List<Node> children;
    byte[] value = new byte[0];
    /** A length written as it is, wrong, with the enclosing lengths fixed up around it. */
    byte[] rawLength;

    void encode(ByteArrayOutputStream out) {
      byte[] content;
      if (children != null) {
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        children.forEach(n -> n.encode(c));
        content = c.toByteArray();
      } else {
        content = value;
      }
      out.write(tag);
      out.writeBytes(rawLength != null ? rawLength : length(content.length));
      out.writeBytes(content);
    }
  }

  private static byte[] length(int n) {
    if (n < 0x80) {
      return new byte[] {(byte) n};
    }
    int size = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
    byte[] b = new byte[size + 1];
    b[0] = (byte) (0x80 | size);
    for (int i = 0; i < size; i++) {
      b[size - i] = (byte) (n >>> (8 * i));
    }
    return b;
  }

  /** Parses a valid PDU; a constructed element whose content does not parse stays a value. */
  private static Node parse(byte[] data, int[] pos) {
    Node n = new Node();
    n.tag = data[pos[0]] & 0xff;
    int first = data[pos[0] + 1] & 0xff;
    int start = pos[0] + 2;
    int len = first;
    if (first >= 0x80) {
      len = 0;
      for (int i = 0; i < (first & 0x7f); i++) {
        len = (len << 8) | (data[start + i] & 0xff);
      }
      start += first & 0x7f;
    }
    int stop = start + len;
    if ((n.tag & 0x20) != 0) {
      List<Node> kids = new ArrayList<>();
      int[] p = {start};
      while (p[0] < stop) {
        kids.add(parse(data, p));
      }
      n.children = kids;
    } else {
      n.value = Arrays.copyOfRange(data, start, stop);
    }
    pos[0] = stop;
    return n;
  }

  private static void collect(Node n, List<Node> out) {
    out.add(n);
    if (n.children != null) {
      n.children.forEach(c -> collect(c, out));
    }
  }

  private byte[] mutateTree(byte[] template) {
    Node root = parse(template, new int[] {0});
    List<Node> all = new ArrayList<>();
    collect(root, all);
    Node target = all.get(1 + random.nextInt(all.size() - 1));
    switch (random.nextInt(9)) {
      case 0 -> { // a value replaced
        target.children = null;
        target.value = randomBytes(new int[] {0, 1, 2, 5, 40}[random.nextInt(5)]);
      }
      case 1 -> target.tag = random.nextBoolean()
          ? ODD_BYTES[random.nextInt(ODD_BYTES.length)] & 0xff : random.nextInt(256);
      case 2 -> {
        if (target.children != null && !target.children.isEmpty()) {
          target.children.remove(random.nextInt(target.children.size()));
        } else {
          target.value = new byte[0];
        }
      }
      case 3 -> {
        if (target.children != null && !target.children.isEmpty()) {
          int i = random.nextInt(target.children.size());
          target.children.add(i, target.children.get(i));
        } else {
          target.tag ^= 0x20; // primitive taken for constructed, or the other way round
        }
      }
      case 4 -> { // an integer out of range: message ID, version, scope, limits
        List<Node> ints = all.stream()
            .filter(n -> n.children == null && (n.tag == 0x02 || n.tag == 0x0a || n.tag == 0x50))
            .toList();
        Node t = ints.isEmpty() ? target : ints.get(random.nextInt(ints.size()));
        t.children = null;
        t.value = ODD_INTEGERS[random.nextInt(ODD_INTEGERS.length)];
      }
      case 5 -> target.rawLength = ODD_LENGTHS[random.nextInt(ODD_LENGTHS.length)];
      case 6 -> { // wrapped in another SEQUENCE
        Node inner = new Node();
        inner.tag = target.tag;
        inner.children = target.children;
        inner.value = target.value;
        target.tag = 0x30;
        target.children = new ArrayList<>(List.of(inner));
      }
      case 7 -> { // an element added where none belongs
        Node extra = new Node();
        extra.tag = random.nextInt(256) & ~0x20;
        extra.value = randomBytes(random.nextInt(6));
        if (target.children != null) {
          target.children.add(random.nextInt(target.children.size() + 1), extra);
        } else {
          root.children.add(extra);
        }
      }
      default -> { // a string that is not UTF-8, or NULs
        List<Node> strings = all.stream()
            .filter(n -> n.children == null && (n.tag == 0x04 || n.tag == 0x80 || n.tag == 0x87))
            .toList();
        Node t = strings.isEmpty() ? target : strings.get(random.nextInt(strings.size()));
        t.children = null;
        t.value = random.nextBoolean()
            ? new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0x80} : new byte[3];
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    root.encode(out);
    return out.toByteArray();
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }
}
