package org.ldapbalancer.fuzz;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.ldap.protocol.LDAPMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;

/** Ways of presenting one fuzzed PDU to the codec, and of reading back what it wrote. */
final class Pdus {
  /** Bytes around an embedded PDU; any read of them is a read outside the frame. */
  private static final int GUARD = 7;

  private static final byte GUARD_BYTE = 0x30;

  private Pdus() {}

  /** The PDU alone: the buffer ends where the PDU ends, so a read past it throws. */
  static ByteBuf exact(byte[] pdu) {
    return Unpooled.wrappedBuffer(pdu);
  }

  /**
   * The PDU between guard bytes, with the reader and writer index around it: a reader that ignores
   * the indices, or reads past its limits, sees SEQUENCE tags where {@link #exact} would throw, so
   * the two presentations give different answers.
   */
  static ByteBuf embedded(byte[] pdu) {
    byte[] padded = new byte[GUARD + pdu.length + GUARD];
    Arrays.fill(padded, GUARD_BYTE);
    System.arraycopy(pdu, 0, padded, GUARD, pdu.length);
    return Unpooled.wrappedBuffer(padded).setIndex(GUARD, GUARD + pdu.length);
  }

  /** The view of {@code frame}, or null if it is malformed (the only failure allowed). */
  static LdapMessage parseOrNull(ByteBuf frame) {
    try {
      return new LdapMessage().parse(frame);
    } catch (MalformedPduException e) {
      return null;
    }
  }

  /** Bytes {@code [from, to)} of the buffer, by absolute index. */
  static byte[] range(ByteBuf buf, int from, int to) {
    return ByteBufUtil.getBytes(buf, from, to - from);
  }

  /** UnboundID's reading of the PDU, or null if it rejects it. */
  static LDAPMessage unboundIdOrNull(byte[] pdu) {
    try {
      return LDAPMessage.decode(ASN1Element.decode(pdu));
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * UnboundID's reading of the PDU if the PDU is exactly what UnboundID itself would encode, or
   * null. An independent decoder of the whole LDAP grammar: whatever it reads of a PDU in this
   * canonical form, the balancer must read the same way.
   *
   * <p>Canonical form only, because UnboundID is lenient where the balancer deliberately is not (it
   * accepts any outer tag, any tag for the controls, more than four length octets, an
   * ExtendedRequest without its requestName); real encoders never send those.
   */
  static LDAPMessage canonicalOrNull(byte[] pdu) {
    LDAPMessage message = unboundIdOrNull(pdu);
    if (message == null) {
      return null;
    }
    try {
      return Arrays.equals(message.encode().encode(), pdu) ? message : null;
    } catch (RuntimeException e) {
      return null; // a message it decodes but cannot encode again is no reference either
    }
  }

  /** Everything written to the channel so far, as one array; every written buffer is released. */
  static byte[] drainOutbound(EmbeddedChannel channel) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object written; (written = channel.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) written;
      try {
        out.writeBytes(ByteBufUtil.getBytes(buf));
      } finally {
        buf.release();
      }
    }
    return out.toByteArray();
  }
}
