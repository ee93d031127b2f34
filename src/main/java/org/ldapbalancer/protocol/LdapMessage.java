package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;

/**
 * A view of one framed LDAPMessage (RFC 4511 §4.1.1): where its message ID, protocolOp and
 * controls lie within the frame. Nothing is copied; the view is reusable, so one instance per
 * connection serves every PDU it reads.
 *
 * <pre>
 * LDAPMessage ::= SEQUENCE { messageID MessageID, protocolOp CHOICE {...},
 *                            controls [0] Controls OPTIONAL }
 * </pre>
 *
 * <p>Trailing components after those (RFC 4511 §4: extensions, to be ignored) are accepted if
 * they are well-formed elements.
 *
 * <p>Not thread-safe: owned by the event loop of the connection that reads into it.
 */
public final class LdapMessage {
  private ByteBuf frame;
  private int messageId;
  private int opTag;
  private int opStart;
  private int opContentStart;
  private int opEnd;
  private int controlsStart;
  private int controlsEnd;
  private int end;

  /**
   * Examines {@code frame} (one whole PDU as cut by {@link LdapFrameDecoder}).
   *
   * @throws MalformedPduException if it is not a well-formed LDAPMessage envelope
   */
  public LdapMessage parse(ByteBuf frame) throws MalformedPduException {
    this.frame = frame;
    int limit = frame.writerIndex();
    long outer = Ber.readElement(frame, frame.readerIndex(), limit, Ber.SEQUENCE);
    end = Ber.end(outer);
    if (end != limit) {
      throw new MalformedPduException("trailing bytes after the LDAPMessage");
    }
    long id = Ber.readElement(frame, Ber.start(outer), end, Ber.INTEGER);
    messageId = Ber.readIntContent(frame, Ber.start(id), Ber.length(id));
    opStart = Ber.end(id);
    long op = Ber.readAnyElement(frame, opStart, end);
    opTag = frame.getUnsignedByte(opStart);
    opContentStart = Ber.start(op);
    opEnd = Ber.end(op);
    int p = opEnd;
    if (p < end && frame.getUnsignedByte(p) == Ber.CONTEXT_0_CONSTRUCTED) {
      controlsStart = p;
      controlsEnd = Ber.end(Ber.readElement(frame, p, end, Ber.CONTEXT_0_CONSTRUCTED));
      p = controlsEnd;
    } else {
      controlsStart = -1;
      controlsEnd = -1;
    }
    // RFC 4511 §4: trailing components with tags not recognised are ignored (slapd does too);
    // they must still be well-formed elements. Forwarded as they are, or dropped with the
    // controls' rewriting.
    while (p < end) {
      p = Ber.end(Ber.readAnyElement(frame, p, end));
    }
    return this;
  }

  public ByteBuf frame() {
    return frame;
  }

  /** The message ID; may be zero or negative in a malformed request, which callers reject. */
  public int messageId() {
    return messageId;
  }

  /** The protocolOp's tag octet, one of {@link ProtocolOp}'s constants. */
  public int opTag() {
    return opTag;
  }

  /** Index of the protocolOp's tag octet. */
  public int opStart() {
    return opStart;
  }

  /** Index of the protocolOp's first content octet. */
  public int opContentStart() {
    return opContentStart;
  }

  /** Index just past the protocolOp. */
  public int opEnd() {
    return opEnd;
  }

  public boolean hasControls() {
    return controlsStart >= 0;
  }

  /** Index of the controls' [0] tag, or -1 when there are none. */
  public int controlsStart() {
    return controlsStart;
  }

  /** Index just past the controls, or -1 when there are none. */
  public int controlsEnd() {
    return controlsEnd;
  }

  /**
   * Index just past the whole message: past the controls, or past the protocolOp when there are
   * none, unless trailing components follow (RFC 4511 §4), which are ignored.
   */
  public int end() {
    return end;
  }

  /** Whether trailing components follow the protocolOp and controls (RFC 4511 §4: ignored). */
  public boolean hasTrailingComponents() {
    return end != (controlsStart >= 0 ? controlsEnd : opEnd);
  }

  /** The protocolOp's content length. */
  public int opContentLength() {
    return opEnd - opContentStart;
  }
}
