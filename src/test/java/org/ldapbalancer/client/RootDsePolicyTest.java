package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultEntryProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.RootDseRewriter;

/** Which controls and extended operations the root DSE shows, for each configuration. */
class RootDsePolicyTest {
  private static final String START_TLS = "1.3.6.1.4.1.1466.20037";
  private static final String CANCEL = "1.3.6.1.1.8";
  private static final String WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3";
  private static final String TURN = "1.3.6.1.1.19";
  private static final String PAGED = "1.2.840.113556.1.4.319";
  private static final String SORT = "1.2.840.113556.1.4.473";
  private static final String PROXIED = "2.16.840.1.113730.3.4.18";
  private static final List<String> CONTROLS =
      List.of(PAGED, SORT, PROXIED, RootDsePolicy.VLV, RootDsePolicy.TXN_SPEC);
  private static final List<String> EXTENSIONS =
      List.of(START_TLS, CANCEL, WHO_AM_I, TURN, RootDsePolicy.TXN_START, RootDsePolicy.TXN_END);

  /** The entry a server offering everything above would send, as the client sees it. */
  private static SearchResultEntry seen(RootDseRewriter rewriter) throws Exception {
    SearchResultEntryProtocolOp entry =
        new SearchResultEntryProtocolOp(
            "",
            List.of(
                new Attribute("supportedControl", CONTROLS),
                new Attribute("supportedExtension", EXTENSIONS)));
    ByteBuf frame =
        Unpooled.wrappedBuffer(new LDAPMessage(1, entry, List.of()).encode().encode());
    try {
      ByteBuf out = rewriter.rewrite(ByteBufAllocator.DEFAULT, new LdapMessage().parse(frame), 1);
      try {
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return LDAPMessage.decode(com.unboundid.asn1.ASN1Element.decode(bytes))
            .getSearchResultEntryProtocolOp()
            .toSearchResultEntry();
      } finally {
        out.release();
      }
    } finally {
      frame.release();
    }
  }

  @Test
  void byDefaultWhatNeedsAPinOrIsRefusedIsHidden() throws Exception {
    SearchResultEntry e = seen(RootDsePolicy.rewriter(Restrictions.NONE, true, false));
    assertThat(e.getAttributeValues("supportedControl")).containsExactly(PAGED, SORT);
    assertThat(e.getAttributeValues("supportedExtension")).containsExactly(CANCEL, WHO_AM_I);
  }

  /** Clients' own Proxied Authorization controls are refused, proxyauthz on or off. */
  @Test
  void startTlsWithACertificateAndNoProxiedAuthorizationEvenWithoutProxyauthz() throws Exception {
    SearchResultEntry e = seen(RootDsePolicy.rewriter(Restrictions.NONE, false, true));
    assertThat(e.getAttributeValues("supportedControl")).containsExactly(PAGED, SORT);
    assertThat(e.getAttributeValues("supportedExtension"))
        .containsExactly(START_TLS, CANCEL, WHO_AM_I);
  }

  @Test
  void pinsShowTransactionsAndVlvAndRejectsHideWhatTheyName() throws Exception {
    Restrictions r =
        new Restrictions(
            Map.of(
                RootDsePolicy.TXN_START, RestrictAction.CONNECTION,
                CANCEL, RestrictAction.REJECT),
            RestrictAction.IGNORE,
            Map.of(RootDsePolicy.VLV, RestrictAction.CONNECTION, SORT, RestrictAction.REJECT),
            0);
    SearchResultEntry e = seen(RootDsePolicy.rewriter(r, false, false));
    assertThat(e.getAttributeValues("supportedControl"))
        .containsExactly(PAGED, RootDsePolicy.VLV, RootDsePolicy.TXN_SPEC);
    assertThat(e.getAttributeValues("supportedExtension"))
        .containsExactly(WHO_AM_I, RootDsePolicy.TXN_START, RootDsePolicy.TXN_END);
  }

  @Test
  void isolateShowsTransactionsAndVlvAsConnectionDoes() throws Exception {
    Restrictions r =
        new Restrictions(
            Map.of(RootDsePolicy.TXN_START, RestrictAction.ISOLATE),
            RestrictAction.IGNORE,
            Map.of(RootDsePolicy.VLV, RestrictAction.ISOLATE),
            0);
    SearchResultEntry e = seen(RootDsePolicy.rewriter(r, false, false));
    assertThat(e.getAttributeValues("supportedControl")).contains(RootDsePolicy.VLV);
    assertThat(e.getAttributeValues("supportedExtension")).contains(RootDsePolicy.TXN_START);
  }

  @Test
  void aRejectingExopDefaultLeavesOnlyWhatIsNamedOtherwise() throws Exception {
    Restrictions r =
        new Restrictions(
            Map.of(WHO_AM_I, RestrictAction.IGNORE), RestrictAction.REJECT, Map.of(), 0);
    SearchResultEntry e = seen(RootDsePolicy.rewriter(r, true, true));
    assertThat(e.getAttributeValues("supportedExtension")).containsExactly(START_TLS, WHO_AM_I);
  }
}
