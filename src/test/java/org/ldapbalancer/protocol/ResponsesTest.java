package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.AddResponseProtocolOp;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.CompareResponseProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.GenericResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.sdk.Control;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

class ResponsesTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private static final List<Integer> RESPONSE_TAGS = List.of(ProtocolOp.BIND_RESPONSE,
      ProtocolOp.SEARCH_RESULT_DONE, ProtocolOp.MODIFY_RESPONSE, ProtocolOp.ADD_RESPONSE,
      ProtocolOp.DEL_RESPONSE, ProtocolOp.MODIFY_DN_RESPONSE, ProtocolOp.COMPARE_RESPONSE,
      ProtocolOp.EXTENDED_RESPONSE);

  /** resultCode, matchedDN and diagnosticMessage of any LDAPResult-shaped op. */
  private record Result(int code, String matchedDn, String diagnostic) {
    static Result of(com.unboundid.ldap.protocol.ProtocolOp op) {
      if (op instanceof GenericResponseProtocolOp g) {
        return new Result(g.getResultCode(), g.getMatchedDN(), g.getDiagnosticMessage());
      } else if (op instanceof BindResponseProtocolOp b) {
        return new Result(b.getResultCode(), b.getMatchedDN(), b.getDiagnosticMessage());
      } else if (op instanceof ExtendedResponseProtocolOp e) {
        return new Result(e.getResultCode(), e.getMatchedDN(), e.getDiagnosticMessage());
      }
      throw new AssertionError("not a response: " + op);
    }
  }

  @Test
  void resultsDecodeToWhatWasMeant() {
    qt().forAll(LdapGens.messageIds(), Generate.pick(RESPONSE_TAGS), integers().between(0, 4096),
            LdapGens.text(0, 300))
        .checkAssert((id, tag, code, diagnostic) -> {
          byte[] pdu = UnboundIdCodec.drain(Responses.result(ALLOC, id, tag, code, diagnostic));
          LDAPMessage m = decode(pdu);
          assertThat(m.getMessageID()).isEqualTo(id);
          assertThat(m.getProtocolOp().getProtocolOpType() & 0xff).isEqualTo(tag);
          Result r = Result.of(m.getProtocolOp());
          assertThat(r.code()).isEqualTo(code);
          assertThat(Objects.requireNonNullElse(r.matchedDn(), "")).isEmpty();
          assertThat(Objects.requireNonNullElse(r.diagnostic(), "")).isEqualTo(diagnostic);
          assertThat(m.getControls()).isEmpty();
        });
  }

  @Test
  void extendedResponsesCarryTheirNameOnlyWhenGiven() {
    qt().forAll(LdapGens.messageIds(), integers().between(0, 200), LdapGens.text(0, 200),
            Generate.pick(List.of("", Oids.START_TLS, Oids.WHO_AM_I, "1.2.3." + "4".repeat(130))))
        .checkAssert((id, code, diagnostic, oid) -> {
          String name = oid.isEmpty() ? null : oid;
          byte[] pdu =
              UnboundIdCodec.drain(Responses.extended(ALLOC, id, code, diagnostic, name));
          ExtendedResponseProtocolOp op = decode(pdu).getExtendedResponseProtocolOp();
          assertThat(op.getResultCode()).isEqualTo(code);
          assertThat(Objects.requireNonNullElse(op.getDiagnosticMessage(), ""))
              .isEqualTo(diagnostic);
          assertThat(op.getResponseOID()).isEqualTo(name);
          assertThat(op.getResponseValue()).isNull();
        });
  }

  @Test
  void noticeOfDisconnectionIsUnsolicitedWithItsOid() throws Exception {
    byte[] pdu = UnboundIdCodec.drain(
        Responses.noticeOfDisconnection(ALLOC, ResultCode.PROTOCOL_ERROR, "bad PDU"));
    LDAPMessage m = decode(pdu);
    assertThat(m.getMessageID()).isZero();
    ExtendedResponseProtocolOp op = m.getExtendedResponseProtocolOp();
    assertThat(op.getResultCode()).isEqualTo(2);
    assertThat(op.getResponseOID()).isEqualTo("1.3.6.1.4.1.1466.20036");
    assertThat(op.getDiagnosticMessage()).isEqualTo("bad PDU");
  }

  @Test
  void locallyMadeResponsesParseWithTheBalancersOwnView() throws Exception {
    ByteBuf made = Responses.result(ALLOC, 77, ProtocolOp.SEARCH_RESULT_DONE,
        ResultCode.BUSY, "x".repeat(200));
    try {
      LdapMessage m = new LdapMessage().parse(made);
      assertThat(m.messageId()).isEqualTo(77);
      assertThat(m.opTag()).isEqualTo(ProtocolOp.SEARCH_RESULT_DONE);
      assertThat(Responses.resultCode(m)).isEqualTo(ResultCode.BUSY);
    } finally {
      made.release();
    }
  }

  @Test
  void readsTheResultCodeOfResponsesEncodedByUnboundId() throws Exception {
    List<com.unboundid.ldap.protocol.ProtocolOp> ops = List.of(
        new SearchResultDoneProtocolOp(32, "dc=example,dc=com", "no such object", null),
        new AddResponseProtocolOp(68, null, null, null),
        new CompareResponseProtocolOp(6, null, null, null),
        new BindResponseProtocolOp(49, null, "invalid credentials", null,
            new ASN1OctetString("x")),
        new ExtendedResponseProtocolOp(0, null, null, null, Oids.WHO_AM_I,
            new ASN1OctetString("dn:cn=x")),
        new SearchResultDoneProtocolOp(4096, null, null, List.of("ldap://a/", "ldap://b/")));
    for (com.unboundid.ldap.protocol.ProtocolOp op : ops) {
      LdapMessage m = new LdapMessage().parse(UnboundIdCodec.frame(3, op));
      assertThat(Responses.resultCode(m)).as("%s", op).isEqualTo(Result.of(op).code());
    }
  }

  @Test
  void readsTheExtendedResponseValue() throws Exception {
    assertThat(extendedValue(new ExtendedResponseProtocolOp(0, null, null, null, Oids.WHO_AM_I,
        new ASN1OctetString("dn:uid=jö,dc=example,dc=com"))))
        .isEqualTo("dn:uid=jö,dc=example,dc=com");
    // Whatever comes before it: referrals, a response name.
    assertThat(extendedValue(new ExtendedResponseProtocolOp(10, "dc=example,dc=com", "see there",
        List.of("ldap://other.example.com/"), "1.2.3", new ASN1OctetString("v"))))
        .isEqualTo("v");
    // Without a name.
    assertThat(extendedValue(new ExtendedResponseProtocolOp(0, null, null, null, null,
        new ASN1OctetString("u:jo")))).isEqualTo("u:jo");
    assertThat(extendedValue(new ExtendedResponseProtocolOp(0, null, null, null, null,
        new ASN1OctetString("")))).isEmpty();
  }

  @Test
  void anExtendedResponseWithoutValueHasNone() throws Exception {
    assertThat(extendedValue(new ExtendedResponseProtocolOp(0, null, null, null, Oids.WHO_AM_I,
        null))).isNull();
    assertThat(extendedValue(new ExtendedResponseProtocolOp(53, null, "no", null, null, null)))
        .isNull();
  }

  @Test
  void rejectsAResponseWithoutResultCode() {
    // A SearchResultDone whose content starts with an OCTET STRING.
    ByteBuf frame = Unpooled.wrappedBuffer(
        new byte[] {0x30, 0x07, 0x02, 0x01, 0x01, 0x65, 0x02, 0x04, 0x00});
    assertThatThrownBy(() -> Responses.resultCode(new LdapMessage().parse(frame)))
        .isInstanceOf(MalformedPduException.class);
  }

  @Test
  void rejectsATruncatedExtendedResponse() {
    // An ExtendedResponse with only its resultCode.
    ByteBuf frame = Unpooled.wrappedBuffer(
        new byte[] {0x30, 0x08, 0x02, 0x01, 0x01, 0x78, 0x03, 0x0a, 0x01, 0x00});
    assertThatThrownBy(() -> Responses.extendedResponseValue(new LdapMessage().parse(frame)))
        .isInstanceOf(MalformedPduException.class);
  }

  private static String extendedValue(ExtendedResponseProtocolOp op) throws Exception {
    return Responses.extendedResponseValue(new LdapMessage().parse(UnboundIdCodec.frame(9, op)));
  }

  private static LDAPMessage decode(byte[] pdu) {
    try {
      return UnboundIdCodec.decode(pdu);
    } catch (Exception e) {
      throw new AssertionError("does not decode: " + e, e);
    }
  }

  @Test
  void aResponseWithoutItsDiagnosticKeepsEverythingElse() throws Exception {
    // saslBindInProgress with a stale text, a referral, server credentials and a control.
    LDAPMessage original = new LDAPMessage(
        42,
        new BindResponseProtocolOp(14, "dc=example,dc=com",
            "SASL(-4): no mechanism available: Couldn't find mech FOO",
            List.of("ldap://other/"),
            new ASN1OctetString(new byte[] {1, 2, 3})),
        new Control("1.2.3.4", false,
            new ASN1OctetString("v")));
    LdapMessage view = new LdapMessage().parse(
        Unpooled.wrappedBuffer(original.encode().encode()));
    ByteBuf out = Responses.withoutDiagnostic(ALLOC, view, 7);
    try {
      LDAPMessage rewritten =
          LDAPMessage.decode(ASN1Element.decode(
              ByteBufUtil.getBytes(out)));
      assertThat(rewritten.getMessageID()).isEqualTo(7);
      BindResponseProtocolOp bind = rewritten.getBindResponseProtocolOp();
      assertThat(bind.getResultCode()).isEqualTo(14);
      assertThat(bind.getMatchedDN()).isEqualTo("dc=example,dc=com");
      assertThat(bind.getDiagnosticMessage()).isNull(); // empty, as UnboundID reads it
      assertThat(bind.getReferralURLs()).containsExactly("ldap://other/");
      assertThat(bind.getServerSASLCredentials().getValue()).containsExactly(1, 2, 3);
      assertThat(rewritten.getControls()).singleElement()
          .satisfies(c -> assertThat(c.getOID()).isEqualTo("1.2.3.4"));
    } finally {
      out.release();
    }
  }
}
