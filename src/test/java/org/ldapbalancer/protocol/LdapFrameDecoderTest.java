package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LdapFrameDecoderTest {
  private static final int MAX = 1024;
  private static ResourceLeakDetector.Level previousLevel;

  /** An UnbindRequest with message ID 1. */
  private static final int[] UNBIND = {0x30, 0x05, 0x02, 0x01, 0x01, 0x42, 0x00};

  /** A DelRequest with message ID 2 for "cn=x". */
  private static final int[] DELETE = {0x30, 0x09, 0x02, 0x01, 0x02, 0x4a, 0x04, 'c', 'n', '=', 'x'};

  private final List<ByteBuf> inputs = new ArrayList<>();
  private final List<ByteBuf> frames = new ArrayList<>();

  @BeforeAll
  static void paranoidLeakDetection() {
    previousLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterAll
  static void restoreLeakDetection() {
    ResourceLeakDetector.setLevel(previousLevel);
  }

  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(new LdapFrameDecoder(MAX));
  }

  /** A buffer whose release the test checks at the end. */
  private ByteBuf input(int... octets) {
    ByteBuf buf = Unpooled.buffer(octets.length);
    for (int b : octets) {
      buf.writeByte(b);
    }
    inputs.add(buf);
    return buf;
  }

  private ByteBuf input(byte[] octets) {
    ByteBuf buf = Unpooled.copiedBuffer(octets);
    inputs.add(buf);
    return buf;
  }

  private static int[] concat(int[]... parts) {
    int n = 0;
    for (int[] p : parts) {
      n += p.length;
    }
    int[] all = new int[n];
    int i = 0;
    for (int[] p : parts) {
      System.arraycopy(p, 0, all, i, p.length);
      i += p.length;
    }
    return all;
  }

  private static byte[] toBytes(int[] octets) {
    byte[] b = new byte[octets.length];
    for (int i = 0; i < octets.length; i++) {
      b[i] = (byte) octets[i];
    }
    return b;
  }

  /** A SEQUENCE frame with {@code contentLength} content octets, its length in long form. */
  private static byte[] frame(int lengthOctets, int contentLength) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeByte(0x30);
    buf.writeByte(0x80 | lengthOctets);
    for (int i = lengthOctets - 1; i >= 0; i--) {
      buf.writeByte(contentLength >>> (8 * i));
    }
    for (int i = 0; i < contentLength; i++) {
      buf.writeByte(i);
    }
    byte[] bytes = ByteBufAssert.bytes(buf);
    buf.release();
    return bytes;
  }

  /**
   * Reads the next frame, checks it, and releases it. Frames cut from one read share that
   * read's buffer, so their release is checked at the end, by {@link #assertNoLeaks}.
   */
  private void assertNextFrame(EmbeddedChannel ch, byte[] expected) {
    ByteBuf frame = ch.readInbound();
    assertThat(frame).as("a frame").isNotNull();
    frames.add(frame);
    try {
      assertThat(frame.refCnt()).isPositive();
      assertThat(ByteBufAssert.bytes(frame)).isEqualTo(expected);
    } finally {
      frame.release();
    }
  }

  private void assertNoLeaks(EmbeddedChannel ch) {
    assertThat(ch.finish()).as("nothing left in the channel").isFalse();
    for (ByteBuf frame : frames) {
      assertThat(frame.refCnt()).as("emitted frame released").isZero();
    }
    for (ByteBuf in : inputs) {
      assertThat(in.refCnt()).as("input buffer released").isZero();
    }
  }

  @Test
  void passesAWholeFrameOnAsItIs() {
    EmbeddedChannel ch = channel();
    assertThat(ch.writeInbound(input(UNBIND))).isTrue();
    assertNextFrame(ch, toBytes(UNBIND));
    assertThat((Object) ch.readInbound()).isNull();
    assertNoLeaks(ch);
  }

  @Test
  void reassemblesAFrameSentByteByByte() {
    EmbeddedChannel ch = channel();
    for (int i = 0; i < DELETE.length - 1; i++) {
      assertThat(ch.writeInbound(input(DELETE[i]))).as("after %d bytes", i + 1).isFalse();
    }
    assertThat(ch.writeInbound(input(DELETE[DELETE.length - 1]))).isTrue();
    assertNextFrame(ch, toBytes(DELETE));
    assertNoLeaks(ch);
  }

  @Test
  void cutsSeveralFramesFromOneBuffer() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(input(concat(UNBIND, DELETE, UNBIND)));
    assertNextFrame(ch, toBytes(UNBIND));
    assertNextFrame(ch, toBytes(DELETE));
    assertNextFrame(ch, toBytes(UNBIND));
    assertThat((Object) ch.readInbound()).isNull();
    assertNoLeaks(ch);
  }

  @Test
  void keepsAPartialFrameAfterWholeOnesForTheNextRead() {
    EmbeddedChannel ch = channel();
    int[] stream = concat(UNBIND, DELETE);
    int cut = UNBIND.length + 4;
    ch.writeInbound(input(java.util.Arrays.copyOfRange(stream, 0, cut)));
    assertNextFrame(ch, toBytes(UNBIND));
    assertThat((Object) ch.readInbound()).isNull();
    ch.writeInbound(input(java.util.Arrays.copyOfRange(stream, cut, stream.length)));
    assertNextFrame(ch, toBytes(DELETE));
    assertNoLeaks(ch);
  }

  @Test
  void waitsForLongFormLengthOctetsSplitAcrossReads() {
    byte[] whole = frame(2, 300);
    EmbeddedChannel ch = channel();
    ch.writeInbound(input(java.util.Arrays.copyOfRange(whole, 0, 3))); // 30 82 01
    assertThat((Object) ch.readInbound()).isNull();
    ch.writeInbound(input(java.util.Arrays.copyOfRange(whole, 3, 4))); // 2c
    assertThat((Object) ch.readInbound()).isNull();
    ch.writeInbound(input(java.util.Arrays.copyOfRange(whole, 4, whole.length)));
    assertNextFrame(ch, whole);
    assertNoLeaks(ch);
  }

  @Test
  void acceptsEveryLongLengthFormUpToTheMaximum() {
    EmbeddedChannel ch = channel();
    for (int octets = 1; octets <= 4; octets++) {
      byte[] whole = frame(octets, octets == 1 ? 0xff : MAX);
      ch.writeInbound(input(whole));
      assertNextFrame(ch, whole);
    }
    assertNoLeaks(ch);
  }

  @Test
  void rejectsAFrameAnnouncingMoreThanTheMaximumBeforeItArrives() {
    EmbeddedChannel ch = channel();
    // 30 82 04 01: MAX + 1 content octets announced; none of them sent.
    assertThatThrownBy(() -> ch.writeInbound(input(0x30, 0x82, 0x04, 0x01)))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(PduTooLargeException.class);
    assertNoLeaks(ch);
  }

  @Test
  void rejectsAFourOctetLengthAboveTheMaximum() {
    EmbeddedChannel ch = channel();
    assertThatThrownBy(() -> ch.writeInbound(input(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff)))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(PduTooLargeException.class);
    assertNoLeaks(ch);
  }

  @Test
  void waitsForAFrameAsLargeAsTheLargestMaximum() {
    // With the largest possible maximum, header plus content exceed an int: the decoder must
    // still just wait for the rest.
    EmbeddedChannel ch = new EmbeddedChannel(new LdapFrameDecoder(Integer.MAX_VALUE));
    assertThat(ch.writeInbound(input(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01))).isFalse();
    assertThat(ch.isActive()).isTrue();
    ch.checkException();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void rejectsAFirstOctetThatIsNotASequence() {
    EmbeddedChannel ch = channel();
    // An LDAPMessage without its SEQUENCE: INTEGER 1, UnbindRequest.
    assertThatThrownBy(() -> ch.writeInbound(input(0x02, 0x01, 0x01, 0x42, 0x00)))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(MalformedPduException.class)
        .hasMessageContaining("SEQUENCE");
    assertNoLeaks(ch);
  }

  @Test
  void rejectsAWrongFirstOctetAsSoonAsItArrives() {
    EmbeddedChannel ch = channel();
    assertThatThrownBy(() -> ch.writeInbound(input('G')))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(MalformedPduException.class);
    assertNoLeaks(ch);
  }

  @Test
  void rejectsIndefiniteLength() {
    EmbeddedChannel ch = channel();
    assertThatThrownBy(() -> ch.writeInbound(input(0x30, 0x80, 0x02, 0x01, 0x01, 0x42, 0x00, 0, 0)))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(MalformedPduException.class)
        .hasMessageContaining("indefinite");
    assertNoLeaks(ch);
  }

  @Test
  void rejectsMoreThanFourLengthOctets() {
    EmbeddedChannel ch = channel();
    assertThatThrownBy(() -> ch.writeInbound(input(0x30, 0x85)))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(MalformedPduException.class);
    assertNoLeaks(ch);
  }

  @Test
  void discardsEverythingAfterAnError() {
    EmbeddedChannel ch = channel();
    assertThatThrownBy(() -> ch.writeInbound(input(concat(new int[] {0x31, 0x00}, UNBIND))))
        .isInstanceOf(DecoderException.class);
    // A well-formed frame afterwards cannot be trusted to be a frame boundary: dropped.
    assertThat(ch.writeInbound(input(UNBIND))).isFalse();
    assertThat(ch.writeInbound(input(DELETE))).isFalse();
    assertThat((Object) ch.readInbound()).isNull();
    ch.checkException();
    assertNoLeaks(ch);
  }

  @Test
  void keepsFramesDecodedBeforeAnErrorInTheSameRead() {
    EmbeddedChannel ch = channel();
    assertThatThrownBy(() -> ch.writeInbound(input(concat(UNBIND, new int[] {0x04, 0x00}))))
        .isInstanceOf(DecoderException.class);
    assertNextFrame(ch, toBytes(UNBIND));
    assertNoLeaks(ch);
  }

  @Test
  void emittedFramesAreIndependentOfLaterReads() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(input(concat(UNBIND, new int[] {0x30})));
    ByteBuf first = ch.readInbound();
    // More input arrives (the cumulation may be copied or grown) while the first frame is held.
    ch.writeInbound(input(java.util.Arrays.copyOfRange(DELETE, 1, DELETE.length)));
    assertThat(ByteBufAssert.bytes(first)).isEqualTo(toBytes(UNBIND));
    frames.add(first);
    first.release();
    assertNextFrame(ch, toBytes(DELETE));
    assertNoLeaks(ch);
  }

  @Test
  void refusesAMaximumTooSmallForAnyMessage() {
    assertThatThrownBy(() -> new LdapFrameDecoder(15)).isInstanceOf(IllegalArgumentException.class);
  }

  /** A SearchResultEntry-shaped frame of message ID {@code id} with {@code filler} content bytes. */
  private static byte[] responseFrame(int id, int filler) {
    ByteBuf buf = Unpooled.buffer();
    int content = 3 + 4 + filler;
    buf.writeByte(0x30).writeByte(0x83).writeMedium(content);
    buf.writeByte(0x02).writeByte(0x01).writeByte(id);
    buf.writeByte(0x64).writeByte(0x82).writeShort(filler);
    for (int i = 0; i < filler; i++) {
      buf.writeByte(i);
    }
    byte[] bytes = ByteBufAssert.bytes(buf);
    buf.release();
    return bytes;
  }

  @Test
  void aServersOversizedFrameIsReportedBySkippedAndTheNextFramed() {
    EmbeddedChannel ch = new EmbeddedChannel(LdapFrameDecoder.skippingOversized(MAX));
    byte[] big = responseFrame(7, 3000);
    // It arrives in pieces: the header and message ID first, then the rest with a frame behind.
    ch.writeInbound(input(java.util.Arrays.copyOfRange(big, 0, 4)));
    assertThat((Object) ch.readInbound()).as("message ID not yet there").isNull();
    ch.writeInbound(input(java.util.Arrays.copyOfRange(big, 4, 1000)));
    OversizedPdu reported = ch.readInbound();
    assertThat(reported).isEqualTo(new OversizedPdu(7, big.length, MAX));
    ch.writeInbound(input(java.util.Arrays.copyOfRange(big, 1000, 2500)));
    assertThat((Object) ch.readInbound()).isNull();
    byte[] rest = java.util.Arrays.copyOfRange(big, 2500, big.length);
    ch.writeInbound(input(concat(toIntArray(rest), DELETE)));
    assertNextFrame(ch, toBytes(DELETE));
    assertNoLeaks(ch);
  }

  @Test
  void aClientsOversizedFrameStillEndsTheStream() {
    EmbeddedChannel ch = channel();
    assertThatThrownBy(() -> ch.writeInbound(input(responseFrame(7, 3000))))
        .isInstanceOf(DecoderException.class)
        .hasCauseInstanceOf(PduTooLargeException.class);
    assertNoLeaks(ch);
  }

  private static int[] toIntArray(byte[] bytes) {
    int[] out = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[i] & 0xff;
    }
    return out;
  }
}
