package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Writes a received LDAPMessage to another channel under a new message ID, optionally with one
 * more control, without re-encoding it: a small new envelope header goes in front of retained
 * slices of the original bytes, and the channel's gathering write sends them as one PDU.
 *
 * <p>A message of at most {@link #COPY_LIMIT} bytes is copied into one new buffer instead: for
 * the typical search request or entry of a hundred bytes, one buffer and one outbound entry cost
 * less than the header, the slices and their reference counting (measured with bench/run).
 *
 * <p>Called on the target channel's event loop. Nothing is flushed; the caller flushes once per
 * read batch.
 */
public final class MessageRewriter {
  private MessageRewriter() {}

  /** Messages up to this size are copied rather than sliced. */
  static final int COPY_LIMIT = 1024;

  /** Writes the message with its message ID replaced, everything else byte for byte. */
  public static void write(Channel target, LdapMessage message, int messageId) {
    ByteBuf frame = message.frame();
    int bodyLength = message.end() - message.opStart();
    if (bodyLength <= COPY_LIMIT) {
      ByteBuf out = envelope(target, messageId, bodyLength, bodyLength);
      out.writeBytes(frame, message.opStart(), bodyLength);
      target.write(out, target.voidPromise());
      return;
    }
    ByteBuf head = envelope(target, messageId, bodyLength, 0);
    target.write(head, target.voidPromise());
    target.write(frame.retainedSlice(message.opStart(), bodyLength), target.voidPromise());
  }

  /**
   * As {@link #write}, but always into one new buffer of exactly the message's size: for a peer
   * that is not taking its data, whose writes may wait long, a slice would keep the whole read
   * buffer it was cut from alive.
   */
  public static void writeCopy(Channel target, LdapMessage message, int messageId) {
    int bodyLength = message.end() - message.opStart();
    ByteBuf out = envelope(target, messageId, bodyLength, bodyLength);
    out.writeBytes(message.frame(), message.opStart(), bodyLength);
    target.write(out, target.voidPromise());
  }

  /**
   * Writes the message with its message ID replaced and {@code control} (one encoded Control
   * element) added to its controls, after the client's own.
   */
  public static void writeWithControl(
      Channel target, LdapMessage message, int messageId, ByteBuf control) {
    ByteBuf frame = message.frame();
    int opLength = message.opEnd() - message.opStart();
    int controlLength = control.readableBytes();
    int existingStart;
    int existingLength;
    if (message.hasControls()) {
      long existing = readControls(message);
      existingStart = Ber.start(existing);
      existingLength = Ber.length(existing);
    } else {
      existingStart = 0;
      existingLength = 0;
    }
    int controlsContent = existingLength + controlLength;
    int bodyLength = opLength + Ber.elementLength(controlsContent);
    if (bodyLength <= COPY_LIMIT) {
      ByteBuf out = envelope(target, messageId, bodyLength, bodyLength);
      out.writeBytes(frame, message.opStart(), opLength);
      Ber.writeHeader(out, Ber.CONTEXT_0_CONSTRUCTED, controlsContent);
      out.writeBytes(frame, existingStart, existingLength);
      out.writeBytes(control, control.readerIndex(), controlLength);
      target.write(out, target.voidPromise());
      return;
    }
    ByteBuf head = envelope(target, messageId, bodyLength, 0);
    target.write(head, target.voidPromise());
    if (existingLength == 0) {
      target.write(frame.retainedSlice(message.opStart(), opLength), target.voidPromise());
      ByteBuf tail = target.alloc().directBuffer(6 + controlLength);
      Ber.writeHeader(tail, Ber.CONTEXT_0_CONSTRUCTED, controlsContent);
      tail.writeBytes(control, control.readerIndex(), controlLength);
      target.write(tail, target.voidPromise());
    } else {
      // A new controls header, the client's controls as one untouched slice, then ours.
      ByteBuf middle = target.alloc().directBuffer(6);
      Ber.writeHeader(middle, Ber.CONTEXT_0_CONSTRUCTED, controlsContent);
      ByteBuf tail = target.alloc().directBuffer(controlLength);
      tail.writeBytes(control, control.readerIndex(), controlLength);
      target.write(frame.retainedSlice(message.opStart(), opLength), target.voidPromise());
      target.write(middle, target.voidPromise());
      target.write(frame.retainedSlice(existingStart, existingLength), target.voidPromise());
      target.write(tail, target.voidPromise());
    }
  }

  private static long readControls(LdapMessage message) {
    try {
      return Ber.readElement(
          message.frame(), message.controlsStart(), message.controlsEnd(), Ber.CONTEXT_0_CONSTRUCTED);
    } catch (MalformedPduException e) {
      throw new IllegalStateException("controls were checked when the message was parsed", e);
    }
  }

  /**
   * The SEQUENCE header and message ID of an LDAPMessage whose remaining body is given, in a
   * buffer with room for {@code room} more bytes.
   */
  private static ByteBuf envelope(Channel target, int messageId, int bodyLength, int room) {
    int idLength = Ber.intElementLength(messageId);
    int contentLength = idLength + bodyLength;
    ByteBuf head =
        target.alloc().directBuffer(1 + Ber.lengthOfLength(contentLength) + idLength + room);
    Ber.writeHeader(head, Ber.SEQUENCE, contentLength);
    Ber.writeInt(head, Ber.INTEGER, messageId);
    return head;
  }
}
