package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class BindRequestTest {
  private static BindRequest parse(BindRequestProtocolOp op) throws MalformedPduException {
    return BindRequest.parse(new LdapMessage().parse(UnboundIdCodec.frame(1, op)));
  }

  @Test
  void readsASimpleBind() throws Exception {
    BindRequest b = parse(new BindRequestProtocolOp("uid=jö,dc=example,dc=com", "secret"));
    assertThat(b.version()).isEqualTo(3);
    assertThat(b.name()).isEqualTo("uid=jö,dc=example,dc=com");
    assertThat(b.isSasl()).isFalse();
    assertThat(b.saslMechanism()).isNull();
    assertThat(b.emptyPassword()).isFalse();
    assertThat(b.isAnonymous()).isFalse();
  }

  @Test
  void readsAnAnonymousBind() throws Exception {
    BindRequest b = parse(new BindRequestProtocolOp("", ""));
    assertThat(b.name()).isEmpty();
    assertThat(b.isAnonymous()).isTrue();
  }

  @Test
  void anUnauthenticatedBindIsAnonymous() throws Exception {
    // RFC 4513 §5.1.2: a name without a password.
    BindRequest b = parse(new BindRequestProtocolOp("uid=jo,dc=example,dc=com", ""));
    assertThat(b.name()).isEqualTo("uid=jo,dc=example,dc=com");
    assertThat(b.emptyPassword()).isTrue();
    assertThat(b.isAnonymous()).isTrue();
  }

  @Test
  void readsASaslBindWithCredentials() throws Exception {
    BindRequest b = parse(new BindRequestProtocolOp("", "DIGEST-MD5",
        new ASN1OctetString(new byte[300])));
    assertThat(b.isSasl()).isTrue();
    assertThat(b.saslMechanism()).isEqualTo("DIGEST-MD5");
    assertThat(b.isAnonymous()).isFalse();
  }

  @Test
  void readsASaslBindWithoutCredentials() throws Exception {
    BindRequest b = parse(new BindRequestProtocolOp(null, "EXTERNAL", null));
    assertThat(b.isSasl()).isTrue();
    assertThat(b.saslMechanism()).isEqualTo("EXTERNAL");
    assertThat(b.name()).isEmpty();
  }

  @Test
  void readsABindWithControls() throws Exception {
    ByteBuf frame = UnboundIdCodec.frame(1, new BindRequestProtocolOp("cn=a", "b"),
        new Control("1.3.6.1.4.1.42.2.27.8.5.1", false));
    BindRequest b = BindRequest.parse(new LdapMessage().parse(frame));
    assertThat(b.name()).isEqualTo("cn=a");
    assertThat(b.emptyPassword()).isFalse();
  }

  @Test
  void readsTheVersion() throws Exception {
    // Version 2 simple bind, name "", password "x": the caller refuses it, not the parser.
    ByteBuf frame = bytes(0x30, 0x0d, 0x02, 0x01, 0x01, 0x60, 0x08, 0x02, 0x01, 0x02, 0x04,
        0x00, 0x80, 0x01, 'x');
    BindRequest b = BindRequest.parse(new LdapMessage().parse(frame));
    assertThat(b.version()).isEqualTo(2);
    assertThat(b.isSasl()).isFalse();
  }

  @Test
  void anotherAuthenticationChoiceIsAnUnknownMethodNotAMalformedRequest() throws Exception {
    // [1] is reserved (RFC 4511 §4.2) and the CHOICE extensible: answered authMethodNotSupported.
    ByteBuf frame = bytes(0x30, 0x0d, 0x02, 0x01, 0x01, 0x60, 0x08, 0x02, 0x01, 0x03, 0x04,
        0x00, 0x81, 0x01, 'x');
    BindRequest b = BindRequest.parse(new LdapMessage().parse(frame));
    assertThat(b.knownMethod()).isFalse();
    assertThat(b.isSasl()).isFalse();
    assertThat(b.isAnonymous()).isFalse();
  }

  @Test
  void rejectsABindWithoutAuthentication() {
    ByteBuf frame = bytes(0x30, 0x0a, 0x02, 0x01, 0x01, 0x60, 0x05, 0x02, 0x01, 0x03, 0x04,
        0x00);
    assertThatThrownBy(() -> BindRequest.parse(new LdapMessage().parse(frame)))
        .isInstanceOf(MalformedPduException.class);
  }

  @Test
  void rejectsASaslBindWithoutMechanism() {
    ByteBuf frame = bytes(0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03, 0x04,
        0x00, 0xa3, 0x00);
    assertThatThrownBy(() -> BindRequest.parse(new LdapMessage().parse(frame)))
        .isInstanceOf(MalformedPduException.class);
  }

  @Test
  void rejectsANameThatIsNotAnOctetString() {
    ByteBuf frame = bytes(0x30, 0x0d, 0x02, 0x01, 0x01, 0x60, 0x08, 0x02, 0x01, 0x03, 0x02,
        0x00, 0x80, 0x01, 'x');
    assertThatThrownBy(() -> BindRequest.parse(new LdapMessage().parse(frame)))
        .isInstanceOf(MalformedPduException.class)
        .hasMessageContaining("expected tag 0x4");
  }

  private static ByteBuf bytes(int... octets) {
    ByteBuf buf = Unpooled.buffer(octets.length);
    for (int b : octets) {
      buf.writeByte(b);
    }
    return buf;
  }

  @Test
  void knowsWhenADigestMd5ResponseAsksForASecurityLayer() throws Exception {
    String common = "username=\"u\",realm=\"r\",nonce=\"n\",cnonce=\"c\",nc=00000001,";
    for (String qop : new String[] {"qop=auth-int", "qop=auth-conf", "qop=\"auth-conf\"",
        "QOP = AUTH-INT"}) {
      BindRequest b = parse(new BindRequestProtocolOp("", "DIGEST-MD5",
          new ASN1OctetString(common + qop + ",digest-uri=\"ldap/h\",response=00")));
      assertThat(b.asksForSecurityLayer()).as(qop).isTrue();
    }
    for (String qop : new String[] {"qop=auth", "qop=\"auth\"", "", "x=\"qop=auth-conf\""}) {
      BindRequest b = parse(new BindRequestProtocolOp("", "DIGEST-MD5",
          new ASN1OctetString(common + qop + ",digest-uri=\"ldap/h\",response=00")));
      assertThat(b.asksForSecurityLayer()).as(qop).isFalse();
    }
    // The first step carries no credentials; other mechanisms are not read.
    assertThat(parse(new BindRequestProtocolOp("", "DIGEST-MD5", null)).asksForSecurityLayer())
        .isFalse();
    assertThat(parse(new BindRequestProtocolOp("", "PLAIN",
        new ASN1OctetString("qop=auth-conf"))).asksForSecurityLayer()).isFalse();
  }
}
