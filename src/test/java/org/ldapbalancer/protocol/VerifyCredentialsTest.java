package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.asn1.ASN1Integer;
import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.asn1.ASN1Sequence;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultEntryProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Control;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Verify Credentials encoding, checked by decoding it with UnboundID's ASN.1 classes. */
class VerifyCredentialsTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  private static ASN1Element[] requestValue(ByteBuf made) throws Exception {
    LDAPMessage decoded = UnboundIdCodec.decode(UnboundIdCodec.drain(made));
    assertThat(decoded.getMessageID()).isEqualTo(77);
    ExtendedRequestProtocolOp op = decoded.getExtendedRequestProtocolOp();
    assertThat(op.getOID()).isEqualTo(Oids.VERIFY_CREDENTIALS);
    assertThat(decoded.getControls()).isEmpty(); // the Bind's controls go inside the value
    return ASN1Sequence.decodeAsSequence(op.getValue().getValue()).elements();
  }

  @Test
  void simpleBindBecomesRequestWithNameAndPassword() throws Exception {
    ByteBuf bind = UnboundIdCodec.frame(5, new BindRequestProtocolOp("cn=a,dc=x", "secret"));
    try {
      ASN1Element[] value =
          requestValue(VerifyCredentials.request(ALLOC, 77, new LdapMessage().parse(bind), null, false));
      assertThat(value).hasSize(2);
      assertThat(value[0].decodeAsOctetString().stringValue()).isEqualTo("cn=a,dc=x");
      assertThat(value[1].getType()).isEqualTo((byte) 0x80);
      assertThat(value[1].decodeAsOctetString().stringValue()).isEqualTo("secret");
    } finally {
      bind.release();
    }
  }

  @Test
  void cookieComesFirstAndTheBindsControlsLast() throws Exception {
    Control control = new Control("1.2.3.4", true, new ASN1OctetString("v"));
    ByteBuf bind =
        UnboundIdCodec.frame(
            9,
            new BindRequestProtocolOp(
                "", "SCRAM-SHA-256", new ASN1OctetString(new byte[] {1, 2, 3})),
            control);
    try {
      ASN1Element[] value =
          requestValue(
              VerifyCredentials.request(
                  ALLOC, 77, new LdapMessage().parse(bind), new byte[] {9, 8}, false));
      assertThat(value).hasSize(4);
      assertThat(value[0].getType()).isEqualTo((byte) 0x80);
      assertThat(value[0].getValue()).containsExactly(9, 8);
      assertThat(value[1].decodeAsOctetString().stringValue()).isEmpty();
      assertThat(value[2].getType()).isEqualTo((byte) 0xa3);
      ASN1Element[] sasl = value[2].decodeAsSequence().elements();
      assertThat(sasl[0].decodeAsOctetString().stringValue()).isEqualTo("SCRAM-SHA-256");
      assertThat(sasl[1].getValue()).containsExactly(1, 2, 3);
      assertThat(value[3].getType()).isEqualTo((byte) 0xa2);
      ASN1Element[] controls = value[3].decodeAsSequence().elements();
      assertThat(controls).hasSize(1);
      assertThat(Control.decode(controls[0].decodeAsSequence())).isEqualTo(control);
    } finally {
      bind.release();
    }
  }

  @Test
  void onlyBindRequestsAreTurnedIntoVerifications() throws Exception {
    ByteBuf whoAmI = Requests.whoAmI(ALLOC, 3);
    try {
      LdapMessage view = new LdapMessage().parse(whoAmI);
      assertThatThrownBy(() -> VerifyCredentials.request(ALLOC, 1, view, null, false))
          .isInstanceOf(IllegalArgumentException.class);
    } finally {
      whoAmI.release();
    }
  }

  private static BindResponseProtocolOp bindResponseFor(ExtendedResponseProtocolOp vc, Control... c)
      throws Exception {
    ByteBuf response = UnboundIdCodec.frame(40, vc, c);
    try {
      LDAPMessage decoded =
          UnboundIdCodec.decode(
              UnboundIdCodec.drain(
                  VerifyCredentials.read(new LdapMessage().parse(response)).bindResponse(ALLOC, 40, false)));
      assertThat(decoded.getMessageID()).isEqualTo(40);
      return decoded.getBindResponseProtocolOp();
    } finally {
      response.release();
    }
  }

  private static ExtendedResponseProtocolOp vcResponse(ASN1Element... value) {
    return new ExtendedResponseProtocolOp(
        0, null, null, null, null, new ASN1OctetString(new ASN1Sequence(value).encode()));
  }

  @Test
  void wrongPasswordIsInvalidCredentialsWithTheServersMessage() throws Exception {
    BindResponseProtocolOp bind =
        bindResponseFor(
            vcResponse(new ASN1Integer(49), new ASN1OctetString("bad password")));
    assertThat(bind.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS);
    assertThat(bind.getDiagnosticMessage()).isEqualTo("bad password");
    assertThat(bind.getServerSASLCredentials()).isNull();
  }

  @Test
  void cookieIsDroppedAndServerCredentialsAndControlsAreKept() throws Exception {
    Control control = new Control("1.3.6.1.4.1.42.2.27.8.5.1", false);
    ASN1Sequence controls = new ASN1Sequence((byte) 0xa2, control.encode());
    BindResponseProtocolOp bind =
        bindResponseFor(
            vcResponse(
                new ASN1Integer(14),
                new ASN1OctetString(""),
                new ASN1OctetString((byte) 0x80, new byte[] {1}),
                new ASN1OctetString((byte) 0x81, new byte[] {4, 5}),
                controls));
    assertThat(bind.getResultCode()).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS);
    assertThat(bind.getServerSASLCredentials().getValue()).containsExactly(4, 5);

    ByteBuf response = UnboundIdCodec.frame(1, vcResponse(
        new ASN1Integer(0), new ASN1OctetString(""), controls));
    try {
      LDAPMessage decoded = UnboundIdCodec.decode(UnboundIdCodec.drain(
          VerifyCredentials.read(new LdapMessage().parse(response)).bindResponse(ALLOC, 2, false)));
      assertThat(decoded.getControls()).containsExactly(control);
      assertThat(decoded.getBindResponseProtocolOp().getResultCode()).isZero();
    } finally {
      response.release();
    }
  }

  @Test
  void responseWithoutValueGivesItsOwnResult() throws Exception {
    BindResponseProtocolOp bind =
        bindResponseFor(
            new ExtendedResponseProtocolOp(2, null, "unsupported extended operation", null, null,
                null));
    assertThat(bind.getResultCode()).isEqualTo(ResultCode.PROTOCOL_ERROR);
    assertThat(bind.getDiagnosticMessage()).isEqualTo("unsupported extended operation");
  }

  @Test
  void malformedValueIsRefused() {
    for (ExtendedResponseProtocolOp bad :
        List.of(
            new ExtendedResponseProtocolOp(0, null, null, null, null, new ASN1OctetString("x")),
            vcResponse(new ASN1OctetString("no code")),
            vcResponse(new ASN1Integer(0), new ASN1OctetString(""), new ASN1Integer(7)))) {
      ByteBuf response = UnboundIdCodec.frame(1, bad);
      try {
        LdapMessage view = new LdapMessage().parse(response);
        assertThatThrownBy(() -> VerifyCredentials.read(view).bindResponse(ALLOC, 1, false))
            .isInstanceOf(MalformedPduException.class);
      } catch (MalformedPduException e) {
        throw new AssertionError(e);
      } finally {
        response.release();
      }
    }
  }

  private static final String IDENTITY_REQUEST = "2.16.840.1.113730.3.4.16";

  @Test
  void saslStepCarriesMechanismCredentialsCookieAndAnIdentityRequestAfterTheBindsControls()
      throws Exception {
    Control own = new Control("1.2.3.4", true, new ASN1OctetString("v"));
    ByteBuf bind =
        UnboundIdCodec.frame(
            3,
            new BindRequestProtocolOp("", "PLAIN", new ASN1OctetString("\0jo\0secret")),
            own);
    try {
      LdapMessage view = new LdapMessage().parse(bind);
      assertThat(VerifyCredentials.asksForIdentity(view)).isFalse();
      ASN1Element[] value =
          requestValue(VerifyCredentials.request(ALLOC, 77, view, new byte[] {7}, true));
      assertThat(value).hasSize(4);
      assertThat(value[0].getType()).isEqualTo((byte) 0x80);
      assertThat(value[0].getValue()).containsExactly(7);
      assertThat(value[1].decodeAsOctetString().stringValue()).isEmpty();
      ASN1Element[] sasl = value[2].decodeAsSequence().elements();
      assertThat(value[2].getType()).isEqualTo((byte) 0xa3);
      assertThat(sasl[0].decodeAsOctetString().stringValue()).isEqualTo("PLAIN");
      assertThat(sasl[1].decodeAsOctetString().stringValue()).isEqualTo("\0jo\0secret");
      assertThat(value[3].getType()).isEqualTo((byte) 0xa2);
      ASN1Element[] controls = value[3].decodeAsSequence().elements();
      assertThat(controls).hasSize(2);
      assertThat(Control.decode(controls[0].decodeAsSequence())).isEqualTo(own);
      Control asked = Control.decode(controls[1].decodeAsSequence());
      assertThat(asked.getOID()).isEqualTo(IDENTITY_REQUEST);
      assertThat(asked.isCritical()).as("a server without it goes on").isFalse();
      assertThat(asked.hasValue()).isFalse();
    } finally {
      bind.release();
    }
  }

  @Test
  void firstStepWithoutCredentialsOrControlsGetsOnlyTheIdentityRequest() throws Exception {
    ByteBuf bind =
        UnboundIdCodec.frame(3, new BindRequestProtocolOp("cn=x", "X-TWO-STEP", null));
    try {
      ASN1Element[] value =
          requestValue(
              VerifyCredentials.request(ALLOC, 77, new LdapMessage().parse(bind), null, true));
      assertThat(value).hasSize(3);
      assertThat(value[0].decodeAsOctetString().stringValue()).isEqualTo("cn=x");
      assertThat(value[1].decodeAsSequence().elements()).hasSize(1);
      ASN1Element[] controls = value[2].decodeAsSequence().elements();
      assertThat(controls).singleElement().satisfies(c ->
          assertThat(Control.decode(c.decodeAsSequence()).getOID()).isEqualTo(IDENTITY_REQUEST));
    } finally {
      bind.release();
    }
  }

  @Test
  void aBindThatAsksForItsIdentityItselfIsNotAskedTwice() throws Exception {
    Control own = new Control(IDENTITY_REQUEST, true);
    ByteBuf bind =
        UnboundIdCodec.frame(
            3, new BindRequestProtocolOp("", "PLAIN", new ASN1OctetString("x")), own);
    try {
      LdapMessage view = new LdapMessage().parse(bind);
      assertThat(VerifyCredentials.asksForIdentity(view)).isTrue();
      ASN1Element[] value = requestValue(VerifyCredentials.request(ALLOC, 77, view, null, true));
      ASN1Element[] controls = value[2].decodeAsSequence().elements();
      assertThat(controls).singleElement().satisfies(c ->
          assertThat(Control.decode(c.decodeAsSequence())).isEqualTo(own));
    } finally {
      bind.release();
    }
  }

  /** Reads {@code vc} as {@link VerifyCredentials#read} does, while its frame is alive. */
  private interface AnswerCheck {
    void check(VerifyCredentials.Answer answer) throws Exception;
  }

  private static void withAnswer(ExtendedResponseProtocolOp vc, AnswerCheck check)
      throws Exception {
    ByteBuf response = UnboundIdCodec.frame(40, vc);
    try {
      check.check(VerifyCredentials.read(new LdapMessage().parse(response)));
    } finally {
      response.release();
    }
  }

  private static LDAPMessage decodeBindResponse(ByteBuf made) throws Exception {
    LDAPMessage decoded = UnboundIdCodec.decode(UnboundIdCodec.drain(made));
    assertThat(decoded.getMessageID()).isEqualTo(9);
    return decoded;
  }

  @Test
  void inProgressAnswerGivesItsCookieAndServerCredentials() throws Exception {
    withAnswer(
        vcResponse(
            new ASN1Integer(14),
            new ASN1OctetString("go on"),
            new ASN1OctetString((byte) 0x80, new byte[] {1, 2, 3, 4}),
            new ASN1OctetString((byte) 0x81, "nonce")),
        answer -> {
          assertThat(answer.resultCode()).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS);
          assertThat(answer.cookie()).containsExactly(1, 2, 3, 4);
          assertThat(answer.authzId()).isNull();
          assertThat(answer.identityFromControl()).isNull();
          LDAPMessage bind = decodeBindResponse(answer.bindResponse(ALLOC, 9, true));
          BindResponseProtocolOp op = bind.getBindResponseProtocolOp();
          assertThat(op.getResultCode()).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS);
          assertThat(op.getDiagnosticMessage()).isEqualTo("go on");
          assertThat(op.getServerSASLCredentials().stringValue()).isEqualTo("nonce");
          assertThat(bind.getControls()).isEmpty();
        });
  }

  @Test
  void successNamesItsIdentityInAuthzId() throws Exception {
    withAnswer(
        vcResponse(
            new ASN1Integer(0),
            new ASN1OctetString(""),
            new ASN1OctetString((byte) 0x82, "dn:uid=jo,dc=x")),
        answer -> {
          assertThat(answer.cookie()).isNull();
          assertThat(answer.authzId()).isEqualTo("dn:uid=jo,dc=x");
          LDAPMessage bind = decodeBindResponse(answer.bindResponse(ALLOC, 9, true));
          assertThat(bind.getBindResponseProtocolOp().getResultCode()).isZero();
          assertThat(bind.getBindResponseProtocolOp().getServerSASLCredentials()).isNull();
        });
  }

  @Test
  void identityControlIsReadAndLeftOutOnlyWhenTheBalancerAskedForIt() throws Exception {
    Control before = new Control("1.2.3", false, new ASN1OctetString("a"));
    Control identity =
        new Control(Oids.AUTHORIZATION_IDENTITY_RESPONSE, false, new ASN1OctetString("u:jo"));
    Control after = new Control("1.2.4", true);
    ASN1Sequence controls =
        new ASN1Sequence((byte) 0xa2, before.encode(), identity.encode(), after.encode());
    ExtendedResponseProtocolOp vc = vcResponse(
        new ASN1Integer(0), new ASN1OctetString(""),
        new ASN1OctetString((byte) 0x81, new byte[] {5}), controls);
    withAnswer(vc, answer -> {
      assertThat(answer.authzId()).isNull();
      assertThat(answer.identityFromControl()).isEqualTo("u:jo");
      assertThat(decodeBindResponse(answer.bindResponse(ALLOC, 9, true)).getControls())
          .containsExactly(before, after);
      assertThat(decodeBindResponse(answer.bindResponse(ALLOC, 9, false)).getControls())
          .containsExactly(before, identity, after);
    });

    // The only control left out: no empty controls element.
    withAnswer(
        vcResponse(new ASN1Integer(0), new ASN1OctetString(""),
            new ASN1Sequence((byte) 0xa2, new Control(Oids.AUTHORIZATION_IDENTITY_RESPONSE,
                false, new ASN1OctetString("")).encode())),
        answer -> {
          assertThat(answer.identityFromControl()).isEmpty(); // anonymous (RFC 3829 §3)
          LDAPMessage bind = decodeBindResponse(answer.bindResponse(ALLOC, 9, true));
          assertThat(bind.getControls()).isEmpty();
          assertThat(bind.getBindResponseProtocolOp().getResultCode()).isZero();
        });
  }

  @Test
  void malformedSaslAnswersAreRefused() {
    for (ExtendedResponseProtocolOp bad :
        List.of(
            // authzid after the controls: out of order
            vcResponse(new ASN1Integer(0), new ASN1OctetString(""),
                new ASN1Sequence((byte) 0xa2),
                new ASN1OctetString((byte) 0x82, "dn:")),
            // two cookies
            vcResponse(new ASN1Integer(14), new ASN1OctetString(""),
                new ASN1OctetString((byte) 0x80, "a"), new ASN1OctetString((byte) 0x80, "b")),
            // a control that is not a sequence
            vcResponse(new ASN1Integer(0), new ASN1OctetString(""),
                new ASN1Sequence((byte) 0xa2, new ASN1OctetString("x"))),
            // an identity control without a value
            vcResponse(new ASN1Integer(0), new ASN1OctetString(""),
                new ASN1Sequence((byte) 0xa2,
                    new Control(Oids.AUTHORIZATION_IDENTITY_RESPONSE, false).encode())),
            // a result code that is not an INTEGER
            vcResponse(new ASN1OctetString("0"), new ASN1OctetString("")))) {
      ByteBuf response = UnboundIdCodec.frame(1, bad);
      try {
        LdapMessage view = new LdapMessage().parse(response);
        assertThatThrownBy(() -> VerifyCredentials.read(view))
            .as(bad.toString())
            .isInstanceOf(MalformedPduException.class);
      } catch (MalformedPduException e) {
        throw new AssertionError(e);
      } finally {
        response.release();
      }
    }
  }

  private static boolean announced(Attribute... attributes) throws Exception {
    ByteBuf entry =
        UnboundIdCodec.frame(4, new SearchResultEntryProtocolOp(new Entry("", attributes)));
    try {
      return VerifyCredentials.isAnnouncedBy(new LdapMessage().parse(entry));
    } finally {
      entry.release();
    }
  }

  @Test
  void rootDseAnnouncesItOnlyAmongSupportedExtensionValues() throws Exception {
    assertThat(announced(new Attribute("supportedExtension", Oids.WHO_AM_I,
        Oids.VERIFY_CREDENTIALS))).isTrue();
    assertThat(announced(new Attribute("objectClass", "top"),
        new Attribute("SUPPORTEDEXTENSION", Oids.VERIFY_CREDENTIALS))).isTrue();
    assertThat(announced(new Attribute("supportedExtension", Oids.WHO_AM_I, Oids.START_TLS)))
        .isFalse();
    assertThat(announced(new Attribute("supportedControl", Oids.VERIFY_CREDENTIALS))).isFalse();
    assertThat(announced(new Attribute("supportedExtension", Oids.VERIFY_CREDENTIALS + ".1")))
        .isFalse();
    assertThat(announced()).isFalse();
  }

  @Test
  void onlyAnEntryAnnouncesAnything() throws Exception {
    ByteBuf done = Responses.result(ALLOC, 4, ProtocolOp.SEARCH_RESULT_DONE, 0, "");
    try {
      assertThat(VerifyCredentials.isAnnouncedBy(new LdapMessage().parse(done))).isFalse();
    } finally {
      done.release();
    }
  }
}
