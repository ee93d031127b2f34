package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.Messages.bindDone;
import static org.ldapbalancer.testing.Messages.search;
import static org.ldapbalancer.testing.Messages.simpleBind;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.controls.ProxiedAuthorizationV2RequestControl;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.testing.SessionTracking;
import org.ldapbalancer.upstream.EmbeddedUpstreams;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/**
 * {@code feature session-tracking}: every forwarded operation carries a Session Tracking control
 * (draft-wahl-ldap-session-03) naming the client's identity, next to the Proxied Authorization
 * control or without it, and it follows the identity through binds.
 */
class SessionTrackingTest {
  private static final String OWN_DN = "cn=balancer,dc=example,dc=com";
  private static final String JO = "uid=jo,dc=example,dc=com";

  private EmbeddedUpstreams ups;
  private Upstream regular;
  private Upstream binds;
  private EmbeddedChannel client;

  private void start(boolean proxyAuthz, boolean sessionTracking) {
    ClientSettings settings = new ClientSettings(0, proxyAuthz, "dn:" + OWN_DN, 0);
    if (sessionTracking) {
      settings = settings.withSessionTracking("lb.example");
    }
    ups = EmbeddedUpstreams.create();
    regular = ups.regular(500);
    binds = ups.bind(900);
    LdapFrameDecoder framer = new LdapFrameDecoder(EmbeddedUpstreams.MAX_PDU);
    client = new EmbeddedChannel(framer, new ClientConnection(ups.router(), settings, framer));
  }

  @AfterEach
  void release() {
    ups.endTurn();
    ups.releaseUnread();
    client.finishAndReleaseAll();
  }

  @Test
  void theControlFollowsTheIdentityAndSitsBesideProxiedAuthorization() {
    start(true, true);
    client.writeInbound(Pdus.frame(1, search()));
    LDAPMessage anonymous = only(regular.sent());
    assertThat(Pdus.controlValue(anonymous, Oids.PROXIED_AUTHORIZATION)).isEqualTo("dn:");
    SessionTracking before = SessionTracking.in(anonymous.getControls());
    assertThat(before)
        .isEqualTo(
            new SessionTracking(false, "", "lb.example", SessionTracking.USERNAME_FORMAT, "dn:"));

    bindAs(2, JO);
    client.writeInbound(Pdus.frame(3, search()));
    // The bind abandoned the first search upstream: only the second search is of interest.
    LDAPMessage bound =
        only(
            regular.sent().stream()
                .filter(m -> m.getProtocolOpType() == LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_REQUEST)
                .toList());
    assertThat(Pdus.controlValue(bound, Oids.PROXIED_AUTHORIZATION)).isEqualTo("dn:" + JO);
    assertThat(SessionTracking.in(bound.getControls()).identifier()).isEqualTo("dn:" + JO);
  }

  @Test
  void theBalancersOwnIdentityIsTrackedAndItsOwnProxiedAuthorizationPassesThrough() {
    start(true, true);
    bindAs(1, OWN_DN);
    Control own = new ProxiedAuthorizationV2RequestControl("dn:" + JO);
    client.writeInbound(Pdus.frame(2, search(), own));

    LDAPMessage sent = only(regular.sent());
    assertThat(sent.getControls().stream().map(Control::getOID))
        .containsExactly(Oids.PROXIED_AUTHORIZATION, Oids.SESSION_TRACKING);
    assertThat(Pdus.controlValue(sent, Oids.PROXIED_AUTHORIZATION)).isEqualTo("dn:" + JO);
    assertThat(SessionTracking.in(sent.getControls()).identifier()).isEqualTo("dn:" + OWN_DN);
  }

  @Test
  void withoutProxiedAuthorizationTheControlIsAddedAlone() {
    start(false, true);
    client.writeInbound(Pdus.frame(1, search()));
    LDAPMessage sent = only(regular.sent());
    assertThat(sent.getControls().stream().map(Control::getOID))
        .containsExactly(Oids.SESSION_TRACKING);
  }

  @Test
  void offByDefault() {
    start(true, false);
    client.writeInbound(Pdus.frame(1, search()));
    assertThat(SessionTracking.in(only(regular.sent()).getControls())).isNull();
  }

  private void bindAs(int id, String dn) {
    client.writeInbound(Pdus.frame(id, simpleBind(dn, "pw")));
    binds.answer(only(binds.sent()).getMessageID(), bindDone(ResultCode.SUCCESS));
    ups.endTurn();
    List<LDAPMessage> answers = Pdus.written(client);
    assertThat(answers).hasSize(1);
    assertThat(Pdus.resultCode(answers.get(0))).isEqualTo(ResultCode.SUCCESS);
  }

  private static LDAPMessage only(List<LDAPMessage> messages) {
    assertThat(messages).hasSize(1);
    return messages.get(0);
  }
}
