package org.ldapbalancer.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.util.List;

/**
 * Cuts the byte stream into whole LDAPMessage frames without decoding them: reads the outer
 * SEQUENCE tag and length only and passes on a retained slice of the frame (zero copy).
 *
 * <p>A frame that is not a SEQUENCE, uses an indefinite or oversized length, or announces more
 * than {@code maxPduSize} bytes raises a {@link DecoderException} caused by a {@link
 * MalformedPduException}; from then on the decoder discards everything, since the stream can no
 * longer be framed. A decoder made by {@link #skippingOversized} instead passes on an {@link
 * OversizedPdu} for a frame over the limit whose message ID it can read, discards that frame's
 * bytes as they arrive, and goes on framing what follows.
 */
public final class LdapFrameDecoder extends ByteToMessageDecoder {
  /** The most octets a message ID element takes: tag, up to 5 length octets, 4 of content. */
  private static final int MESSAGE_ID_MAX = 10;

  private final int maxPduSize;
  private final boolean skipOversized;
  private boolean failed;
  /** Bytes of an oversized frame still to discard. */
  private long skipping;
  /** When the frame now incomplete began to arrive ({@link System#nanoTime()}), or 0. */
  private long partialSinceNanos;

  public LdapFrameDecoder(int maxPduSize) {
    this(maxPduSize, false);
  }

  private LdapFrameDecoder(int maxPduSize, boolean skipOversized) {
    if (maxPduSize < 16) {
      throw new IllegalArgumentException("maxPduSize " + maxPduSize + " is too small");
    }
    this.maxPduSize = maxPduSize;
    this.skipOversized = skipOversized;
  }

  /**
   * A decoder for a server's responses: a frame over {@code maxPduSize} is discarded and reported
   * as an {@link OversizedPdu}, so that one entry too large fails one operation and not every
   * operation sharing the connection. Frames that cannot be framed still end the stream.
   */
  public static LdapFrameDecoder skippingOversized(int maxPduSize) {
    return new LdapFrameDecoder(maxPduSize, true);
  }

  /**
   * Since when the decoder has held the start of a frame that has not completed, or 0 when it
   * holds nothing. Lets the connection close a peer that starts a PDU and never finishes it.
   */
  public long partialSinceNanos() {
    return actualReadableBytes() > 0 ? partialSinceNanos : 0;
  }

  /**
   * Whether the decoder holds bytes it has not handed on: the start of a frame, or whole frames
   * behind the one being handled (a client that wrote several requests at once).
   */
  public boolean holdsBytes() {
    return actualReadableBytes() > 0;
  }

  private void incomplete() {
    if (partialSinceNanos == 0) {
      partialSinceNanos = System.nanoTime() | 1; // never 0 while a frame is incomplete
    }
  }

  /** Discards what has arrived of the oversized frame; true once all of it is gone. */
  private boolean skip(ByteBuf in) {
    int n = (int) Math.min(skipping, in.readableBytes());
    in.skipBytes(n);
    skipping -= n;
    if (skipping > 0) {
      incomplete();
      return false;
    }
    partialSinceNanos = 0;
    return true;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (skipping > 0 && !skip(in)) {
      return;
    }
    int start = in.readerIndex();
    int available = in.readableBytes();
    if (available < 1) {
      return;
    }
    try {
      if (in.getUnsignedByte(start) != Ber.SEQUENCE) {
        throw new MalformedPduException(
            "a PDU must start with SEQUENCE, found tag 0x"
                + Integer.toHexString(in.getUnsignedByte(start)));
      }
      if (available < 2) {
        incomplete();
        return;
      }
      int first = in.getUnsignedByte(start + 1);
      int headerLength = first < 0x80 ? 2 : 2 + (first & 0x7f);
      if (first > 0x80 && available < headerLength && headerLength <= 6) {
        incomplete();
        return; // the length octets have not all arrived
      }
      long len = Ber.readLength(in, start + 1, start + available);
      long length = (int) len;
      // long: with a maximum near Integer.MAX_VALUE, header plus content overflow an int.
      long frameLength = headerLength + length;
      if (length > maxPduSize) {
        if (!skipOversized) {
          throw new PduTooLargeException(length, maxPduSize);
        }
        // Its message ID: an INTEGER of at most 1 + 5 + 4 octets right after the header, all
        // there before it is read, so that how the stream was cut cannot change the outcome.
        int idAt = start + headerLength;
        if (available < headerLength + MESSAGE_ID_MAX) {
          incomplete();
          return;
        }
        long id = Ber.readElement(in, idAt, idAt + MESSAGE_ID_MAX, Ber.INTEGER);
        int messageId = Ber.readIntContent(in, Ber.start(id), Ber.length(id));
        out.add(new OversizedPdu(messageId, frameLength, maxPduSize));
        skipping = frameLength;
        skip(in); // a decode that passes something on must consume input
        return;
      }
      if (available < frameLength) {
        incomplete();
        return;
      }
      out.add(in.readRetainedSlice((int) frameLength));
      partialSinceNanos = 0; // bytes left over start the next frame, timed from the next call
    } catch (MalformedPduException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw new DecoderException(e);
    }
  }
}
