package org.ldapbalancer.monitor.tree;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.ldapbalancer.protocol.Ber;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;

/**
 * A SearchRequest (RFC 4511 §4.5.1) aimed at the cn=Monitor tree, decoded: base, scope, size
 * limit, filter and the attributes asked for. Immutable.
 */
public final class MonitorSearch {
  static final int BASE_OBJECT = 0;
  static final int SINGLE_LEVEL = 1;
  static final int WHOLE_SUBTREE = 2;

  /** The end of every DN in the tree; spaces may stand between "cn", "=" and it. */
  private static final byte[] SUFFIX = "monitor".getBytes(StandardCharsets.US_ASCII);

  private final String base;
  private final int scope;
  private final int sizeLimit;
  private final boolean typesOnly;
  private final MonitorFilter filter;
  private final AttributeSelection attributes;

  private MonitorSearch(
      String base,
      int scope,
      int sizeLimit,
      boolean typesOnly,
      MonitorFilter filter,
      AttributeSelection attributes) {
    this.base = base;
    this.scope = scope;
    this.sizeLimit = sizeLimit;
    this.typesOnly = typesOnly;
    this.filter = filter;
    this.attributes = attributes;
  }

  /**
   * Whether a search's base DN is cn=Monitor or under it. Any other search costs a look at the
   * base's length and its last seven bytes: the check runs for every search a client sends.
   */
  public static boolean targetsMonitor(LdapMessage request) throws MalformedPduException {
    if (request.opTag() != ProtocolOp.SEARCH_REQUEST) {
      return false;
    }
    ByteBuf buf = request.frame();
    long base = Ber.readElement(buf, request.opContentStart(), request.opEnd(), Ber.OCTET_STRING);
    int start = Ber.start(base);
    int length = Ber.length(base);
    return endsInMonitor(buf, start, length)
        && MonitorDn.isInTree(
            MonitorDn.normalize(buf.toString(start, length, StandardCharsets.UTF_8)));
  }

  /** Whether the DN at {@code start} ends in "monitor" (any case, trailing spaces allowed). */
  static boolean endsInMonitor(ByteBuf buf, int start, int length) {
    int i = start + length;
    while (i > start && buf.getByte(i - 1) == ' ') {
      i--; // trailing spaces, as a DN's normal form drops them
    }
    if (i - start < SUFFIX.length) {
      return false;
    }
    for (int k = 0; k < SUFFIX.length; k++) {
      int b = buf.getByte(i - SUFFIX.length + k) | 0x20; // ASCII lower case
      if (b != SUFFIX[k]) {
        return false;
      }
    }
    return true;
  }

  /** Decodes a search request whose base {@link #targetsMonitor} accepted. */
  public static MonitorSearch read(LdapMessage request) throws MalformedPduException {
    ByteBuf buf = request.frame();
    int end = request.opEnd();
    long base = Ber.readElement(buf, request.opContentStart(), end, Ber.OCTET_STRING);
    long scope = Ber.readElement(buf, Ber.end(base), end, Ber.ENUMERATED);
    long deref = Ber.readElement(buf, Ber.end(scope), end, Ber.ENUMERATED);
    long size = Ber.readElement(buf, Ber.end(deref), end, Ber.INTEGER);
    long time = Ber.readElement(buf, Ber.end(size), end, Ber.INTEGER);
    long types = Ber.readElement(buf, Ber.end(time), end, Ber.BOOLEAN);
    int filterAt = Ber.end(types);
    MonitorFilter filter = MonitorFilter.read(buf, filterAt, end);
    int attrsAt = Ber.end(Ber.readAnyElement(buf, filterAt, end));
    long attrs = Ber.readElement(buf, attrsAt, end, Ber.SEQUENCE);
    List<String> names = new ArrayList<>();
    for (int a = Ber.start(attrs); a < Ber.end(attrs); ) {
      long name = Ber.readElement(buf, a, Ber.end(attrs), Ber.OCTET_STRING);
      names.add(buf.toString(Ber.start(name), Ber.length(name), StandardCharsets.UTF_8));
      a = Ber.end(name);
    }
    int scopeValue = Ber.readIntContent(buf, Ber.start(scope), Ber.length(scope));
    if (scopeValue < BASE_OBJECT || scopeValue > 3) {
      throw new MalformedPduException("search scope " + scopeValue);
    }
    return new MonitorSearch(
        MonitorDn.normalize(buf.toString(Ber.start(base), Ber.length(base), StandardCharsets.UTF_8)),
        scopeValue,
        Ber.readIntContent(buf, Ber.start(size), Ber.length(size)),
        Ber.length(types) == 1 && buf.getByte(Ber.start(types)) != 0,
        filter,
        new AttributeSelection(names));
  }

  /**
   * The entries the search returns, in tree order, with only the attributes asked for; null when
   * the base entry does not exist (noSuchObject).
   */
  public List<MonitorEntry> select(List<MonitorEntry> tree) {
    boolean baseFound = false;
    List<MonitorEntry> out = new ArrayList<>();
    for (MonitorEntry e : tree) {
      String dn = e.normalizedDn();
      if (dn.equals(base)) {
        baseFound = true;
      }
      boolean inScope =
          switch (scope) {
            case BASE_OBJECT -> dn.equals(base);
            case SINGLE_LEVEL -> MonitorDn.isChild(dn, base);
            case WHOLE_SUBTREE -> MonitorDn.isAtOrBelow(dn, base);
            default -> MonitorDn.isAtOrBelow(dn, base) && !dn.equals(base); // subordinates
          };
      if (inScope && filter.matches(e)) {
        out.add(e);
      }
    }
    return baseFound ? out : null;
  }

  /** The client's size limit, 0 for none. */
  public int sizeLimit() {
    return sizeLimit;
  }

  public boolean typesOnly() {
    return typesOnly;
  }

  public AttributeSelection attributes() {
    return attributes;
  }
}
