package org.ldapbalancer.testing;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.asn1.ASN1Exception;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-level LDAP client for what well-behaved client libraries will not send: requests
 * written back to back without waiting, reused or invalid message IDs, malformed BER. PDUs are
 * encoded and decoded with UnboundID's protocol classes; reads time out rather than hang.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class MessageClient implements AutoCloseable {
  private static final int READ_TIMEOUT_MILLIS = 30_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private MessageClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  public static MessageClient connect(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    socket.setTcpNoDelay(true);
    return new MessageClient(socket);
  }

  /**
   * A client over a socket already connected (and maybe already carrying something else first:
   * a PROXY protocol header, a TLS layer).
   */
  public static MessageClient over(Socket socket) throws IOException {
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return new MessageClient(socket);
  }

  /** Writes the messages in one write, so that the server reads them together. */
  public void send(LDAPMessage... messages) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (LDAPMessage m : messages) {
      bytes.write(m.encode().encode());
    }
    sendBytes(bytes.toByteArray());
  }

  public void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /**
   * The next message from the server.
   *
   * @throws IOException at end of stream or on time-out
   */
  public LDAPMessage read() throws IOException {
    LDAPMessage m = readOrNull();
    if (m == null) {
      throw new IOException("the server closed the connection");
    }
    return m;
  }

  /** Reads messages until the final response to {@code messageId}; returns them all. */
  public List<LDAPMessage> readThrough(int messageId) throws IOException {
    List<LDAPMessage> messages = new ArrayList<>();
    while (true) {
      LDAPMessage m = read();
      messages.add(m);
      if (m.getMessageID() == messageId && isFinal(m)) {
        return messages;
      }
    }
  }

  /**
   * Reads messages until every one of {@code messageIds} has had its final response, in whatever
   * order they come; returns the final responses by message ID.
   */
  public java.util.Map<Integer, LDAPMessage> readFinals(int... messageIds) throws IOException {
    java.util.Map<Integer, LDAPMessage> finals = new java.util.HashMap<>();
    java.util.Set<Integer> wanted = new java.util.HashSet<>();
    for (int id : messageIds) {
      wanted.add(id);
    }
    while (!finals.keySet().containsAll(wanted)) {
      LDAPMessage m = read();
      if (!wanted.contains(m.getMessageID())) {
        throw new IOException("unexpected message " + m);
      }
      if (isFinal(m) && finals.put(m.getMessageID(), m) != null) {
        throw new IOException("second final response " + m);
      }
    }
    return finals;
  }

  /**
   * Reads until the server closes the connection, returning what it sent before.
   *
   * @throws SocketTimeoutException if it stays open
   */
  public List<LDAPMessage> readUntilClosed() throws IOException {
    List<LDAPMessage> messages = new ArrayList<>();
    LDAPMessage m;
    while ((m = readOrNull()) != null) {
      messages.add(m);
    }
    return messages;
  }

  private LDAPMessage readOrNull() throws IOException {
    try {
      ASN1Element element = ASN1Element.readFrom(in, 16 * 1024 * 1024);
      return element == null ? null : LDAPMessage.decode(element);
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (SocketException e) {
      return null; // reset by the peer: closed
    } catch (ASN1Exception | LDAPException e) {
      throw new IOException("undecodable message from the server", e);
    }
  }

  public static boolean isFinal(LDAPMessage m) {
    return switch (m.getProtocolOpType()) {
      case LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_ENTRY,
          LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_REFERENCE,
          LDAPMessage.PROTOCOL_OP_TYPE_INTERMEDIATE_RESPONSE -> false;
      default -> true;
    };
  }

  /** A subtree search under the sample base. */
  public static LDAPMessage search(int messageId, String filter) {
    try {
      return new LDAPMessage(messageId, new SearchRequestProtocolOp("dc=example,dc=com",
          SearchScope.SUB, DereferencePolicy.NEVER, 0, 0, false, Filter.create(filter),
          List.of()));
    } catch (LDAPException e) {
      throw new IllegalArgumentException(filter, e);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
