package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchResultEntryProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RootDseRewriterTest {
  private static final RootDseRewriter REWRITER =
      new RootDseRewriter(
          oid -> !Set.of("2.16.840.1.113730.3.4.9", "1.3.6.1.1.21.2").contains(oid),
          oid -> !oid.equals("1.3.6.1.1.21.1"));

  private static LdapMessage view(ByteBuf frame) throws Exception {
    return new LdapMessage().parse(frame);
  }

  @Test
  void hiddenOidsLeaveTheirListsAndEverythingElseStaysAsItWas() throws Exception {
    SearchResultEntryProtocolOp entry =
        new SearchResultEntryProtocolOp(
            "",
            List.of(
                new Attribute("objectClass", "top", "OpenLDAProotDSE"),
                new Attribute(
                    "supportedControl",
                    "2.16.840.1.113730.3.4.9",
                    "1.2.840.113556.1.4.319",
                    "1.3.6.1.1.21.2"),
                new Attribute("SUPPORTEDEXTENSION", "1.3.6.1.1.21.1", "1.3.6.1.1.8"),
                new Attribute("namingContexts", "dc=example,dc=com")));
    Control onEntry = new Control("1.2.3.4", false);
    ByteBuf frame = UnboundIdCodec.frame(77, entry, onEntry);
    try {
      byte[] out =
          UnboundIdCodec.drain(REWRITER.rewrite(ByteBufAllocator.DEFAULT, view(frame), 5));
      LDAPMessage decoded = UnboundIdCodec.decode(out);

      assertThat(decoded.getMessageID()).isEqualTo(5);
      assertThat(decoded.getControls()).containsExactly(onEntry);
      var result = decoded.getSearchResultEntryProtocolOp().toSearchResultEntry();
      assertThat(result.getDN()).isEmpty();
      assertThat(result.getAttributeValues("supportedControl"))
          .containsExactly("1.2.840.113556.1.4.319");
      assertThat(result.getAttributeValues("supportedExtension")).containsExactly("1.3.6.1.1.8");
      assertThat(result.getAttributeValues("objectClass"))
          .containsExactly("top", "OpenLDAProotDSE");
      assertThat(result.getAttributeValue("namingContexts")).isEqualTo("dc=example,dc=com");
    } finally {
      frame.release();
    }
  }

  private static boolean rootDse(String base, SearchScope scope) throws Exception {
    SearchRequestProtocolOp search =
        new SearchRequestProtocolOp(
            base, scope, DereferencePolicy.NEVER, 0, 0, false,
            Filter.createPresenceFilter("objectClass"), List.of("+"));
    ByteBuf frame = UnboundIdCodec.frame(1, search);
    try {
      return RootDseRewriter.isRootDseSearch(view(frame));
    } finally {
      frame.release();
    }
  }

  @Test
  void onlyABaseSearchOfTheEmptyDnReadsTheRootDse() throws Exception {
    assertThat(rootDse("", SearchScope.BASE)).isTrue();
    assertThat(rootDse("", SearchScope.ONE)).isFalse();
    assertThat(rootDse("dc=example,dc=com", SearchScope.BASE)).isFalse();
  }
}
