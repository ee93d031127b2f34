package org.ldapbalancer.monitor.tree;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ldapbalancer.protocol.Ber;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.ResultCode;

/**
 * Writes to the cn=Monitor tree. As in lloadd 2.7 ({@code lload_monitor_conn_modify}), the one
 * write allowed is a ModifyRequest (RFC 4511 §4.6) of a client connection's entry whose every
 * change replaces {@code olmConnectionState} with the single value {@code closing}: it closes that
 * client. Any other change of such an entry is a constraintViolation (19), as there; adds,
 * deletes, renames and modifies of other entries are unwillingToPerform (53). Compares are
 * answered by {@link MonitorCompare}.
 */
public final class MonitorModify {
  private static final int REPLACE = 2;
  private static final Pattern CLIENT_ENTRY =
      Pattern.compile(
          "cn=connection ([0-9]{1,18}),cn=incoming connections,cn=load balancer,cn=backends,"
              + MonitorDn.BASE);

  private MonitorModify() {}

  /** The outcome: the connection to close, or the result to answer with. */
  public record Decision(long connectionId, int resultCode, String diagnostic) {
    static Decision refuse(int code, String diagnostic) {
      return new Decision(-1, code, diagnostic);
    }

    public boolean closes() {
      return connectionId >= 0;
    }
  }

  /**
   * Whether an update request (modify, add, delete, modify DN) or a compare names an entry of the
   * cn=Monitor tree. Reads the DN's last bytes first, as {@link MonitorSearch#targetsMonitor}.
   */
  public static boolean targetsMonitor(LdapMessage request) throws MalformedPduException {
    int tag = request.opTag();
    ByteBuf buf = request.frame();
    int start;
    int length;
    switch (tag) {
      case ProtocolOp.DEL_REQUEST -> { // the DN is the whole protocolOp (RFC 4511 §4.8)
        start = request.opContentStart();
        length = request.opEnd() - start;
      }
      case ProtocolOp.MODIFY_REQUEST,
          ProtocolOp.ADD_REQUEST,
          ProtocolOp.MODIFY_DN_REQUEST,
          ProtocolOp.COMPARE_REQUEST -> {
        long dn =
            Ber.readElement(buf, request.opContentStart(), request.opEnd(), Ber.OCTET_STRING);
        start = Ber.start(dn);
        length = Ber.length(dn);
      }
      default -> {
        return false;
      }
    }
    return MonitorSearch.endsInMonitor(buf, start, length)
        && MonitorDn.isInTree(
            MonitorDn.normalize(buf.toString(start, length, StandardCharsets.UTF_8)));
  }

  /** What to do with a request that {@link #targetsMonitor} accepted, from an allowed identity. */
  public static Decision decide(LdapMessage request) throws MalformedPduException {
    if (request.opTag() != ProtocolOp.MODIFY_REQUEST) {
      return Decision.refuse(
          ResultCode.UNWILLING_TO_PERFORM, "cn=Monitor can only be modified to close a client");
    }
    ByteBuf buf = request.frame();
    int end = request.opEnd();
    long object = Ber.readElement(buf, request.opContentStart(), end, Ber.OCTET_STRING);
    String dn =
        MonitorDn.normalize(
            buf.toString(Ber.start(object), Ber.length(object), StandardCharsets.UTF_8));
    Matcher client = CLIENT_ENTRY.matcher(dn);
    if (!client.matches()) {
      return Decision.refuse(
          ResultCode.UNWILLING_TO_PERFORM, "only client connection entries can be modified");
    }
    long changes = Ber.readElement(buf, Ber.end(object), end, Ber.SEQUENCE);
    int count = 0;
    for (int c = Ber.start(changes); c < Ber.end(changes); count++) {
      long change = Ber.readElement(buf, c, Ber.end(changes), Ber.SEQUENCE);
      long operation = Ber.readElement(buf, Ber.start(change), Ber.end(change), Ber.ENUMERATED);
      long attribute = Ber.readElement(buf, Ber.end(operation), Ber.end(change), Ber.SEQUENCE);
      long type = Ber.readElement(buf, Ber.start(attribute), Ber.end(attribute), Ber.OCTET_STRING);
      long values = Ber.readElement(buf, Ber.end(type), Ber.end(attribute), Ber.SET);
      String typeName = buf.toString(Ber.start(type), Ber.length(type), StandardCharsets.UTF_8);
      String value = null;
      int valueCount = 0;
      for (int v = Ber.start(values); v < Ber.end(values); valueCount++) {
        long one = Ber.readElement(buf, v, Ber.end(values), Ber.OCTET_STRING);
        value = buf.toString(Ber.start(one), Ber.length(one), StandardCharsets.UTF_8);
        v = Ber.end(one);
      }
      boolean closing =
          Ber.readIntContent(buf, Ber.start(operation), Ber.length(operation)) == REPLACE
              && typeName.equalsIgnoreCase("olmConnectionState")
              && valueCount == 1
              && "closing".equals(value);
      if (!closing) {
        return Decision.refuse(
            ResultCode.CONSTRAINT_VIOLATION,
            "the only change allowed is replace: olmConnectionState: closing");
      }
      c = Ber.end(change);
    }
    if (count == 0) {
      return Decision.refuse(ResultCode.CONSTRAINT_VIOLATION, "no change given");
    }
    return new Decision(Long.parseLong(client.group(1)), ResultCode.SUCCESS, "");
  }
}
