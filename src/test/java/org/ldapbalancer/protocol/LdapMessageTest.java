package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.AddRequestProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.CompareRequestProtocolOp;
import com.unboundid.ldap.protocol.DeleteRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyDNRequestProtocolOp;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.UnbindRequestProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LdapMessageTest {
  private static final List<Control> CONTROLS =
      List.of(
          new Control("1.2.840.113556.1.4.319", false, new ASN1OctetString(new byte[] {0x30, 0})),
          new Control("1.3.6.1.4.1.4203.1.10.1", true),
          new Control("2.16.840.1.113730.3.4.2", false, new ASN1OctetString(new byte[200])));

  static Stream<Arguments> requests() {
    String dn = "uid=jo,ou=people,dc=example,dc=com";
    return Stream.of(
        Arguments.of(
            new SearchRequestProtocolOp(dn, SearchScope.SUB, DereferencePolicy.NEVER, 10, 5,
                false, Filter.createEqualityFilter("cn", "Jo"), List.of("cn", "mail")),
            ProtocolOp.SEARCH_REQUEST),
        Arguments.of(new BindRequestProtocolOp(dn, "secret"), ProtocolOp.BIND_REQUEST),
        Arguments.of(
            new AddRequestProtocolOp(dn, List.of(new Attribute("objectClass", "person"),
                new Attribute("cn", "Jo"), new Attribute("sn", "X".repeat(300)))),
            ProtocolOp.ADD_REQUEST),
        Arguments.of(
            new ModifyRequestProtocolOp(dn, List.of(
                new Modification(ModificationType.REPLACE, "mail", "jo@example.com"))),
            ProtocolOp.MODIFY_REQUEST),
        Arguments.of(new DeleteRequestProtocolOp(dn), ProtocolOp.DEL_REQUEST),
        Arguments.of(
            new ModifyDNRequestProtocolOp(dn, "uid=joe", true, null),
            ProtocolOp.MODIFY_DN_REQUEST),
        Arguments.of(
            new CompareRequestProtocolOp(dn, "cn", new ASN1OctetString("Jo")),
            ProtocolOp.COMPARE_REQUEST),
        Arguments.of(
            new ExtendedRequestProtocolOp(Oids.WHO_AM_I, null), ProtocolOp.EXTENDED_REQUEST),
        Arguments.of(new AbandonRequestProtocolOp(7), ProtocolOp.ABANDON_REQUEST),
        Arguments.of(new UnbindRequestProtocolOp(), ProtocolOp.UNBIND_REQUEST));
  }

  @ParameterizedTest
  @MethodSource("requests")
  void findsMessageIdOpAndNoControls(com.unboundid.ldap.protocol.ProtocolOp op, int tag)
      throws Exception {
    for (int id : new int[] {1, 127, 128, 65536, Integer.MAX_VALUE}) {
      ByteBuf frame = UnboundIdCodec.frame(id, op);
      LdapMessage m = new LdapMessage().parse(frame);
      assertThat(m.frame()).isSameAs(frame);
      assertThat(m.messageId()).isEqualTo(id);
      assertThat(m.opTag()).isEqualTo(tag);
      assertOpBoundaries(m, op);
      assertThat(m.hasControls()).isFalse();
      assertThat(m.controlsStart()).isEqualTo(-1);
      assertThat(m.opEnd()).isEqualTo(m.end());
      assertThat(m.end()).isEqualTo(frame.writerIndex());
    }
  }

  @ParameterizedTest
  @MethodSource("requests")
  void findsControls(com.unboundid.ldap.protocol.ProtocolOp op, int tag) throws Exception {
    ByteBuf frame = UnboundIdCodec.frame(42, op, CONTROLS.toArray(Control[]::new));
    LdapMessage m = new LdapMessage().parse(frame);
    assertThat(m.messageId()).isEqualTo(42);
    assertThat(m.opTag()).isEqualTo(tag);
    assertOpBoundaries(m, op);
    assertThat(m.hasControls()).isTrue();
    assertThat(m.controlsStart()).isEqualTo(m.opEnd());
    assertThat(m.end()).isEqualTo(frame.writerIndex());
    assertThat(ByteBufUtil.getBytes(frame, m.controlsStart(), m.end() - m.controlsStart()))
        .isEqualTo(UnboundIdCodec.controlsBytes(CONTROLS));
  }

  private static void assertOpBoundaries(LdapMessage m, com.unboundid.ldap.protocol.ProtocolOp op) {
    byte[] expected = UnboundIdCodec.opBytes(op);
    ByteBuf frame = m.frame();
    assertThat(ByteBufUtil.getBytes(frame, m.opStart(), m.opEnd() - m.opStart()))
        .isEqualTo(expected);
    assertThat(m.opContentStart() - m.opStart())
        .as("tag and length octets")
        .isEqualTo(1 + Ber.lengthOfLength(m.opContentLength()));
    assertThat(m.opContentLength()).isEqualTo(m.opEnd() - m.opContentStart());
  }

  @Test
  void indicesAreAbsoluteWhenTheFrameDoesNotStartAtZero() throws Exception {
    byte[] pdu = UnboundIdCodec.encode(9, new DeleteRequestProtocolOp("cn=x"), CONTROLS);
    ByteBuf buf = Unpooled.buffer();
    buf.writeBytes(new byte[] {1, 2, 3}).writeBytes(pdu).skipBytes(3);
    LdapMessage m = new LdapMessage().parse(buf);
    assertThat(m.messageId()).isEqualTo(9);
    assertThat(m.opTag()).isEqualTo(ProtocolOp.DEL_REQUEST);
    // 3 bytes before the frame, then 30 82 xx xx and 02 01 09.
    assertThat(m.opStart()).isEqualTo(3 + 4 + 3);
    assertOpBoundaries(m, new DeleteRequestProtocolOp("cn=x"));
    assertThat(m.end()).isEqualTo(buf.writerIndex());
    assertThat(buf.readerIndex()).as("parsing does not consume").isEqualTo(3);
  }

  @Test
  void aReusedViewForgetsThePreviousMessage() throws Exception {
    LdapMessage view = new LdapMessage();
    view.parse(UnboundIdCodec.frame(5, new DeleteRequestProtocolOp("cn=a"),
        CONTROLS.toArray(Control[]::new)));
    assertThat(view.hasControls()).isTrue();
    ByteBuf second = UnboundIdCodec.frame(6, new UnbindRequestProtocolOp());
    view.parse(second);
    assertThat(view.frame()).isSameAs(second);
    assertThat(view.messageId()).isEqualTo(6);
    assertThat(view.opTag()).isEqualTo(ProtocolOp.UNBIND_REQUEST);
    assertThat(view.hasControls()).isFalse();
  }

  @Test
  void acceptsAnEmptyControlsSequence() throws Exception {
    // 30 07 02 01 03 42 00 a0 00: Unbind with [0] {}.
    LdapMessage m = new LdapMessage().parse(bytes(0x30, 0x07, 0x02, 0x01, 0x03, 0x42, 0x00, 0xa0, 0x00));
    assertThat(m.hasControls()).isTrue();
    assertThat(m.controlsStart()).isEqualTo(7);
    assertThat(m.end()).isEqualTo(9);
  }

  @Test
  void reportsZeroAndNegativeMessageIdsForTheCallerToReject() throws Exception {
    assertThat(new LdapMessage().parse(bytes(0x30, 0x05, 0x02, 0x01, 0x00, 0x42, 0x00))
        .messageId()).isZero();
    assertThat(new LdapMessage().parse(bytes(0x30, 0x05, 0x02, 0x01, 0xff, 0x42, 0x00))
        .messageId()).isEqualTo(-1);
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("trailing bytes after the message",
            new int[] {0x30, 0x05, 0x02, 0x01, 0x01, 0x42, 0x00, 0x00}),
        Arguments.of("a trailing element that overruns the message",
            new int[] {0x30, 0x09, 0x02, 0x01, 0x01, 0x42, 0x00, 0xa0, 0x00, 0x04, 0x01}),
        Arguments.of("a trailing byte that is no element",
            new int[] {0x30, 0x06, 0x02, 0x01, 0x01, 0x42, 0x00, 0x04}),
        Arguments.of("a trailing element with a multi-octet tag",
            new int[] {0x30, 0x08, 0x02, 0x01, 0x01, 0x42, 0x00, 0x9f, 0x21, 0x00}),
        Arguments.of("message ID of 5 octets",
            new int[] {0x30, 0x09, 0x02, 0x05, 0x00, 0x80, 0x00, 0x00, 0x00, 0x42, 0x00}),
        Arguments.of("message ID of 0 octets", new int[] {0x30, 0x04, 0x02, 0x00, 0x42, 0x00}),
        Arguments.of("message ID not an INTEGER",
            new int[] {0x30, 0x05, 0x04, 0x01, 0x01, 0x42, 0x00}),
        Arguments.of("no protocolOp", new int[] {0x30, 0x03, 0x02, 0x01, 0x01}),
        Arguments.of("empty SEQUENCE", new int[] {0x30, 0x00}),
        Arguments.of("protocolOp overruns the message",
            new int[] {0x30, 0x05, 0x02, 0x01, 0x01, 0x4a, 0x05}),
        Arguments.of("message shorter than its length",
            new int[] {0x30, 0x06, 0x02, 0x01, 0x01, 0x42, 0x00}),
        Arguments.of("multi-octet protocolOp tag",
            new int[] {0x30, 0x06, 0x02, 0x01, 0x01, 0x7f, 0x01, 0x00}),
        Arguments.of("controls overrun the message",
            new int[] {0x30, 0x07, 0x02, 0x01, 0x01, 0x42, 0x00, 0xa0, 0x05}),
        Arguments.of("not a SEQUENCE", new int[] {0x31, 0x05, 0x02, 0x01, 0x01, 0x42, 0x00}),
        Arguments.of("indefinite length", new int[] {0x30, 0x80, 0x02, 0x01, 0x01, 0x42, 0x00,
            0x00, 0x00}));
  }

  @Test
  void skipsTrailingComponentsAfterTheControlsAsRfc4511Asks() throws Exception {
    // RFC 4511 §4: trailing SEQUENCE components whose tags are not recognised are ignored.
    LdapMessage m = new LdapMessage().parse(
        bytes(0x30, 0x0b, 0x02, 0x01, 0x01, 0x42, 0x00, 0xa0, 0x00, 0x04, 0x00, 0x89, 0x00));
    assertThat(m.hasControls()).isTrue();
    assertThat(m.controlsStart()).isEqualTo(7);
    assertThat(m.controlsEnd()).isEqualTo(9);
    assertThat(m.end()).isEqualTo(13);
    assertThat(m.hasTrailingComponents()).isTrue();
  }

  @Test
  void anElementAfterTheOperationThatIsNotTaggedZeroIsATrailingComponentNotControls()
      throws Exception {
    // slapd ignores it too (get_ctrls looks for [0] only).
    LdapMessage m =
        new LdapMessage().parse(bytes(0x30, 0x07, 0x02, 0x01, 0x01, 0x42, 0x00, 0xa1, 0x00));
    assertThat(m.hasControls()).isFalse();
    assertThat(m.controlsEnd()).isEqualTo(-1);
    assertThat(m.hasTrailingComponents()).isTrue();
    LdapMessage plain = new LdapMessage().parse(bytes(0x30, 0x05, 0x02, 0x01, 0x01, 0x42, 0x00));
    assertThat(plain.hasTrailingComponents()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void rejectsMalformedEnvelopes(String what, int[] octets) {
    assertThatThrownBy(() -> new LdapMessage().parse(bytes(octets)))
        .isInstanceOf(MalformedPduException.class);
  }

  private static ByteBuf bytes(int... octets) {
    ByteBuf buf = Unpooled.buffer(octets.length);
    for (int b : octets) {
      buf.writeByte(b);
    }
    return buf;
  }
}
