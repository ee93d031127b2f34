package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.Messages.entry;
import static org.ldapbalancer.testing.Messages.modify;
import static org.ldapbalancer.testing.Messages.modifyDone;
import static org.ldapbalancer.testing.Messages.search;
import static org.ldapbalancer.testing.Messages.searchDone;
import static org.ldapbalancer.testing.Messages.simpleBind;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.extensions.CancelExtendedRequest;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.RestrictAction;
import org.ldapbalancer.config.Restrictions;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.upstream.EmbeddedUpstreams;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/**
 * Cancel (RFC 3909), answered by the balancer, and {@code restrict_* reject}, driven over
 * embedded channels with the real router, pool and upstream connection behind them.
 */
class CancelAndRejectTest {
  private static final String WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3";
  private static final String START_TLS = "1.3.6.1.4.1.1466.20037";
  private static final String MANAGE_DSA_IT = "2.16.840.1.113730.3.4.2";
  private static final int REGULAR_IDS = 500;
  private static final ClientSettings SETTINGS =
      new ClientSettings(
          0,
          true,
          "dn:cn=balancer,dc=example,dc=com",
          0,
          null,
          new Restrictions(
              Map.of(WHO_AM_I, RestrictAction.REJECT, START_TLS, RestrictAction.REJECT),
              RestrictAction.IGNORE,
              Map.of(MANAGE_DSA_IT, RestrictAction.REJECT),
              0));

  private EmbeddedUpstreams ups;
  private Upstream regular;
  private final List<EmbeddedChannel> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    ups = EmbeddedUpstreams.create();
    regular = ups.regular(REGULAR_IDS);
    ups.bind(900);
  }

  @AfterEach
  void release() {
    ups.releaseUnread();
    clients.forEach(EmbeddedChannel::releaseOutbound);
  }

  private EmbeddedChannel connect() {
    LdapFrameDecoder framer = new LdapFrameDecoder(EmbeddedUpstreams.MAX_PDU);
    EmbeddedChannel channel =
        new EmbeddedChannel(framer, new ClientConnection(ups.router(), SETTINGS, framer));
    clients.add(channel);
    return channel;
  }

  private static void send(EmbeddedChannel client, int id, ProtocolOp op, Control... controls) {
    client.writeInbound(Pdus.frame(id, op, controls));
  }

  private List<LDAPMessage> answers(EmbeddedChannel client) {
    ups.endTurn();
    return new ArrayList<>(Pdus.written(client));
  }

  /** requestValue is [1] (RFC 4511 §4.12). */
  private static ASN1OctetString requestValue(byte[] value) {
    return new ASN1OctetString((byte) 0x81, value);
  }

  private static ProtocolOp cancel(int id) {
    return new ExtendedRequestProtocolOp(
        "1.3.6.1.1.8", requestValue(new CancelExtendedRequest(id).getValue().getValue()));
  }

  private static ExtendedResponseProtocolOp cancelDone(int resultCode) {
    return new ExtendedResponseProtocolOp(resultCode, null, null, null, null, null);
  }

  @Test
  void aCancelGoesWhereTheOperationRunsUnderItsUpstreamIdAndTheServersAnswersAreRelayed() {
    EmbeddedChannel client = connect();
    send(client, 7, search());
    assertThat(regular.sent()).hasSize(1);

    send(client, 8, cancel(7));

    LDAPMessage forwarded = regular.sent().get(0);
    ExtendedRequestProtocolOp op = forwarded.getExtendedRequestProtocolOp();
    assertThat(op.getOID()).isEqualTo("1.3.6.1.1.8");
    assertThat(forwarded.getControls()).as("the balancer's own request").isEmpty();
    int cancelId = forwarded.getMessageID();
    assertThat(cancelId).isEqualTo(REGULAR_IDS + 1);
    assertThat(answers(client)).as("the server answers, not the balancer").isEmpty();

    regular.answer(REGULAR_IDS, entry("cn=a"));
    regular.answer(REGULAR_IDS, searchDone(ResultCode.CANCELED));
    regular.answer(cancelId, cancelDone(ResultCode.SUCCESS));
    List<LDAPMessage> got = answers(client);
    assertThat(got).extracting(LDAPMessage::getMessageID).containsExactly(7, 7, 8);
    assertThat(Pdus.resultCode(got.get(1))).isEqualTo(ResultCode.CANCELED);
    assertThat(Pdus.resultCode(got.get(2))).isEqualTo(ResultCode.SUCCESS);
  }

  @Test
  void aWriteTheServerHadMadeIsReportedMadeAndTheCancelTooLate() {
    EmbeddedChannel client = connect();
    send(client, 5, modify());
    send(client, 6, cancel(5));
    List<LDAPMessage> sent = regular.sent();
    assertThat(sent).hasSize(2);
    int cancelId = sent.get(1).getMessageID();

    regular.answer(REGULAR_IDS, modifyDone(ResultCode.SUCCESS));
    regular.answer(cancelId, cancelDone(ResultCode.TOO_LATE));

    List<LDAPMessage> got = answers(client);
    assertThat(got).extracting(LDAPMessage::getMessageID).containsExactly(5, 6);
    assertThat(Pdus.resultCode(got.get(0))).as("the modify was made").isEqualTo(ResultCode.SUCCESS);
    assertThat(Pdus.resultCode(got.get(1))).isEqualTo(ResultCode.TOO_LATE);
  }

  @Test
  void aCancelWithACriticalControlIsRefusedAndCancelsNothing() {
    EmbeddedChannel client = connect();
    send(client, 7, search());
    assertThat(regular.sent()).hasSize(1);

    send(client, 8, cancel(7), new Control("1.2.3.4", true));

    assertThat(regular.sent()).isEmpty();
    LDAPMessage refused = answers(client).get(0);
    assertThat(refused.getMessageID()).isEqualTo(8);
    assertThat(Pdus.resultCode(refused)).isEqualTo(ResultCode.UNAVAILABLE_CRITICAL_EXTENSION);
    regular.answer(REGULAR_IDS, searchDone(ResultCode.SUCCESS));
    assertThat(answers(client)).extracting(Pdus::resultCode).containsExactly(ResultCode.SUCCESS);
  }

  @Test
  void aCancelOfAnotherClientsMessageIdCancelsNothingAndIsNoSuchOperation() {
    EmbeddedChannel a = connect();
    EmbeddedChannel b = connect();
    send(a, 3, search());
    assertThat(regular.sent()).hasSize(1);

    send(b, 9, cancel(3));
    send(b, 10, cancel(REGULAR_IDS)); // nor the ID it runs under upstream

    assertThat(regular.sent()).as("nothing goes upstream").isEmpty();
    List<LDAPMessage> toB = answers(b);
    assertThat(toB).extracting(Pdus::resultCode)
        .containsExactly(ResultCode.NO_SUCH_OPERATION, ResultCode.NO_SUCH_OPERATION);
    regular.answer(REGULAR_IDS, searchDone(ResultCode.SUCCESS));
    assertThat(answers(a)).singleElement().satisfies(m -> {
      assertThat(m.getMessageID()).isEqualTo(3);
      assertThat(Pdus.resultCode(m)).isEqualTo(ResultCode.SUCCESS);
    });
  }

  @Test
  void aMalformedCancelValueIsAnsweredProtocolErrorAndTheConnectionStays() {
    EmbeddedChannel client = connect();
    byte[] emptySequence = {0x30, 0x00}; // no cancelID
    send(client, 2, new ExtendedRequestProtocolOp("1.3.6.1.1.8", requestValue(emptySequence)));

    LDAPMessage got = answers(client).get(0);
    assertThat(got.getMessageID()).isEqualTo(2);
    assertThat(Pdus.resultCode(got)).isEqualTo(ResultCode.PROTOCOL_ERROR);
    assertThat(Pdus.diagnostic(got)).startsWith("malformed Cancel request value");
    assertThat(regular.sent()).isEmpty();
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void duringABindACancelIsAnsweredBindInProgressLikeAnyOtherRequest() {
    EmbeddedChannel client = connect();
    send(client, 1, simpleBind("uid=jo,dc=example,dc=com", "pw"));
    send(client, 2, cancel(1));

    LDAPMessage got = answers(client).get(0);
    assertThat(got.getMessageID()).isEqualTo(2);
    assertThat(Pdus.resultCode(got)).isEqualTo(ResultCode.PROTOCOL_ERROR);
    assertThat(Pdus.diagnostic(got)).isEqualTo("bind in progress");
  }

  @Test
  void aRejectedExtendedOperationOrControlNeverGoesUpstream() {
    EmbeddedChannel client = connect();
    send(client, 1, new ExtendedRequestProtocolOp(WHO_AM_I, null));
    send(client, 2, search(), new Control(MANAGE_DSA_IT, true));
    send(client, 3, search());
    send(client, 4, new ExtendedRequestProtocolOp(START_TLS, null));

    assertThat(regular.sent()).hasSize(1);
    List<LDAPMessage> got = answers(client);
    assertThat(got).hasSize(3);
    for (LDAPMessage m : got) {
      assertThat(Pdus.resultCode(m)).isEqualTo(ResultCode.UNWILLING_TO_PERFORM);
      assertThat(Pdus.diagnostic(m)).isEqualTo("extended operation or control disallowed");
    }
    assertThat(got).extracting(LDAPMessage::getMessageID).containsExactly(1, 2, 4);
  }
}
