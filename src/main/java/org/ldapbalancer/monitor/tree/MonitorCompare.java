package org.ldapbalancer.monitor.tree;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.ldapbalancer.protocol.Ber;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;

/**
 * A CompareRequest (RFC 4511 §4.10) of a cn=Monitor entry, as lloadd's own tests use to wait for
 * a counter ({@code ldapcompare ... olmOutgoingConnections:4}). Values compare as in filters:
 * numbers as numbers, names without regard to case. Immutable.
 */
public final class MonitorCompare {
  /** RFC 4511 §4.1.9 result codes of a compare. */
  static final int COMPARE_FALSE = 5;

  static final int COMPARE_TRUE = 6;
  static final int NO_SUCH_ATTRIBUTE = 16;
  static final int NO_SUCH_OBJECT = 32;

  private final String dn;
  private final String attribute;
  private final String value;

  private MonitorCompare(String dn, String attribute, String value) {
    this.dn = dn;
    this.attribute = attribute;
    this.value = value;
  }

  public static MonitorCompare read(LdapMessage request) throws MalformedPduException {
    ByteBuf buf = request.frame();
    int end = request.opEnd();
    long entry = Ber.readElement(buf, request.opContentStart(), end, Ber.OCTET_STRING);
    long ava = Ber.readElement(buf, Ber.end(entry), end, Ber.SEQUENCE);
    long type = Ber.readElement(buf, Ber.start(ava), Ber.end(ava), Ber.OCTET_STRING);
    long value = Ber.readElement(buf, Ber.end(type), Ber.end(ava), Ber.OCTET_STRING);
    return new MonitorCompare(
        MonitorDn.normalize(text(buf, entry)), text(buf, type), text(buf, value));
  }

  private static String text(ByteBuf buf, long element) {
    return buf.toString(Ber.start(element), Ber.length(element), StandardCharsets.UTF_8);
  }

  /** The result code: compareTrue, compareFalse, noSuchAttribute or noSuchObject. */
  int resultIn(List<MonitorEntry> tree) {
    for (MonitorEntry e : tree) {
      if (e.normalizedDn().equals(dn)) {
        List<String> values = e.values(attribute);
        if (values.isEmpty()) {
          return NO_SUCH_ATTRIBUTE;
        }
        for (String v : values) {
          if (MonitorFilter.Compare.compare(v, value) == 0) {
            return COMPARE_TRUE;
          }
        }
        return COMPARE_FALSE;
      }
    }
    return NO_SUCH_OBJECT;
  }
}
