package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.Messages.bindDone;
import static org.ldapbalancer.testing.Messages.saslBind;
import static org.ldapbalancer.testing.Messages.search;
import static org.ldapbalancer.testing.Messages.simpleBind;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.upstream.EmbeddedUpstreams;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/**
 * A SASL EXTERNAL bind is a bind like any other for the connection's state (it abandons pending
 * operations, ends a SASL exchange, and leaves the client anonymous when refused), but it is
 * answered here and never reaches a bind connection. Without TLS or a Unix socket it is refused
 * with inappropriateAuthentication; the granted cases need real TLS and sockets (SaslExternalIT,
 * LdapiListenerIT).
 */
class ExternalBindTest {
  private static final String JO = "uid=jo,dc=example,dc=com";

  private EmbeddedUpstreams ups;
  private Upstream regular;
  private Upstream binds;
  private EmbeddedChannel client;

  @BeforeEach
  void start() {
    ups = EmbeddedUpstreams.create();
    regular = ups.regular(500);
    binds = ups.bind(900);
    LdapFrameDecoder framer = new LdapFrameDecoder(EmbeddedUpstreams.MAX_PDU);
    ClientSettings settings = new ClientSettings(0, true, "dn:cn=balancer,dc=example,dc=com", 0);
    client = new EmbeddedChannel(framer, new ClientConnection(ups.router(), settings, framer));
  }

  @AfterEach
  void release() {
    ups.endTurn();
    ups.releaseUnread();
    client.finishAndReleaseAll();
  }

  @Test
  void refusedWithoutTlsAbandoningWhatWasPendingAndLeavingTheClientAnonymous() {
    client.writeInbound(Pdus.frame(1, simpleBind(JO, "pw")));
    binds.answer(only(binds.sent()).getMessageID(), bindDone(ResultCode.SUCCESS));
    assertThat(Pdus.resultCode(only(answers()))).isEqualTo(ResultCode.SUCCESS);
    client.writeInbound(Pdus.frame(2, search()));
    assertThat(Pdus.controlValue(only(regular.sent()), Oids.PROXIED_AUTHORIZATION))
        .isEqualTo("dn:" + JO);

    client.writeInbound(Pdus.frame(3, new BindRequestProtocolOp("", "EXTERNAL", null)));
    LDAPMessage refused = only(answers());
    assertThat(refused.getMessageID()).isEqualTo(3);
    assertThat(Pdus.resultCode(refused)).isEqualTo(ResultCode.INAPPROPRIATE_AUTHENTICATION);
    assertThat(Pdus.diagnostic(refused)).contains("SASL EXTERNAL needs TLS");
    assertThat(only(regular.sent()).getProtocolOpType())
        .as("the pending search abandoned")
        .isEqualTo(LDAPMessage.PROTOCOL_OP_TYPE_ABANDON_REQUEST);
    assertThat(binds.sent()).as("EXTERNAL never goes upstream").isEmpty();

    client.writeInbound(Pdus.frame(4, search()));
    assertThat(Pdus.controlValue(only(regular.sent()), Oids.PROXIED_AUTHORIZATION))
        .isEqualTo("dn:");
  }

  @Test
  void itEndsASaslExchangeInProgress() {
    client.writeInbound(Pdus.frame(1, saslBind("SCRAM-SHA-256", "client-first")));
    binds.answer(only(binds.sent()).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));
    assertThat(Pdus.resultCode(only(answers()))).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS);

    client.writeInbound(Pdus.frame(2, new BindRequestProtocolOp("", "EXTERNAL", null)));
    assertThat(Pdus.resultCode(only(answers())))
        .isEqualTo(ResultCode.INAPPROPRIATE_AUTHENTICATION);
    // The bind connection is told to forget the exchange (an anonymous simple bind), so that
    // it can serve others; the client's next step would start afresh.
    LDAPMessage reset = only(binds.sent());
    assertThat(reset.getBindRequestProtocolOp().getSASLMechanism()).isNull();
    assertThat(reset.getBindRequestProtocolOp().getBindDN()).isEmpty();
  }

  private List<LDAPMessage> answers() {
    ups.endTurn();
    return Pdus.written(client);
  }

  private static LDAPMessage only(List<LDAPMessage> messages) {
    assertThat(messages).hasSize(1);
    return messages.get(0);
  }
}
