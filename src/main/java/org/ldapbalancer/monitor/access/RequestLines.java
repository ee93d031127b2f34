package org.ldapbalancer.monitor.access;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.ldapbalancer.protocol.Ber;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.ProtocolOp;

/**
 * The access log lines that describe a request, as slapd writes them on receipt: {@code BIND
 * dn="..." method=128}, {@code SRCH base="..." scope=2 deref=0 filter="..."} and {@code SRCH
 * attr=...}, {@code MOD dn="..."} and {@code MOD attr=...}, {@code ADD dn=}, {@code DEL dn=},
 * {@code MODRDN dn=}, {@code CMP dn= attr=}, {@code EXT oid=}, {@code ABANDON msg=}, {@code
 * UNBIND}. The request is read in place (RFC 4511 §4.2–4.14); it was checked by the request
 * validator before.
 *
 * <p>Stateless and thread-safe.
 */
final class RequestLines {
  private static final int SIMPLE = 0x80;
  private static final int EXTENDED_NAME = 0x80;
  private static final String PASSWORD_MODIFY = "1.3.6.1.4.1.4203.1.11.1";

  private RequestLines() {}

  /** Makes a line that already holds {@code conn=N op=M}. */
  interface LineStart {
    AccessLine start();
  }

  /**
   * Writes the lines for {@code request} to {@code out}.
   *
   * @throws MalformedPduException if the request cannot be read
   */
  static void write(LdapMessage request, LineStart line, Consumer<String> out)
      throws MalformedPduException {
    ByteBuf buf = request.frame();
    int start = request.opContentStart();
    int end = request.opEnd();
    switch (request.opTag()) {
      case ProtocolOp.BIND_REQUEST -> {
        long version = Ber.readElement(buf, start, end, Ber.INTEGER);
        long name = Ber.readElement(buf, Ber.end(version), end, Ber.OCTET_STRING);
        int method = Ber.end(name) < end ? buf.getUnsignedByte(Ber.end(name)) : SIMPLE;
        out.accept(line.start().event("BIND").quoted("dn", utf8(buf, name)).number("method", method)
            .text());
      }
      case ProtocolOp.SEARCH_REQUEST -> search(buf, start, end, line, out);
      case ProtocolOp.MODIFY_REQUEST -> modify(buf, start, end, line, out);
      case ProtocolOp.ADD_REQUEST -> {
        long dn = Ber.readElement(buf, start, end, Ber.OCTET_STRING);
        out.accept(line.start().event("ADD").quoted("dn", utf8(buf, dn)).text());
      }
      case ProtocolOp.DEL_REQUEST ->
          out.accept(line.start().event("DEL")
              .quoted("dn", buf.toString(start, end - start, StandardCharsets.UTF_8)).text());
      case ProtocolOp.MODIFY_DN_REQUEST -> {
        long dn = Ber.readElement(buf, start, end, Ber.OCTET_STRING);
        out.accept(line.start().event("MODRDN").quoted("dn", utf8(buf, dn)).text());
      }
      case ProtocolOp.COMPARE_REQUEST -> {
        long dn = Ber.readElement(buf, start, end, Ber.OCTET_STRING);
        long ava = Ber.readElement(buf, Ber.end(dn), end, Ber.SEQUENCE);
        long type = Ber.readElement(buf, Ber.start(ava), Ber.end(ava), Ber.OCTET_STRING);
        out.accept(line.start().event("CMP").quoted("dn", utf8(buf, dn))
            .quoted("attr", utf8(buf, type)).text());
      }
      case ProtocolOp.EXTENDED_REQUEST -> {
        long name = Ber.readElement(buf, start, end, EXTENDED_NAME);
        String oid = buf.toString(Ber.start(name), Ber.length(name), StandardCharsets.US_ASCII);
        out.accept(line.start().event("EXT").plain("oid", oid).text());
        String known = switch (oid) {
          case Oids.START_TLS -> "STARTTLS";
          case Oids.WHO_AM_I -> "WHOAMI";
          case PASSWORD_MODIFY -> "PASSMOD";
          default -> null;
        };
        if (known != null) {
          out.accept(line.start().event(known).text()); // as slapd names the three it knows
        }
      }
      case ProtocolOp.ABANDON_REQUEST ->
          out.accept(line.start().event("ABANDON")
              .number("msg", Ber.readIntContent(buf, start, end - start)).text());
      case ProtocolOp.UNBIND_REQUEST -> out.accept(line.start().event("UNBIND").text());
      default -> {
        // Unknown requests are refused before anything is forwarded; the RESULT line shows it.
      }
    }
  }

  /**
   * SearchRequest ::= [APPLICATION 3] SEQUENCE { baseObject, scope, derefAliases, sizeLimit,
   * timeLimit, typesOnly, filter, attributes }.
   */
  private static void search(ByteBuf buf, int start, int end, LineStart line, Consumer<String> out)
      throws MalformedPduException {
    long base = Ber.readElement(buf, start, end, Ber.OCTET_STRING);
    long scope = Ber.readElement(buf, Ber.end(base), end, Ber.ENUMERATED);
    long deref = Ber.readElement(buf, Ber.end(scope), end, Ber.ENUMERATED);
    long sizeLimit = Ber.readElement(buf, Ber.end(deref), end, Ber.INTEGER);
    long timeLimit = Ber.readElement(buf, Ber.end(sizeLimit), end, Ber.INTEGER);
    long typesOnly = Ber.readElement(buf, Ber.end(timeLimit), end, Ber.BOOLEAN);
    StringBuilder filter = new StringBuilder();
    int afterFilter = FilterText.append(filter, buf, Ber.end(typesOnly), end);
    long attributes = Ber.readElement(buf, afterFilter, end, Ber.SEQUENCE);
    out.accept(line.start().event("SRCH")
        .quoted("base", utf8(buf, base))
        .number("scope", Ber.readIntContent(buf, Ber.start(scope), Ber.length(scope)))
        .number("deref", Ber.readIntContent(buf, Ber.start(deref), Ber.length(deref)))
        .quoted("filter", filter)
        .text());
    List<String> names = strings(buf, Ber.start(attributes), Ber.end(attributes));
    if (!names.isEmpty()) {
      out.accept(line.start().event("SRCH").list("attr", names).text());
    }
  }

  /**
   * ModifyRequest ::= [APPLICATION 6] SEQUENCE { object, changes SEQUENCE OF change SEQUENCE {
   * operation, modification PartialAttribute } }: the DN, then the attributes changed.
   */
  private static void modify(ByteBuf buf, int start, int end, LineStart line, Consumer<String> out)
      throws MalformedPduException {
    long dn = Ber.readElement(buf, start, end, Ber.OCTET_STRING);
    long changes = Ber.readElement(buf, Ber.end(dn), end, Ber.SEQUENCE);
    out.accept(line.start().event("MOD").quoted("dn", utf8(buf, dn)).text());
    List<String> names = new ArrayList<>();
    for (int i = Ber.start(changes); i < Ber.end(changes); ) {
      long change = Ber.readElement(buf, i, Ber.end(changes), Ber.SEQUENCE);
      long operation = Ber.readElement(buf, Ber.start(change), Ber.end(change), Ber.ENUMERATED);
      long attribute = Ber.readElement(buf, Ber.end(operation), Ber.end(change), Ber.SEQUENCE);
      long type =
          Ber.readElement(buf, Ber.start(attribute), Ber.end(attribute), Ber.OCTET_STRING);
      names.add(utf8(buf, type));
      i = Ber.end(change);
    }
    if (!names.isEmpty()) {
      out.accept(line.start().event("MOD").list("attr", names).text());
    }
  }

  private static List<String> strings(ByteBuf buf, int start, int end)
      throws MalformedPduException {
    List<String> values = new ArrayList<>();
    for (int i = start; i < end; ) {
      long e = Ber.readElement(buf, i, end, Ber.OCTET_STRING);
      values.add(utf8(buf, e));
      i = Ber.end(e);
    }
    return values;
  }

  private static String utf8(ByteBuf buf, long element) {
    return buf.toString(Ber.start(element), Ber.length(element), StandardCharsets.UTF_8);
  }
}
