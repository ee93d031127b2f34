package org.ldapbalancer.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A BER element as a tree, for tests: parsed from bytes by the constructed bit alone (no LDAP
 * knowledge), changed in place, and encoded again with shortest lengths. Lets a test mutate a
 * request's structure (drop, repeat, swap, retag, wrap an element) while every length stays right,
 * so that what is tested is the grammar, not the framing.
 *
 * <p>Not thread-safe; mutable on purpose.
 */
final class BerTree {
  int tag;

  /** The elements inside, when constructed; null when primitive. */
  List<BerTree> children;

  /** The content octets, when primitive; null when constructed. */
  byte[] content;

  private BerTree(int tag, List<BerTree> children, byte[] content) {
    this.tag = tag;
    this.children = children;
    this.content = content;
  }

  static BerTree primitive(int tag, byte[] content) {
    return new BerTree(tag, null, content);
  }

  static BerTree constructed(int tag, List<BerTree> children) {
    return new BerTree(tag, new ArrayList<>(children), null);
  }

  boolean isConstructed() {
    return children != null;
  }

  BerTree copy() {
    if (children == null) {
      return primitive(tag, content.clone());
    }
    List<BerTree> copies = new ArrayList<>();
    for (BerTree child : children) {
      copies.add(child.copy());
    }
    return constructed(tag, copies);
  }

  /**
   * Parses exactly one element filling {@code bytes}: single-octet tags, definite lengths of 1 to 4
   * octets (not necessarily the shortest), constructed content exactly filled by elements.
   *
   * @throws IllegalArgumentException if the bytes are not that
   */
  static BerTree parse(byte[] bytes) {
    int[] pos = {0};
    BerTree tree = parse(bytes, pos, bytes.length);
    if (pos[0] != bytes.length) {
      throw new IllegalArgumentException("bytes after the element");
    }
    return tree;
  }

  private static BerTree parse(byte[] b, int[] pos, int limit) {
    int p = pos[0];
    if (p >= limit) {
      throw new IllegalArgumentException("missing element at " + p);
    }
    int tag = b[p++] & 0xff;
    if ((tag & 0x1f) == 0x1f) {
      throw new IllegalArgumentException("multi-octet tag at " + (p - 1));
    }
    if (p >= limit) {
      throw new IllegalArgumentException("missing length at " + p);
    }
    int first = b[p++] & 0xff;
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int count = first & 0x7f;
      if (count == 0 || count > 4 || count > limit - p) {
        throw new IllegalArgumentException("bad length at " + (p - 1));
      }
      length = 0;
      for (int i = 0; i < count; i++) {
        length = (length << 8) | (b[p++] & 0xff);
      }
    }
    if (length > limit - p) {
      throw new IllegalArgumentException("element at " + pos[0] + " overruns its container");
    }
    int end = p + (int) length;
    pos[0] = end;
    if ((tag & 0x20) == 0) {
      return primitive(tag, Arrays.copyOfRange(b, p, end));
    }
    List<BerTree> children = new ArrayList<>();
    int[] inner = {p};
    while (inner[0] < end) {
      children.add(parse(b, inner, end));
    }
    return constructed(tag, children);
  }

  byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    encodeTo(out);
    return out.toByteArray();
  }

  private void encodeTo(ByteArrayOutputStream out) {
    byte[] value;
    if (children == null) {
      value = content;
    } else {
      ByteArrayOutputStream inner = new ByteArrayOutputStream();
      for (BerTree child : children) {
        child.encodeTo(inner);
      }
      value = inner.toByteArray();
    }
    out.write(tag);
    writeLength(out, value.length);
    out.writeBytes(value);
  }

  static void writeLength(ByteArrayOutputStream out, int n) {
    if (n < 0x80) {
      out.write(n);
    } else if (n <= 0xff) {
      out.write(0x81);
      out.write(n);
    } else if (n <= 0xffff) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
  }

  /** Every element below this one, depth first, each with its parent and index there. */
  List<Place> places() {
    List<Place> places = new ArrayList<>();
    collect(places);
    return places;
  }

  private void collect(List<Place> places) {
    if (children == null) {
      return;
    }
    for (int i = 0; i < children.size(); i++) {
      places.add(new Place(this, i));
      children.get(i).collect(places);
    }
  }

  /** Where an element sits: the {@code index}-th child of {@code parent}. */
  record Place(BerTree parent, int index) {
    BerTree node() {
      return parent.children.get(index);
    }
  }
}
