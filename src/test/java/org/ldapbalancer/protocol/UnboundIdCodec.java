package org.ldapbalancer.protocol;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.asn1.ASN1Sequence;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.LDAPException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.function.Consumer;

/**
 * UnboundID's LDAP SDK as the reference encoder and decoder for the codec tests: an independent
 * implementation of the same ASN.1, so agreement with it is evidence of a correct encoding.
 */
final class UnboundIdCodec {
  private UnboundIdCodec() {}

  static byte[] encode(int messageId, ProtocolOp op, List<Control> controls) {
    return new LDAPMessage(messageId, op, controls).encode().encode();
  }

  /** A frame as the frame decoder would hand it on: one whole PDU, reader index 0. */
  static ByteBuf frame(int messageId, ProtocolOp op, Control... controls) {
    return Unpooled.wrappedBuffer(encode(messageId, op, List.of(controls)));
  }

  static byte[] opBytes(ProtocolOp op) {
    return op.encodeProtocolOp().encode();
  }

  static byte[] controlBytes(Control control) {
    return control.encode().encode();
  }

  /** The controls element of an LDAPMessage: [0] SEQUENCE OF Control. */
  static byte[] controlsBytes(List<Control> controls) {
    ASN1Element[] elements = controls.stream().map(Control::encode).toArray(ASN1Element[]::new);
    return new ASN1Sequence(LDAPMessage.MESSAGE_TYPE_CONTROLS, elements).encode();
  }

  /**
   * Decodes exactly one LDAPMessage; trailing or missing bytes fail the decoding.
   */
  static LDAPMessage decode(byte[] pdu) throws Exception {
    ASN1Element element = ASN1Element.decode(pdu);
    if (element.encode().length != pdu.length) {
      throw new LDAPException(com.unboundid.ldap.sdk.ResultCode.DECODING_ERROR, "trailing bytes");
    }
    return LDAPMessage.decode(element);
  }

  /**
   * Runs {@code writer} against a fresh channel, flushes, and returns what was written as one
   * byte array. Every written buffer is released.
   */
  static byte[] captureWrites(Consumer<Channel> writer) {
    EmbeddedChannel channel = new EmbeddedChannel();
    try {
      writer.accept(channel);
      channel.flush();
      channel.checkException();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Object written; (written = channel.readOutbound()) != null; ) {
        ByteBuf buf = (ByteBuf) written;
        try {
          out.writeBytes(ByteBufAssert.bytes(buf));
        } finally {
          buf.release();
        }
      }
      return out.toByteArray();
    } finally {
      channel.finishAndReleaseAll();
    }
  }

  /** The readable bytes of a buffer made by the code under test, which is then released. */
  static byte[] drain(ByteBuf made) {
    try {
      return ByteBufAssert.bytes(made);
    } finally {
      made.release();
    }
  }
}
