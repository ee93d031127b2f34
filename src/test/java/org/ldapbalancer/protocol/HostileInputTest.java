package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whatever bytes a peer sends, the codec either frames and reads them or reports a malformed
 * PDU; it never throws anything else (which would escape as an unexpected error) and never
 * leaks a buffer.
 */
class HostileInputTest {

  /** A valid search request, then mutated: realistic prefixes reach deeper than pure noise. */
  private static final byte[] SEED = {
    0x30, 0x25, 0x02, 0x01, 0x07, 0x63, 0x20, 0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00,
    0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00, (byte) 0x87, 0x0b, 'o', 'b', 'j', 'e',
    'c', 't', 'C', 'l', 'a', 's', 's', 0x30, 0x00
  };

  @Test
  void randomBytesAreFramedOrRejectedNeverMishandled() {
    qt().withExamples(3000)
        .forAll(lists().of(integers().between(0, 255)).ofSizeBetween(0, 80))
        .checkAssert(bytes -> feed(toBytes(bytes)));
  }

  @Test
  void mutatedRequestsAreReadOrRejectedNeverMishandled() {
    qt().withExamples(5000)
        .forAll(
            integers().between(0, SEED.length - 1),
            integers().between(0, 255),
            integers().between(0, SEED.length - 1),
            integers().between(0, 255))
        .checkAssert(
            (i, v, j, w) -> {
              byte[] b = SEED.clone();
              b[i] = (byte) (int) v;
              b[j] = (byte) (int) w;
              feed(b);
            });
  }

  private static byte[] toBytes(List<Integer> values) {
    byte[] b = new byte[values.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (int) values.get(i);
    }
    return b;
  }

  private static void feed(byte[] bytes) {
    EmbeddedChannel channel = new EmbeddedChannel(new LdapFrameDecoder(1024));
    ByteBuf input = Unpooled.wrappedBuffer(bytes);
    try {
      channel.writeInbound(input);
    } catch (DecoderException e) {
      assertThat(e.getCause()).isInstanceOf(MalformedPduException.class);
    }
    ByteBuf frame;
    while ((frame = channel.readInbound()) != null) {
      try {
        read(frame);
      } finally {
        frame.release();
      }
    }
    channel.finishAndReleaseAll();
    if (bytes.length > 0) { // the empty buffer is a shared constant, never released
      assertThat(input.refCnt()).as("input released once every frame was").isZero();
    }
  }

  /** Everything the balancer may read from a request or a response. */
  private static void read(ByteBuf frame) {
    LdapMessage m = new LdapMessage();
    try {
      m.parse(frame);
    } catch (MalformedPduException e) {
      return;
    }
    try {
      BindRequest.parse(m);
    } catch (MalformedPduException expected) {
      // fine: not a valid bind
    }
    try {
      Requests.abandonedMessageId(m);
    } catch (MalformedPduException expected) {
      // fine
    }
    try {
      Requests.extendedRequestName(m);
    } catch (MalformedPduException expected) {
      // fine
    }
    try {
      Controls.hasProxiedAuthorization(m);
    } catch (MalformedPduException expected) {
      // fine: controls that are not Control sequences
    }
    try {
      Responses.resultCode(m);
    } catch (MalformedPduException expected) {
      // fine
    }
    try {
      Responses.extendedResponseValue(m);
    } catch (MalformedPduException expected) {
      // fine
    }
  }
}
