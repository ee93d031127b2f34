package org.ldapbalancer.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.OversizedPdu;

/**
 * Fuzzes {@link LdapFrameDecoder} in a channel, the way a client's or a server's bytes reach it: in
 * chunks cut anywhere, several PDUs per chunk or one PDU over many.
 *
 * <p>Input layout: byte 0 picks the maximum PDU size (low four bits, an index into {@link
 * #MAX_PDU_SIZES}) and how the rest is cut into chunks (high four bits: 0 one chunk, 1 one byte at
 * a time, otherwise random sizes); the remaining bytes are the stream.
 *
 * <p>Whatever the stream, the frames that come out are exactly those {@link ReferenceFramer} cuts,
 * each a whole SEQUENCE whose content is at most the maximum; a rejected stream fails once with a
 * {@link DecoderException} caused by a {@link MalformedPduException} and yields nothing after; and
 * every buffer, the chunks written in as well as the decoder's own, is released in the end.
 */
class FrameDecoderFuzzTest {
  /** The smallest allowed, length-form boundaries, lloadd's defaults, and the largest possible. */
  static final int[] MAX_PDU_SIZES = {
    16,
    17,
    126,
    127,
    128,
    255,
    256,
    1024,
    4096,
    65535,
    65536,
    262143,
    4194303,
    16777216,
    Integer.MAX_VALUE - 6,
    Integer.MAX_VALUE
  };

  @FuzzTest
  @DictionaryFile(resourcePath = "ldap.dict")
  void frames(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int control = input[0] & 0xff;
    int maxPduSize = MAX_PDU_SIZES[control & 0x0f];
    byte[] stream = Arrays.copyOfRange(input, 1, input.length);
    ReferenceFramer.Result expected = ReferenceFramer.frame(stream, maxPduSize);
    List<Object> out = decode(new LdapFrameDecoder(maxPduSize), stream, maxPduSize,
        chunkSizes(control >>> 4, stream.length));

    boolean rejected = !out.isEmpty() && REJECTED.equals(out.get(out.size() - 1));
    List<byte[]> frames =
        out.stream().filter(byte[].class::isInstance).map(byte[].class::cast).toList();
    Check.that(frames.size() + (rejected ? 1 : 0) == out.size(),
        () -> "a report of an oversized frame from the clients' decoder");
    Check.equal(rejected, expected.rejected(), "stream rejected");
    Check.equal(frames.size(), expected.frames().size(), "number of frames");
    for (int i = 0; i < frames.size(); i++) {
      Check.sameBytes(frames.get(i), expected.frames().get(i), "frame " + i);
    }
  }

  /**
   * The decoder for a server's responses ({@link LdapFrameDecoder#skippingOversized}): a frame over
   * the maximum is reported as an {@link OversizedPdu} and skipped, and framing goes on. Whatever
   * the stream and however it is cut, the same frames and reports come out in the same order as
   * when it arrives whole; every frame is a whole SEQUENCE within the maximum and every report
   * names a length over it; nothing comes after a rejection; every buffer is released.
   */
  @FuzzTest
  @DictionaryFile(resourcePath = "ldap.dict")
  void skippingFrames(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int control = input[0] & 0xff;
    int maxPduSize = MAX_PDU_SIZES[control & 0x0f];
    byte[] stream = Arrays.copyOfRange(input, 1, input.length);
    List<Object> whole = decode(LdapFrameDecoder.skippingOversized(maxPduSize), stream,
        maxPduSize, new int[] {stream.length});
    List<Object> cut = decode(LdapFrameDecoder.skippingOversized(maxPduSize), stream, maxPduSize,
        chunkSizes(control >>> 4, stream.length));
    Check.equal(cut.size(), whole.size(), "outputs cut vs whole");
    for (int i = 0; i < cut.size(); i++) {
      Object a = cut.get(i);
      Object b = whole.get(i);
      if (a instanceof byte[] x && b instanceof byte[] y) {
        Check.sameBytes(x, y, "frame " + i);
      } else {
        Check.equal(a, b, "output " + i);
      }
    }
  }

  /** The last output of {@link #decode} when the decoder refused the stream. */
  private static final String REJECTED = "rejected";

  /**
   * Runs {@code decoder} over {@code stream} cut into {@code chunks}: the frames (as bytes, each
   * checked on its own terms), the reports of oversized frames, and a final {@link #REJECTED}
   * when the stream was refused, in the order they came out. Checks that nothing comes after a
   * rejection, that nothing is left in the channel, and that every buffer is released.
   */
  private static List<Object> decode(
      LdapFrameDecoder decoder, byte[] stream, int maxPduSize, int[] chunks) {
    TrackingAllocator alloc = new TrackingAllocator();
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    channel.config().setAllocator(alloc);
    List<Object> out = new ArrayList<>();
    boolean rejected = false;
    int offset = 0;
    for (int size : chunks) {
      ByteBuf chunk = alloc.heapBuffer(size);
      chunk.writeBytes(stream, offset, size);
      offset += size;
      int before = out.size();
      boolean rejectedBefore = rejected;
      try {
        channel.writeInbound(chunk);
      } catch (DecoderException e) {
        if (!(e.getCause() instanceof MalformedPduException)) {
          throw e;
        }
        Check.that(!rejected, () -> "a second error after the stream was already rejected");
        rejected = true;
      }
      for (Object message; (message = channel.readInbound()) != null; ) {
        if (message instanceof OversizedPdu report) {
          Check.that(report.length() > maxPduSize, () -> "reported but within the maximum");
          out.add(report);
          continue;
        }
        out.add(frameBytes((ByteBuf) message, maxPduSize));
      }
      Check.that(!rejectedBefore || out.size() == before, () -> "output after a rejection");
    }
    Check.that(!channel.finish(), () -> "the channel holds messages after they were all read");
    if (rejected) {
      out.add(REJECTED);
    }
    alloc.assertAllReleased();
    return out;
  }

  /** A frame's bytes, once checked (a whole SEQUENCE within the maximum); releases the frame. */
  private static byte[] frameBytes(ByteBuf frame, int maxPduSize) {
    try {
      // A frame shares its count with the decoder's buffer, which may still hold more bytes.
      Check.that(frame.refCnt() >= 1, () -> "a frame handed on already released");
      byte[] bytes = ByteBufUtil.getBytes(frame);
      long content = declaredContentLength(bytes);
      Check.that(
          content >= 0 && bytes.length == headerLength(bytes) + content,
          () -> "not one whole SEQUENCE: " + Check.hex(bytes));
      Check.that(
          content <= maxPduSize,
          () -> "content of " + content + " bytes passed on with a maximum of " + maxPduSize);
      return bytes;
    } finally {
      frame.release();
    }
  }

  private static int headerLength(byte[] frame) {
    int first = frame[1] & 0xff;
    return first < 0x80 ? 2 : 2 + (first & 0x7f);
  }

  /** The content length a frame announces, or -1 if its header is not a SEQUENCE header. */
  private static long declaredContentLength(byte[] frame) {
    if (frame.length < 2 || (frame[0] & 0xff) != 0x30) {
      return -1;
    }
    int first = frame[1] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int octets = first & 0x7f;
    if (octets == 0 || octets > 4 || frame.length < 2 + octets) {
      return -1;
    }
    long length = 0;
    for (int i = 0; i < octets; i++) {
      length = length << 8 | (frame[2 + i] & 0xff);
    }
    return length;
  }

  /**
   * How to cut {@code length} bytes: whole, byte by byte (every header split the decoder can meet),
   * or random sizes, empty chunks included, drawn from a generator seeded by the mode so that one
   * input always cuts the same way.
   */
  static int[] chunkSizes(int mode, int length) {
    if (mode == 0) {
      return new int[] {length};
    }
    if (mode == 1) {
      int[] ones = new int[length];
      Arrays.fill(ones, 1);
      return ones;
    }
    SplittableRandom random = new SplittableRandom(mode * 31L + length);
    int largest = mode * mode * 4;
    List<Integer> sizes = new ArrayList<>();
    for (int left = length; left > 0; ) {
      int size = Math.min(left, random.nextInt(largest + 1));
      sizes.add(size);
      left -= size;
    }
    return sizes.stream().mapToInt(Integer::intValue).toArray();
  }
}
