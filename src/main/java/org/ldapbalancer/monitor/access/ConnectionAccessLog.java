package org.ldapbalancer.monitor.access;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap.PrimitiveEntry;
import java.util.Iterator;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSession;
import org.ldapbalancer.operation.BindOperation;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.operation.UpstreamLink;
import org.ldapbalancer.protocol.Ber;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.Requests;
import org.ldapbalancer.protocol.Responses;
import org.ldapbalancer.protocol.ResultCode;

/**
 * The access log of one client connection: its number ({@code conn=}), its operation counter
 * ({@code op=}, from 0 in the order requests arrive, as slapd counts), and what the RESULT line of
 * each operation in flight needs (arrival time, entries returned). It exists only while the access
 * log is on, so that none of this costs anything otherwise.
 *
 * <p>Owned by the client channel's event loop, like the connection it describes.
 */
public final class ConnectionAccessLog {
  /** What the RESULT line of one operation needs. */
  private static final class InFlight {
    final int op;
    final long receivedNanos;
    /** Binds are neither abandoned by a later bind nor by an Abandon (RFC 4511 §4.11). */
    final boolean bind;
    /** When it was written to a server connection, or 0 while it waits for one. */
    long forwardedNanos;
    int entries;

    InFlight(int op, long receivedNanos, boolean bind) {
      this.op = op;
      this.receivedNanos = receivedNanos;
      this.bind = bind;
    }
  }

  private final AccessLog log;
  private final long conn;
  private final int fd;
  private final Channel channel;
  /** By the client's message ID: at most as many as the client has operations in flight. */
  private final IntObjectHashMap<InFlight> inFlight = new IntObjectHashMap<>();
  private int nextOp;
  private boolean unbound;
  /** Why the balancer closes the connection, when it does; null otherwise. */
  private String closeReason;

  ConnectionAccessLog(AccessLog log, long conn, Channel channel, java.net.SocketAddress peer) {
    this.log = log;
    this.conn = conn;
    this.channel = channel;
    this.fd = Sockets.fd(channel);
    String from = Sockets.describe(peer);
    String listener = Sockets.describe(Sockets.listenerAddress(channel));
    // slapd: "ACCEPT from IP=peer (IP=listener)"; in JSON two named fields.
    log.write(
        AccessLine.of(log.json(), conn)
            .number("fd", fd)
            .event("ACCEPT")
            .trailer(" from " + from, "from", from)
            .trailer(" (" + listener + ")", "listener", listener)
            .text());
  }

  /** The connection number ({@code conn=}). */
  public long conn() {
    return conn;
  }

  /** A request arrived: numbers it and writes what it asks, as slapd does on receipt. */
  public void request(LdapMessage request) {
    int op = nextOp++;
    int tag = request.opTag();
    int id = request.messageId();
    switch (tag) {
      case ProtocolOp.UNBIND_REQUEST -> {
        unbound = true;
        inFlight.clear(); // every pending operation is abandoned and never answered
      }
      case ProtocolOp.BIND_REQUEST -> {
        // A bind abandons what the client had in flight (RFC 4511 §4.2.1), but not a bind
        // still in progress, which is answered (and the new one refused).
        for (Iterator<PrimitiveEntry<InFlight>> i = inFlight.entries().iterator(); i.hasNext(); ) {
          if (!i.next().value().bind) {
            i.remove();
          }
        }
        inFlight.put(id, new InFlight(op, System.nanoTime(), true));
      }
      case ProtocolOp.ABANDON_REQUEST -> {
        // Its target will not be answered; forgotten here so the map stays bounded.
      }
      default -> {
        if (ProtocolOp.responseTagFor(tag) >= 0) {
          inFlight.put(id, new InFlight(op, System.nanoTime(), false));
        }
      }
    }
    RequestLines.LineStart line = () -> AccessLine.of(log.json(), conn).number("op", op);
    try {
      RequestLines.write(request, line, log::write);
      if (tag == ProtocolOp.ABANDON_REQUEST) {
        int abandoned = Requests.abandonedMessageId(request);
        InFlight target = inFlight.get(abandoned);
        if (target != null && !target.bind) {
          inFlight.remove(abandoned);
        }
      }
    } catch (MalformedPduException e) {
      // The validator passed it, so this is not expected; the line still shows the operation.
      log.write(line.start().event("UNREADABLE").plain("why", e.getMessage()).text());
    }
  }

  /** The request with this message ID went to a server, or is waiting for a connection. */
  public void routed(Operation op) {
    InFlight f = inFlight.get(op.clientMessageId());
    if (f != null && op.upstream() != null) {
      f.forwardedNanos = System.nanoTime();
    }
  }

  /** A response from a server is relayed to the client. */
  public void response(Operation op, LdapMessage response, boolean isFinal) {
    InFlight f = inFlight.get(op.clientMessageId());
    if (f == null) {
      return;
    }
    if (!isFinal) {
      if (response.opTag() == ProtocolOp.SEARCH_RESULT_ENTRY) {
        f.entries++;
        if (log.entries()) {
          entryLine(f, response);
        }
      }
      return;
    }
    int code;
    String text;
    String oid = null;
    try {
      code = Responses.resultCode(response);
      text = Responses.diagnosticMessage(response);
      if (response.opTag() == ProtocolOp.EXTENDED_RESPONSE) {
        oid = Responses.extendedResponseName(response);
      }
    } catch (MalformedPduException e) {
      code = ResultCode.OTHER;
      text = "unreadable response: " + e.getMessage();
    }
    result(op.clientMessageId(), response.opTag(), code, text, oid, op.upstream(),
        op.startNanos());
  }

  /** A BindResponse is relayed; a successful bind also gets slapd's {@code BIND ... mech=} line. */
  public void bindResult(Operation op, LdapMessage response, int resultCode, String authzId) {
    InFlight f = inFlight.get(op.clientMessageId());
    // As slapd: the line for an authenticated bind only, not for an anonymous one.
    if (f != null
        && resultCode == ResultCode.SUCCESS
        && op instanceof BindOperation bind
        && (bind.isSasl() || !"dn:".equals(authzId))) {
      String dn = authzId.startsWith("dn:") ? authzId.substring(3) : authzId;
      log.write(
          AccessLine.of(log.json(), conn)
              .number("op", f.op)
              .event("BIND")
              .quoted("dn", dn)
              .plain("mech", bind.isSasl() ? bind.mechanism() : "SIMPLE")
              .number("bind_ssf", 0)
              .number("ssf", ssf())
              .text());
    }
    response(op, response, true);
  }

  /**
   * The balancer answers a request itself (busy, unavailable, protocolError, a refused StartTLS,
   * an operation whose server was lost).
   */
  public void result(int messageId, int responseTag, int resultCode, String diagnostic) {
    result(messageId, responseTag, resultCode, diagnostic, null, null, 0);
  }

  /**
   * @param sentNanos when the upstream connection wrote the request, if it noted it (it does
   *     for tiers that measure latency); 0 otherwise
   */
  private void result(
      int messageId,
      int responseTag,
      int code,
      String text,
      String oid,
      UpstreamLink server,
      long sentNanos) {
    InFlight f = inFlight.remove(messageId);
    if (f == null) {
      return; // abandoned, or the connection was reset by a bind
    }
    long now = System.nanoTime();
    long etime = now - f.receivedNanos;
    // qtime: until the request was written to a server connection. One that waited for a
    // connection to be free is known only where the connection noted when it wrote it;
    // otherwise it counts as waiting throughout.
    long forwarded = f.forwardedNanos != 0 ? f.forwardedNanos : sentNanos;
    long qtime = forwarded != 0 ? Math.min(forwarded - f.receivedNanos, etime) : etime;
    AccessLine line = AccessLine.of(log.json(), conn).number("op", f.op);
    boolean search = responseTag == ProtocolOp.SEARCH_RESULT_DONE;
    line.event(search ? "SEARCH RESULT" : "RESULT").number("tag", responseTag);
    if (oid != null && !oid.isEmpty()) {
      line.plain("oid", oid);
    }
    line.number("err", code).seconds("qtime", qtime).seconds("etime", etime);
    if (search) {
      line.number("nentries", f.entries);
    }
    if (server != null) {
      line.plain("server", server.serverName());
    }
    log.write(line.plain("text", text == null ? "" : text).text());
  }

  /**
   * An event of the channel's pipeline: a finished TLS handshake ({@code ldaps://} or after
   * StartTLS) gets slapd's {@code TLS established} line.
   */
  public void event(Object event) {
    if (!(event instanceof SslHandshakeCompletionEvent done) || !done.isSuccess()) {
      return;
    }
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    SSLSession session = tls == null ? null : tls.engine().getSession();
    if (session == null) {
      return;
    }
    int ssf = ssf();
    log.write(
        AccessLine.of(log.json(), conn)
            .number("fd", fd)
            .event("TLS established")
            .number("tls_ssf", ssf)
            .number("ssf", ssf)
            .plain("tls_proto", session.getProtocol())
            .plain("tls_cipher", session.getCipherSuite())
            .text());
  }

  /** The balancer is closing the connection with a Notice of Disconnection, for this reason. */
  public void closing(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
  }

  /**
   * The connection is closed: slapd's {@code closed} line, with why unless the client unbound:
   * the balancer's reason, or {@code connection lost} when the client went away.
   */
  public void closed() {
    AccessLine line = AccessLine.of(log.json(), conn).number("fd", fd).event("closed");
    String reason = closeReason != null ? closeReason : unbound ? null : "connection lost";
    if (reason != null) {
      line.trailer(" (" + reason + ")", "reason", reason);
    }
    log.write(line.text());
    inFlight.clear();
  }

  /** {@code loglevel stats2}: one line per entry, with its DN, as slapd writes it. */
  private void entryLine(InFlight f, LdapMessage entry) {
    try {
      ByteBuf buf = entry.frame();
      long dn = Ber.readElement(buf, entry.opContentStart(), entry.opEnd(), Ber.OCTET_STRING);
      log.write(
          AccessLine.of(log.json(), conn)
              .number("op", f.op)
              .event("ENTRY")
              .quoted(
                  "dn",
                  buf.toString(Ber.start(dn), Ber.length(dn), StandardCharsets.UTF_8))
              .text());
    } catch (MalformedPduException e) {
      // The entry is relayed regardless; only its log line is lost.
    }
  }

  /** The security strength factor of the connection's TLS, as slapd reports it: key bits. */
  private int ssf() {
    SslHandler tls = channel.pipeline().get(SslHandler.class);
    if (tls == null) {
      return 0;
    }
    SSLSession session = tls.engine().getSession();
    String cipher = session == null ? "" : session.getCipherSuite();
    return ssfOf(cipher);
  }

  /** The key size of a cipher suite's bulk cipher; not of its hash ({@code ..._SHA256}). */
  static int ssfOf(String cipherSuite) {
    if (cipherSuite.contains("AES_256")
        || cipherSuite.contains("AES256")
        || cipherSuite.contains("CHACHA20")) {
      return 256;
    }
    if (cipherSuite.contains("AES_128") || cipherSuite.contains("AES128")) {
      return 128;
    }
    return 0;
  }
}
