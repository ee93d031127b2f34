package org.ldapbalancer.monitor.tree;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.ldapbalancer.protocol.Ber;
import org.ldapbalancer.protocol.ProtocolOp;

/** Encodes a monitor entry as a SearchResultEntry message (RFC 4511 §4.5.2). Stateless. */
public final class EntryEncoder {
  private EntryEncoder() {}

  public static ByteBuf encode(
      ByteBufAllocator alloc, int messageId, MonitorEntry entry, MonitorSearch search) {
    byte[] dn = entry.dn().getBytes(StandardCharsets.UTF_8);
    List<byte[][]> attributes = new ArrayList<>();
    int attributesLength = 0;
    for (MonitorEntry.Attribute a : entry.attributes()) {
      if (!search.attributes().includes(a.name())) {
        continue;
      }
      List<String> values = search.typesOnly() ? List.of() : a.values();
      byte[][] parts = new byte[values.size() + 1][];
      parts[0] = a.name().getBytes(StandardCharsets.UTF_8);
      int valuesLength = 0;
      for (int i = 0; i < values.size(); i++) {
        parts[i + 1] = values.get(i).getBytes(StandardCharsets.UTF_8);
        valuesLength += Ber.elementLength(parts[i + 1].length);
      }
      attributes.add(parts);
      attributesLength +=
          Ber.elementLength(Ber.elementLength(parts[0].length) + Ber.elementLength(valuesLength));
    }
    int opLength = Ber.elementLength(dn.length) + Ber.elementLength(attributesLength);
    int content = Ber.intElementLength(messageId) + Ber.elementLength(opLength);
    ByteBuf buf = alloc.buffer(Ber.elementLength(content));
    Ber.writeHeader(buf, Ber.SEQUENCE, content);
    Ber.writeInt(buf, Ber.INTEGER, messageId);
    Ber.writeHeader(buf, ProtocolOp.SEARCH_RESULT_ENTRY, opLength);
    Ber.writeOctets(buf, Ber.OCTET_STRING, dn);
    Ber.writeHeader(buf, Ber.SEQUENCE, attributesLength);
    for (byte[][] parts : attributes) {
      int valuesLength = 0;
      for (int i = 1; i < parts.length; i++) {
        valuesLength += Ber.elementLength(parts[i].length);
      }
      Ber.writeHeader(
          buf,
          Ber.SEQUENCE,
          Ber.elementLength(parts[0].length) + Ber.elementLength(valuesLength));
      Ber.writeOctets(buf, Ber.OCTET_STRING, parts[0]);
      Ber.writeHeader(buf, Ber.SET, valuesLength);
      for (int i = 1; i < parts.length; i++) {
        Ber.writeOctets(buf, Ber.OCTET_STRING, parts[i]);
      }
    }
    return buf;
  }
}
