package org.ldapbalancer.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-level LDAP client for malformed-input tests: it sends whatever bytes it is given and
 * reads back whole BER elements (tag and definite length only; it does not decode them), each
 * read bounded by a deadline. Loopback only.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class RawLdapClient implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawLdapClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static RawLdapClient connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    return new RawLdapClient(socket);
  }

  /** Sends all {@code parts} in one write, so that they arrive together. */
  public RawLdapClient send(byte[]... parts) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    out.write(all.toByteArray());
    out.flush();
    return this;
  }

  /** Sends the octets given as ints (0–255), in one write. */
  public RawLdapClient sendOctets(int... octets) throws IOException {
    byte[] bytes = new byte[octets.length];
    for (int i = 0; i < octets.length; i++) {
      bytes[i] = (byte) octets[i];
    }
    return send(bytes);
  }

  /** Half-closes the connection: the peer sees end of stream, and we can still read. */
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /**
   * Reads the next whole PDU as received, or returns {@code null} when the peer has closed the
   * connection cleanly between PDUs.
   *
   * @throws SocketTimeoutException if nothing (or only part of a PDU) came within {@code timeout}
   * @throws EOFException if the connection ended in the middle of a PDU
   */
  public byte[] readPdu(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream pdu = new ByteArrayOutputStream();
    int tag = read(deadline, true);
    if (tag < 0) {
      return null;
    }
    pdu.write(tag);
    int first = read(deadline, false);
    pdu.write(first);
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int count = first & 0x7f;
      if (count == 0 || count > 4) {
        throw new IOException("peer sent a length form LDAP does not allow: 0x"
            + Integer.toHexString(first));
      }
      length = 0;
      for (int i = 0; i < count; i++) {
        int b = read(deadline, false);
        pdu.write(b);
        length = (length << 8) | b;
      }
    }
    if (length > 16 * 1024 * 1024) {
      throw new IOException("peer announced a PDU of " + length + " bytes");
    }
    for (long i = 0; i < length; i++) {
      pdu.write(read(deadline, false));
    }
    return pdu.toByteArray();
  }

  /** Every PDU received until the peer closes the connection, within {@code timeout} overall. */
  public List<byte[]> readUntilClosed(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<byte[]> pdus = new ArrayList<>();
    for (byte[] pdu; (pdu = readPdu(remaining(deadline))) != null; ) {
      pdus.add(pdu);
    }
    return pdus;
  }

  private static Duration remaining(long deadline) throws SocketTimeoutException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    return Duration.ofNanos(left);
  }

  /** One octet; -1 at end of stream only where {@code endAllowed}. */
  private int read(long deadline, boolean endAllowed) throws IOException {
    long leftMillis = Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis());
    if (deadline - System.nanoTime() <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
    int b;
    try {
      b = in.read();
    } catch (java.net.SocketException e) {
      // A reset after the peer closed with our unread bytes still queued: also an end.
      if (endAllowed) {
        return -1;
      }
      throw e;
    }
    if (b < 0 && !endAllowed) {
      throw new EOFException("connection ended inside a PDU");
    }
    return b;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
