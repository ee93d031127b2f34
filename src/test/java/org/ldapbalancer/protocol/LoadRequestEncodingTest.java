package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.asn1.ASN1StreamReader;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Encoded requests, read back by the UnboundID SDK's decoder as the oracle. */
class LoadRequestEncodingTest {
  private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static LDAPMessage decode(ByteBuf buf) throws Exception {
    try {
      byte[] bytes = ByteBufUtil.getBytes(buf);
      return LDAPMessage.readFrom(new ASN1StreamReader(new ByteArrayInputStream(bytes)), true);
    } finally {
      buf.release();
    }
  }

  @Test
  void baseObjectSearchWithAttributes() throws Exception {
    LDAPMessage m = decode(Requests.searchBaseObject(ALLOC, 300,
        utf8("uid=user.42,ou=people,dc=example,dc=com"), new byte[][] {utf8("cn"), utf8("mail")}));
    assertThat(m.getMessageID()).isEqualTo(300);
    SearchRequestProtocolOp op = m.getSearchRequestProtocolOp();
    assertThat(op.getBaseDN()).isEqualTo("uid=user.42,ou=people,dc=example,dc=com");
    assertThat(op.getScope()).isEqualTo(SearchScope.BASE);
    assertThat(op.getDerefPolicy()).isEqualTo(DereferencePolicy.NEVER);
    assertThat(op.getSizeLimit()).isZero();
    assertThat(op.getTimeLimit()).isZero();
    assertThat(op.typesOnly()).isFalse();
    assertThat(op.getFilter()).isEqualTo(Filter.createPresenceFilter("objectClass"));
    assertThat(op.getAttributes()).containsExactly("cn", "mail");
  }

  @Test
  void searchForAllAttributesWithALongDn() throws Exception {
    String dn = "cn=" + "x".repeat(300) + ",dc=example,dc=com";
    LDAPMessage m = decode(Requests.searchBaseObject(ALLOC, 1, utf8(dn), new byte[0][]));
    assertThat(m.getSearchRequestProtocolOp().getBaseDN()).isEqualTo(dn);
    assertThat(m.getSearchRequestProtocolOp().getAttributes()).isEmpty();
  }

  @Test
  void modifyReplacesOneValue() throws Exception {
    LDAPMessage m = decode(Requests.modifyReplace(ALLOC, 70000,
        utf8("uid=user.1,ou=people,dc=example,dc=com"), utf8("description"), utf8("Grüße")));
    assertThat(m.getMessageID()).isEqualTo(70000);
    ModifyRequestProtocolOp op = m.getModifyRequestProtocolOp();
    assertThat(op.getDN()).isEqualTo("uid=user.1,ou=people,dc=example,dc=com");
    assertThat(op.getModifications()).containsExactly(
        new Modification(ModificationType.REPLACE, "description", "Grüße"));
  }

  @Test
  void simpleBindFromBytes() throws Exception {
    LDAPMessage m = decode(Requests.simpleBind(ALLOC, 5, utf8("cn=a"), utf8("secret")));
    assertThat(m.getBindRequestProtocolOp().getBindDN()).isEqualTo("cn=a");
    assertThat(m.getBindRequestProtocolOp().getSimplePassword().stringValue())
        .isEqualTo("secret");
  }
}
