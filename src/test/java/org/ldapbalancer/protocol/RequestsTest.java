package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.Control;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

class RequestsTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  @Test
  void simpleBindDecodesToWhatWasMeant() {
    qt().forAll(LdapGens.messageIds(), LdapGens.dns(), LdapGens.text(0, 300))
        .checkAssert((id, dn, password) -> {
          LDAPMessage m = decode(UnboundIdCodec.drain(Requests.simpleBind(ALLOC, id, dn, password)));
          assertThat(m.getMessageID()).isEqualTo(id);
          BindRequestProtocolOp op = m.getBindRequestProtocolOp();
          assertThat(op.getVersion()).isEqualTo(3);
          assertThat(op.getBindDN()).isEqualTo(dn);
          assertThat(op.getCredentialsType()).isEqualTo(BindRequestProtocolOp.CRED_TYPE_SIMPLE);
          assertThat(op.getSimplePassword().stringValue()).isEqualTo(password);
        });
  }

  @Test
  void whoAmIDecodesToTheExtendedRequest() {
    qt().forAll(LdapGens.messageIds()).checkAssert(id -> {
      LDAPMessage m = decode(UnboundIdCodec.drain(Requests.whoAmI(ALLOC, id)));
      assertThat(m.getMessageID()).isEqualTo(id);
      ExtendedRequestProtocolOp op = m.getExtendedRequestProtocolOp();
      assertThat(op.getOID()).isEqualTo("1.3.6.1.4.1.4203.1.11.3");
      assertThat(op.getValue()).isNull();
    });
  }

  @Test
  void abandonDecodesToTheAbandonedId() {
    qt().forAll(LdapGens.messageIds(), LdapGens.messageIds()).checkAssert((id, abandoned) -> {
      LDAPMessage m = decode(UnboundIdCodec.drain(Requests.abandon(ALLOC, id, abandoned)));
      assertThat(m.getMessageID()).isEqualTo(id);
      assertThat(m.getAbandonRequestProtocolOp().getIDToAbandon()).isEqualTo(abandoned);
    });
  }

  @Test
  void unbindDecodes() {
    qt().forAll(LdapGens.messageIds()).checkAssert(id -> {
      LDAPMessage m = decode(UnboundIdCodec.drain(Requests.unbind(ALLOC, id)));
      assertThat(m.getMessageID()).isEqualTo(id);
      assertThat(m.getProtocolOp().getProtocolOpType() & 0xff)
          .isEqualTo(ProtocolOp.UNBIND_REQUEST);
      assertThat(m.getControls()).isEmpty();
    });
  }

  @Test
  void readsTheAbandonedMessageId() {
    qt().forAll(LdapGens.messageIds(), LdapGens.messageIds(), LdapGens.controlLists())
        .checkAssert((id, abandoned, controls) -> {
          ByteBuf frame = UnboundIdCodec.frame(id, new AbandonRequestProtocolOp(abandoned),
              controls.toArray(Control[]::new));
          assertThat(unchecked(() -> Requests.abandonedMessageId(parse(frame))))
              .isEqualTo(abandoned);
        });
  }

  @Test
  void readsTheExtendedRequestName() {
    qt().forAll(Generate.pick(java.util.List.of(Oids.START_TLS, Oids.WHO_AM_I, "1.2.3",
            "1.3.6.1.4.1." + "9".repeat(200))), LdapGens.bytes(300), Generate.booleans())
        .checkAssert((oid, value, withValue) -> {
          ByteBuf frame = UnboundIdCodec.frame(4,
              new ExtendedRequestProtocolOp(oid, withValue ? new ASN1OctetString(value) : null));
          assertThat(unchecked(() -> Requests.extendedRequestName(parse(frame)))).isEqualTo(oid);
        });
  }

  @Test
  void rejectsAnAbandonRequestWithAnOverlongId() {
    // AbandonRequest [APPLICATION 16] with 5 content octets.
    ByteBuf frame = Unpooled.wrappedBuffer(
        new byte[] {0x30, 0x0a, 0x02, 0x01, 0x02, 0x50, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00});
    assertThatThrownBy(() -> Requests.abandonedMessageId(new LdapMessage().parse(frame)))
        .isInstanceOf(MalformedPduException.class);
  }

  @Test
  void rejectsAnExtendedRequestWithoutName() {
    // ExtendedRequest whose first element is the [1] requestValue.
    ByteBuf frame = Unpooled.wrappedBuffer(
        new byte[] {0x30, 0x08, 0x02, 0x01, 0x02, 0x77, 0x03, (byte) 0x81, 0x01, 'x'});
    assertThatThrownBy(() -> Requests.extendedRequestName(new LdapMessage().parse(frame)))
        .isInstanceOf(MalformedPduException.class);
  }

  private interface Reading<T> {
    T read() throws MalformedPduException;
  }

  private static <T> T unchecked(Reading<T> reading) {
    try {
      return reading.read();
    } catch (MalformedPduException e) {
      throw new AssertionError(e);
    }
  }

  private static LdapMessage parse(ByteBuf frame) {
    try {
      return new LdapMessage().parse(frame);
    } catch (MalformedPduException e) {
      throw new AssertionError(e);
    }
  }

  private static LDAPMessage decode(byte[] pdu) {
    try {
      return UnboundIdCodec.decode(pdu);
    } catch (Exception e) {
      throw new AssertionError("does not decode: " + e, e);
    }
  }
}
