package org.ldapbalancer.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.asn1.ASN1Element;
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
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The root DSE entry with EXTERNAL added, checked by decoding the result with UnboundID. */
class RootDseTest {
  private static final String MECHS = RootDse.SASL_MECHANISMS;

  @Test
  void onlyABaseSearchOfTheEmptyDnReadsTheRootDse() throws Exception {
    assertThat(RootDse.isRootDseSearch(view(search("", SearchScope.BASE)))).isTrue();
    assertThat(RootDse.isRootDseSearch(view(search("", SearchScope.ONE)))).isFalse();
    assertThat(RootDse.isRootDseSearch(view(search("dc=example", SearchScope.BASE)))).isFalse();
  }

  @Test
  void theAttributeIsAskedForByNameOrByPlus() throws Exception {
    assertThat(
            RootDse.asksForMechanisms(
                view(search("", SearchScope.BASE, "supportedsaslmechanisms"))))
        .isTrue();
    assertThat(RootDse.asksForMechanisms(view(search("", SearchScope.BASE, "cn", "+")))).isTrue();
    assertThat(RootDse.asksForMechanisms(view(search("", SearchScope.BASE)))).isFalse();
    assertThat(RootDse.asksForMechanisms(view(search("", SearchScope.BASE, "*")))).isFalse();
  }

  @Test
  void aTypesOnlySearchIsToldApart() throws Exception {
    assertThat(RootDse.typesOnly(view(search("", SearchScope.BASE, MECHS)))).isFalse();
    LDAPMessage typesOnly = new LDAPMessage(3, new SearchRequestProtocolOp("", SearchScope.BASE,
        DereferencePolicy.NEVER, 0, 0, true, Filter.createPresenceFilter("objectClass"),
        List.of(MECHS)));
    assertThat(RootDse.typesOnly(view(typesOnly))).isTrue();
  }

  @Test
  void externalJoinsTheServersMechanismsAndTheRestIsKept() throws Exception {
    LDAPMessage rewritten =
        rewrite(
            entry(
                "",
                new Attribute("objectClass", "top"),
                new Attribute(MECHS, "DIGEST-MD5", "SCRAM-SHA-256"),
                new Attribute("supportedLDAPVersion", "3")),
            true,
            new Control("1.2.3.4", false));
    assertThat(rewritten.getMessageID()).isEqualTo(7);
    SearchResultEntryProtocolOp op = rewritten.getSearchResultEntryProtocolOp();
    assertThat(op.getDN()).isEmpty();
    assertThat(op.getAttributes()).hasSize(3);
    assertThat(op.getAttributes().get(1).getValues())
        .containsExactly("DIGEST-MD5", "SCRAM-SHA-256", "EXTERNAL");
    assertThat(op.getAttributes().get(2).getValue()).isEqualTo("3");
    assertThat(rewritten.getControls()).extracting(Control::getOID).containsExactly("1.2.3.4");
  }

  @Test
  void theAttributeIsAddedOnlyWhenAskedFor() throws Exception {
    LDAPMessage added = rewrite(entry("", new Attribute("objectClass", "top")), true);
    assertThat(added.getSearchResultEntryProtocolOp().getAttributes().get(1))
        .isEqualTo(new Attribute(MECHS, "EXTERNAL"));
    assertThat(rewriteOrNull(entry("", new Attribute("objectClass", "top")), false)).isNull();
  }

  @Test
  void nothingChangesWhenTheServerOffersItOrTheEntryIsAnother() throws Exception {
    assertThat(rewriteOrNull(entry("", new Attribute(MECHS, "external")), true)).isNull();
    assertThat(rewriteOrNull(entry("cn=x", new Attribute(MECHS, "PLAIN")), true)).isNull();
  }

  private static LDAPMessage rewrite(LDAPMessage entry, boolean add, Control... controls)
      throws Exception {
    ByteBuf out = rewriteOrNull(entry, add, controls);
    assertThat(out).isNotNull();
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    out.release();
    return LDAPMessage.decode(ASN1Element.decode(bytes));
  }

  private static ByteBuf rewriteOrNull(LDAPMessage entry, boolean add, Control... controls)
      throws Exception {
    LDAPMessage withControls =
        new LDAPMessage(entry.getMessageID(), entry.getProtocolOp(), controls);
    return RootDse.withMechanism(
        ByteBufAllocator.DEFAULT, view(withControls), 7, "EXTERNAL", add);
  }

  private static LDAPMessage entry(String dn, Attribute... attributes) {
    return new LDAPMessage(900, new SearchResultEntryProtocolOp(dn, List.of(attributes)));
  }

  private static LDAPMessage search(String base, SearchScope scope, String... attributes) {
    return new LDAPMessage(
        3,
        new SearchRequestProtocolOp(
            base, scope, DereferencePolicy.NEVER, 0, 0, false,
            Filter.createPresenceFilter("objectClass"), List.of(attributes)));
  }

  private static LdapMessage view(LDAPMessage message) throws MalformedPduException {
    return new LdapMessage().parse(Unpooled.wrappedBuffer(message.encode().encode()));
  }
}
