package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.ldapbalancer.testing.Messages.bindDone;
import static org.ldapbalancer.testing.Messages.entry;
import static org.ldapbalancer.testing.Messages.modify;
import static org.ldapbalancer.testing.Messages.saslBind;
import static org.ldapbalancer.testing.Messages.search;
import static org.ldapbalancer.testing.Messages.searchDone;
import static org.ldapbalancer.testing.Messages.simpleBind;
import static org.ldapbalancer.testing.Messages.whoAmIAnswer;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.ModifyRequestProtocolOp;
import com.unboundid.ldap.protocol.ProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.protocol.UnbindRequestProtocolOp;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.ProxiedAuthorizationV1RequestControl;
import com.unboundid.ldap.sdk.controls.ProxiedAuthorizationV2RequestControl;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.monitor.LoopSample;
import org.ldapbalancer.monitor.MonitorSnapshot;
import org.ldapbalancer.monitor.OperationCounters;
import org.ldapbalancer.monitor.SnapshotSource;
import org.ldapbalancer.monitor.tree.MonitorView;
import org.ldapbalancer.operation.Diagnostics;
import org.ldapbalancer.protocol.LdapFrameDecoder;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.Messages;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;
import org.ldapbalancer.upstream.EmbeddedUpstreams;

/**
 * A client connection through its states (ready, binding, SASL in progress, closing) and every
 * way one of its operations can end, driven over embedded channels with the real router, pool
 * and upstream connections behind it. What the client is sent is read back as it would be on
 * the wire; no request may ever get a second final response (checked after every test).
 */
class ClientConnectionTest {
  private static final String OWN_DN = "cn=balancer,dc=example,dc=com";
  private static final String JO = "uid=jo,dc=example,dc=com";
  private static final ClientSettings SETTINGS = new ClientSettings(0, true, "dn:" + OWN_DN, 0);
  /** Upstream message IDs far from the client's, so that a missed rewrite shows. */
  private static final int REGULAR_IDS = 500;

  private static final int BIND_IDS = 900;
  private static final int SECOND_BIND_IDS = 950;
  private static final String SCRAM = "SCRAM-SHA-256";

  private EmbeddedUpstreams ups;
  private Upstream regular;
  private Upstream binds;
  private EmbeddedChannel client;
  /** Every client channel of the test, for releasing what they were sent. */
  private final List<EmbeddedChannel> clients = new ArrayList<>();
  /** Per client message ID: requests sent less final responses received. */
  private final Map<Integer, Integer> unanswered = new HashMap<>();

  @BeforeEach
  void start() {
    start(EmbeddedUpstreams.create(), SETTINGS);
  }

  private void start(EmbeddedUpstreams upstreams, ClientSettings settings) {
    if (ups != null) {
      ups.releaseUnread(); // the default set-up, replaced by the test's own
    }
    ups = upstreams;
    regular = ups.regular(REGULAR_IDS);
    binds = ups.bind(BIND_IDS);
    client = connect(settings);
  }

  /** A client channel as ClientChannelInitializer builds it, on this test's router. */
  private EmbeddedChannel connect(ClientSettings settings) {
    LdapFrameDecoder framer = new LdapFrameDecoder(EmbeddedUpstreams.MAX_PDU);
    EmbeddedChannel channel =
        new EmbeddedChannel(framer, new ClientConnection(ups.router(), settings, framer));
    clients.add(channel);
    return channel;
  }

  @AfterEach
  void noRequestGotMoreThanOneFinalResponse() {
    answers();
    ups.releaseUnread();
    clients.forEach(EmbeddedChannel::releaseOutbound);
  }

  // --- binds ---

  @Test
  void aSuccessfulSimpleBindGoesOverABindConnectionAndBecomesTheIdentityOfLaterOperations() {
    send(1, search());
    assertThat(proxiedAs(only(regular.sent()))).as("anonymous until bound").isEqualTo("dn:");

    send(2, simpleBind(JO, "pw"));
    LDAPMessage upstreamBind = only(binds.sent());
    assertThat(upstreamBind.getMessageID()).isEqualTo(BIND_IDS);
    assertThat(upstreamBind.getBindRequestProtocolOp().getBindDN()).isEqualTo(JO);
    assertThat(upstreamBind.getControls()).as("a bind carries no identity").isEmpty();
    assertThat(regular.sent()).as("the bind abandoned the search").singleElement()
        .satisfies(m -> assertThat(m.getAbandonRequestProtocolOp()).isNotNull());
    assertThat(answers()).isEmpty();

    binds.answer(BIND_IDS, bindDone(ResultCode.SUCCESS));
    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SUCCESS);

    send(3, search());
    assertThat(proxiedAs(only(regular.sent()))).isEqualTo("dn:" + JO);
  }

  @Test
  void duringABindOtherRequestsAreAnsweredBindInProgressAndGoNowhere() {
    send(1, simpleBind(JO, "pw"));
    send(2, search());
    send(3, modify());

    List<LDAPMessage> got = answers();
    assertThat(got).hasSize(2);
    assertResult(got.get(0), 2, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.PROTOCOL_ERROR, "bind in progress");
    assertResult(got.get(1), 3, LDAPMessage.PROTOCOL_OP_TYPE_MODIFY_RESPONSE,
        ResultCode.PROTOCOL_ERROR, "bind in progress");
    assertThat(regular.sent()).isEmpty();
    assertThat(binds.sent()).hasSize(1);

    binds.answer(BIND_IDS, bindDone(ResultCode.SUCCESS));
    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SUCCESS);
    send(5, search());
    assertThat(regular.sent()).hasSize(1);
  }

  @Test
  void aBindDuringABindReplacesItAndTheFirstIsNeverAnsweredNorApplied() {
    // RFC 4511 §4.2.1: uncompleted operations complete or are abandoned before a Bind is
    // processed; lloadd abandons them, the Bind in flight too.
    send(1, simpleBind(JO, "pw"));
    assertThat(binds.sent()).hasSize(1);
    send(2, simpleBind("uid=other,dc=example,dc=com", "pw"));
    assertThat(answers()).as("nothing answered yet").isEmpty();

    // The only bind connection answers the first (dropped); then it takes the second.
    binds.answer(BIND_IDS, bindDone(ResultCode.SUCCESS));
    assertThat(answers()).as("the replaced bind's answer is dropped").isEmpty();
    assertThat(binds.sent()).hasSize(1);
    binds.answer(BIND_IDS + 1, bindDone(ResultCode.SUCCESS));
    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SUCCESS);
    unanswered.remove(1); // abandoned: no response is due

    send(3, search());
    assertThat(proxiedAs(only(regular.sent()))).isEqualTo("dn:uid=other,dc=example,dc=com");
  }

  @Test
  void aFailedBindLeavesTheClientReadyAndAnonymous() {
    bindAs(1, JO);
    send(2, simpleBind("uid=other,dc=example,dc=com", "wrong"));
    binds.answer(BIND_IDS + 1, bindDone(49));
    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE, 49);

    send(3, search());

    assertThat(proxiedAs(only(regular.sent()))).isEqualTo("dn:");
  }

  @Test
  void aBindWithAVersionOtherThanThreeIsRefusedWithoutGoingUpstream() {
    sendRawBind(2, 2, 0x80); // UnboundID only writes LDAPv3

    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.PROTOCOL_ERROR, "only LDAP version 3 is supported");
    assertThat(binds.sent()).isEmpty();
    send(3, search());
    assertThat(regular.sent()).as("not left binding").hasSize(1);
  }

  @Test
  void aBindRefusedHereLeavesTheClientAnonymousLikeAnyFailedBind() {
    // RFC 4511 §4.2.1: a failed Bind leaves the connection anonymous; slapd does so too.
    bindAs(1, JO);
    sendRawBind(2, 2, 0x80);
    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.PROTOCOL_ERROR, "only LDAP version 3 is supported");
    send(3, search());
    assertThat(proxiedAs(only(regular.sent()))).isEqualTo("dn:");
  }

  @Test
  void anUnknownAuthenticationMethodIsAnsweredAuthMethodNotSupportedAndTheClientStays() {
    bindAs(1, JO);
    sendRawBind(2, 3, 0x81); // [1]: a method the CHOICE may grow
    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.AUTH_METHOD_NOT_SUPPORTED, "unknown authentication method");
    assertThat(binds.sent()).as("not forwarded").isEmpty();
    assertThat(client.isActive()).isTrue();
    send(3, search());
    assertThat(proxiedAs(only(regular.sent()))).as("anonymous after the failed bind")
        .isEqualTo("dn:");
  }

  // --- SASL ---

  @Test
  void aSaslStepAnswerCarriesNoDiagnosticLeftOnTheSharedBindConnection() {
    // slapd's saslBindInProgress text is its SASL context's last error, possibly another
    // client's failure on this bind connection.
    send(1, saslBind(SCRAM, "client-first"));
    int step1 = only(binds.sent()).getMessageID();
    binds.answer(step1, new BindResponseProtocolOp(
        ResultCode.SASL_BIND_IN_PROGRESS, null,
        "SASL(-4): no mechanism available: Couldn't find mech FOO", null,
        new ASN1OctetString("server-first")));
    LDAPMessage answer = only(answers());
    assertResult(answer, 1, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SASL_BIND_IN_PROGRESS);
    assertThat(answer.getBindResponseProtocolOp().getDiagnosticMessage()).isNull();
    assertThat(answer.getBindResponseProtocolOp().getServerSASLCredentials().stringValue())
        .isEqualTo("server-first");
  }

  @Test
  void aSaslExchangeStaysOnItsConnectionAndItsIdentityComesFromWhoAmI() {
    Upstream second = ups.bind(SECOND_BIND_IDS);
    send(1, saslBind(SCRAM, "client-first"));
    int step1 = only(binds.sent()).getMessageID();
    binds.answer(step1, bindDone(ResultCode.SASL_BIND_IN_PROGRESS));
    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SASL_BIND_IN_PROGRESS);

    send(2, saslBind(SCRAM, "client-final"));

    assertThat(second.sent()).as("an idle connection is passed over").isEmpty();
    LDAPMessage step2 = only(binds.sent());
    assertThat(step2.getBindRequestProtocolOp().getSASLCredentials().stringValue())
        .isEqualTo("client-final");
    binds.answer(step2.getMessageID(), bindDone(ResultCode.SUCCESS));
    LDAPMessage whoAmI = only(binds.sent());
    assertThat(whoAmI.getExtendedRequestProtocolOp().getOID()).isEqualTo(Oids.WHO_AM_I);
    assertThat(answers()).as("held until the identity is known").isEmpty();
    binds.answer(whoAmI.getMessageID(), whoAmIAnswer(ResultCode.SUCCESS, "dn:" + JO));
    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SUCCESS);

    send(3, search());
    assertThat(proxiedAs(only(regular.sent()))).isEqualTo("dn:" + JO);
  }

  @Test
  void anotherRequestDuringASaslExchangeIsRefusedAndTheExchangeGoesOn() {
    Upstream second = ups.bind(SECOND_BIND_IDS);
    saslInProgress(1);

    send(2, search());
    send(3, new ExtendedRequestProtocolOp(Oids.WHO_AM_I, null));

    List<LDAPMessage> refused = answers();
    assertThat(refused).hasSize(2);
    assertResult(refused.get(0), 2, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.PROTOCOL_ERROR);
    assertResult(refused.get(1), 3, LDAPMessage.PROTOCOL_OP_TYPE_EXTENDED_RESPONSE,
        ResultCode.PROTOCOL_ERROR);
    assertThat(Pdus.diagnostic(refused.get(0))).isEqualTo("bind in progress");
    assertThat(regular.sent()).as("nothing runs with an unsettled identity").isEmpty();
    assertThat(binds.sent()).as("the exchange is not ended on the server").isEmpty();
    send(4, saslBind(SCRAM, "client-final"));
    assertThat(second.sent()).isEmpty();
    LDAPMessage step2 = only(binds.sent());
    assertThat(step2.getBindRequestProtocolOp().getSASLCredentials().stringValue())
        .as("the next step, on the exchange's connection").isEqualTo("client-final");
  }

  @Test
  void aSimpleBindDuringASaslExchangeEndsItOnTheServerFirst() {
    Upstream second = ups.bind(SECOND_BIND_IDS);
    saslInProgress(1);

    send(2, simpleBind(JO, "pw"));

    assertAnonymousBind(only(binds.sent()));
    LDAPMessage simple = only(second.sent());
    assertThat(simple.getBindRequestProtocolOp().getBindDN()).isEqualTo(JO);
    second.answer(simple.getMessageID(), bindDone(ResultCode.SUCCESS));
    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SUCCESS);
  }

  @Test
  void aBindWithAnotherMechanismDuringASaslExchangeEndsItAndStartsAfresh() {
    Upstream second = ups.bind(SECOND_BIND_IDS);
    saslInProgress(1);

    send(2, saslBind("PLAIN", "\0jo\0pw"));

    assertAnonymousBind(only(binds.sent()));
    LDAPMessage plain = only(second.sent());
    assertThat(plain.getBindRequestProtocolOp().getSASLMechanism()).isEqualTo("PLAIN");
    assertThat(answers()).isEmpty();
  }

  @Test
  void anAbandonOfTheStepAnsweredInProgressEndsTheExchange() {
    Upstream second = ups.bind(SECOND_BIND_IDS);
    saslInProgress(1);

    send(2, new AbandonRequestProtocolOp(7)); // another ID: nothing happens
    assertThat(binds.sent()).isEmpty();
    send(3, new AbandonRequestProtocolOp(1));

    assertAnonymousBind(only(binds.sent()));
    assertThat(answers()).as("an abandon has no response").isEmpty();
    send(4, saslBind(SCRAM, "client-final"));
    assertThat(second.sent()).as("afresh, not on the pinned connection").singleElement()
        .satisfies(m -> assertThat(m.getBindRequestProtocolOp().getSASLCredentials()
            .stringValue()).isEqualTo("client-final"));
  }

  @Test
  void disconnectingDuringASaslExchangeEndsItOnTheServer() {
    saslInProgress(1);

    client.close();

    assertAnonymousBind(only(binds.sent()));
  }

  @Test
  void anUnbindDuringASaslExchangeEndsItOnTheServer() {
    saslInProgress(1);

    send(2, new UnbindRequestProtocolOp());

    assertThat(client.isOpen()).isFalse();
    assertAnonymousBind(only(binds.sent()));
  }

  @Test
  void aSaslExchangeEndedByItsStepTimeoutLetsTheClientStartAfresh() {
    Upstream second = ups.bind(SECOND_BIND_IDS);
    saslInProgress(1);

    ups.pool().expire(System.nanoTime() + TimeUnit.DAYS.toNanos(1), 0);

    assertAnonymousBind(only(binds.sent()));
    send(2, search());
    assertThat(regular.sent()).hasSize(1);
    assertThat(binds.sent()).as("ended once").isEmpty();
    send(3, saslBind(SCRAM, "client-first"));
    assertThat(second.sent()).hasSize(1);
    assertThat(answers()).isEmpty();
  }

  @Test
  void aSaslStepAfterItsPinnedConnectionWasLostStartsAfresh() {
    Upstream second = ups.bind(SECOND_BIND_IDS);
    saslInProgress(1);

    binds.lose();
    send(2, saslBind(SCRAM, "client-final"));

    assertThat(answers()).as("not answered other (80)").isEmpty();
    assertThat(second.sent()).singleElement().satisfies(m ->
        assertThat(m.getBindRequestProtocolOp().getSASLMechanism()).isEqualTo(SCRAM));
  }

  @Test
  void aDigestMd5StepAskingForASecurityLayerIsRefusedAndEndsTheExchange() {
    send(1, saslBind("DIGEST-MD5", ""));
    binds.answer(only(binds.sent()).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));
    answers();

    send(2, saslBind("DIGEST-MD5", "username=\"jo\",qop=auth-conf,response=0123"));

    LDAPMessage refused = only(answers());
    assertResult(refused, 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.AUTH_METHOD_NOT_SUPPORTED);
    assertThat(Pdus.diagnostic(refused)).contains("SASL security layer");
    assertAnonymousBind(only(binds.sent()));
    send(3, search());
    assertThat(regular.sent()).hasSize(1);
  }

  // --- values the enumerations leave open ---

  @Test
  void aScopeDerefOrModifyOperationBeyondThoseDefinedFailsThatOperationOnly() {
    send(1, new SearchRequestProtocolOp(Messages.BASE, SearchScope.valueOf(7),
        DereferencePolicy.NEVER, 0, 0, false, Filter.createPresenceFilter("objectClass"),
        List.of()));
    send(2, new SearchRequestProtocolOp(Messages.BASE, SearchScope.SUB,
        DereferencePolicy.valueOf(9), 0, 0, false, Filter.createPresenceFilter("objectClass"),
        List.of()));
    send(3, new ModifyRequestProtocolOp("cn=a," + Messages.BASE,
        List.of(new Modification(ModificationType.valueOf(7), "description", "x"))));

    List<LDAPMessage> refused = answers();
    assertThat(refused).hasSize(3);
    assertResult(refused.get(0), 1, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.PROTOCOL_ERROR, "invalid scope");
    assertResult(refused.get(1), 2, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.PROTOCOL_ERROR, "invalid deref");
    assertResult(refused.get(2), 3, LDAPMessage.PROTOCOL_OP_TYPE_MODIFY_RESPONSE,
        ResultCode.PROTOCOL_ERROR, "unrecognized modify operation");
    assertThat(regular.sent()).as("answered here, never forwarded").isEmpty();
    assertThat(client.isActive()).isTrue();
    send(4, search());
    assertThat(regular.sent()).hasSize(1);
  }

  // --- abandon and unbind ---

  @Test
  void abandoningAPendingOperationSendsAnAbandonUnderItsUpstreamIdAndSilencesIt() {
    send(7, search());
    regular.sent();

    send(8, new AbandonRequestProtocolOp(7));

    LDAPMessage abandon = only(regular.sent());
    assertThat(abandon.getAbandonRequestProtocolOp().getIDToAbandon()).isEqualTo(REGULAR_IDS);
    regular.answer(REGULAR_IDS, entry("cn=a"));
    regular.answer(REGULAR_IDS, searchDone(ResultCode.SUCCESS));
    assertThat(answers()).isEmpty();
    send(7, search()); // its ID is free again
    assertThat(regular.sent()).hasSize(1);
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void abandoningAnUnknownMessageIdDoesNothing() {
    send(5, new AbandonRequestProtocolOp(99));

    assertThat(regular.sent()).isEmpty();
    assertThat(answers()).isEmpty();
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void aBindCannotBeAbandoned() {
    send(1, simpleBind(JO, "pw"));
    send(2, new AbandonRequestProtocolOp(1));

    assertThat(binds.sent()).hasSize(1);
    binds.answer(BIND_IDS, bindDone(ResultCode.SUCCESS));
    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SUCCESS);
  }

  @Test
  void abandoningAWaitingOperationTakesItOutOfTheQueue() {
    setWritable(regular, false);
    send(1, search());
    assertThat(ups.router().waitingOperations()).isEqualTo(1);

    send(2, new AbandonRequestProtocolOp(1));

    assertThat(ups.router().waitingOperations()).isZero();
    setWritable(regular, true);
    assertThat(regular.sent()).isEmpty();
    assertThat(answers()).isEmpty();
  }

  @Test
  void anUnbindAbandonsWhatIsPendingAndClosesWithoutAnAnswer() {
    send(1, search());
    send(2, modify());
    regular.sent();

    send(3, new UnbindRequestProtocolOp());

    assertThat(client.isOpen()).isFalse();
    assertThat(regular.sent())
        .extracting(m -> m.getAbandonRequestProtocolOp().getIDToAbandon())
        .containsExactlyInAnyOrder(REGULAR_IDS, REGULAR_IDS + 1);
    regular.answer(REGULAR_IDS, searchDone(ResultCode.SUCCESS));
    assertThat(answers()).isEmpty();
  }

  // --- message IDs and malformed requests ---

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void aMessageIdThatIsNotPositiveEndsTheConnectionWithANoticeOfDisconnection(int id) {
    send(1, search());
    regular.sent();

    send(id, search());

    assertNoticeOfDisconnection(only(answers()), "invalid message ID " + id);
    assertThat(client.isOpen()).isFalse();
    assertThat(regular.sent()).as("what was pending is abandoned").singleElement()
        .satisfies(m -> assertThat(m.getAbandonRequestProtocolOp().getIDToAbandon())
            .isEqualTo(REGULAR_IDS));
  }

  @Test
  void aMessageIdStillInUseEndsTheConnection() {
    send(1, search());

    send(1, modify());

    assertNoticeOfDisconnection(only(answers()), "message ID 1 is already in use");
    assertThat(client.isOpen()).isFalse();
    assertThat(regular.sent()).extracting(m -> m.getProtocolOpType())
        .containsExactly(LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_REQUEST,
            LDAPMessage.PROTOCOL_OP_TYPE_ABANDON_REQUEST);
  }

  @Test
  void anUnknownRequestTypeEndsTheConnection() {
    // messageID 1, protocolOp [APPLICATION 21] (not a request RFC 4511 defines), empty.
    client.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x30, 0x05, 0x02, 0x01, 0x01, 0x55,
        0x00}));

    assertNoticeOfDisconnection(only(answers()), "unknown request type 0x55");
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void aRequestWithoutAProtocolOpEndsTheConnection() {
    client.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}));

    LDAPMessage notice = only(answers());
    assertThat(notice.getMessageID()).isZero();
    assertThat(Pdus.diagnostic(notice)).startsWith("malformed request: ");
    assertThat(client.isOpen()).isFalse();
  }

  // --- limits and controls ---

  @Test
  void beyondClientMaxPendingAnOperationIsAnsweredBusyInLloaddsWords() {
    start(EmbeddedUpstreams.create(), new ClientSettings(2, true, "dn:" + OWN_DN, 0));
    send(1, search());
    send(2, search());

    send(3, search());

    assertResult(only(answers()), 3, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.BUSY, "pending operation limit reached on this connection");
    assertThat(regular.sent()).hasSize(2);
    regular.answer(REGULAR_IDS, searchDone(ResultCode.SUCCESS));
    send(4, search());
    assertThat(regular.sent()).hasSize(1);
  }

  @Test
  void aClientsOwnProxiedAuthorizationControlIsRefusedAndLeavesNothingPending() {
    Control theirs = new ProxiedAuthorizationV2RequestControl("dn:uid=boss,dc=example,dc=com");

    send(1, search(), theirs);

    LDAPMessage refused = only(answers());
    assertResult(refused, 1, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.UNWILLING_TO_PERFORM);
    assertThat(Pdus.diagnostic(refused)).contains("Proxied Authorization");
    assertThat(regular.sent()).isEmpty();
    send(1, search()); // the ID is free: nothing was left pending under it
    assertThat(regular.sent()).hasSize(1);
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void aClientBoundAsTheBalancersOwnIdentityHasItsOwnControlPassedThroughAlone() {
    bindAs(1, OWN_DN);
    Control theirs = new ProxiedAuthorizationV2RequestControl("dn:uid=boss,dc=example,dc=com");

    send(2, search(), theirs);

    LDAPMessage forwarded = only(regular.sent());
    assertThat(forwarded.getControls()).singleElement()
        .satisfies(c -> assertThat(c.getOID()).isEqualTo(Oids.PROXIED_AUTHORIZATION));
    assertThat(proxiedAs(forwarded)).isEqualTo("dn:uid=boss,dc=example,dc=com");
  }

  /**
   * The control's first form asserts an identity too (389 Directory Server honours it before
   * RFC 4370's): a client's own is refused like the other, with proxied authorization on or off,
   * since it would borrow the bindconf account's right to act for others.
   */
  @Test
  void aClientsOwnFirstFormProxiedAuthorizationControlIsRefusedToo() {
    Control v1 = new ProxiedAuthorizationV1RequestControl("uid=boss,dc=example,dc=com");
    bindAs(1, JO);
    send(2, search(), v1);
    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.UNWILLING_TO_PERFORM);

    start(EmbeddedUpstreams.create(), new ClientSettings(0, false, "dn:" + OWN_DN, 0));
    bindAs(1, JO);
    send(2, search(), v1);
    send(3, search(), new ProxiedAuthorizationV2RequestControl("dn:uid=boss,dc=example,dc=com"));
    assertThat(answers()).extracting(Pdus::resultCode)
        .containsExactly(ResultCode.UNWILLING_TO_PERFORM, ResultCode.UNWILLING_TO_PERFORM);
    assertThat(regular.sent()).isEmpty();
  }

  @Test
  void withProxiedAuthorizationOffNoControlIsAdded() {
    start(EmbeddedUpstreams.create(), new ClientSettings(0, false, "dn:" + OWN_DN, 0));
    bindAs(1, JO);

    send(2, search());

    assertThat(only(regular.sent()).getControls()).isEmpty();
  }

  /** RFC 4511 §4.1.11: what the balancer answers itself, it answers applying no control. */
  @Test
  void requestsAnsweredHereWithACriticalControlAreUnavailableCriticalExtension() {
    Control critical = new Control("1.2.840.113556.1.4.473", true); // server-side sort
    send(1, new ExtendedRequestProtocolOp(Oids.START_TLS, null), critical);
    send(2, saslBind("EXTERNAL", null), critical);

    List<LDAPMessage> got = answers();
    assertResult(got.get(0), 1, LDAPMessage.PROTOCOL_OP_TYPE_EXTENDED_RESPONSE,
        ResultCode.UNAVAILABLE_CRITICAL_EXTENSION);
    assertResult(got.get(1), 2, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.UNAVAILABLE_CRITICAL_EXTENSION);
    assertThat(regular.sent()).isEmpty();
    assertThat(binds.sent()).isEmpty();
  }

  @Test
  void startTlsWithoutACertificateIsUnavailableAsInLloadd() {
    send(1, new ExtendedRequestProtocolOp(Oids.START_TLS, null));

    LDAPMessage answer = only(answers());
    assertResult(answer, 1, LDAPMessage.PROTOCOL_OP_TYPE_EXTENDED_RESPONSE,
        ResultCode.UNAVAILABLE, "Could not initialize TLS");
    assertThat(answer.getExtendedResponseProtocolOp().getResponseOID()).isEqualTo(Oids.START_TLS);
    assertThat(regular.sent()).isEmpty();
  }

  // --- every way an operation ends ---

  @Test
  void theServersResponsesAreRelayedUnderTheClientsIdAndTheFinalOneEndsTheOperation() {
    send(7, search());
    LDAPMessage forwarded = only(regular.sent());
    assertThat(forwarded.getMessageID()).isEqualTo(REGULAR_IDS);

    regular.answer(REGULAR_IDS, entry("cn=a"));
    regular.answer(REGULAR_IDS, entry("cn=b"));
    regular.answer(REGULAR_IDS, searchDone(ResultCode.SUCCESS));

    List<LDAPMessage> got = answers();
    assertThat(got).extracting(LDAPMessage::getMessageID).containsOnly(7);
    assertThat(got).extracting(LDAPMessage::getProtocolOpType)
        .containsExactly(LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_ENTRY,
            LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_ENTRY,
            LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE);
    send(7, search()); // ended: its ID may be used again
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void aLostUpstreamAnswersEachOfItsOperationsOtherOnce() {
    send(1, search());
    send(2, modify());

    regular.lose();

    List<LDAPMessage> got = answers();
    assertThat(got).hasSize(2);
    assertResult(got.stream().filter(m -> m.getMessageID() == 1).findFirst().orElseThrow(), 1,
        LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE, ResultCode.OTHER, Diagnostics.SEVERED);
    assertResult(got.stream().filter(m -> m.getMessageID() == 2).findFirst().orElseThrow(), 2,
        LDAPMessage.PROTOCOL_OP_TYPE_MODIFY_RESPONSE, ResultCode.OTHER, Diagnostics.SEVERED);
  }

  @Test
  void losingABackloggedUpstreamAnswersItsOperationsOtherAndThoseWaitingForItUnavailable() {
    send(1, search());
    setWritable(regular, false);
    send(2, modify());
    assertThat(ups.router().waitingOperations()).isEqualTo(1);

    regular.lose();

    List<LDAPMessage> got = answers();
    assertThat(got).extracting(LDAPMessage::getMessageID, Pdus::resultCode)
        .containsExactlyInAnyOrder(tuple(1, ResultCode.OTHER), tuple(2, ResultCode.UNAVAILABLE));
    assertThat(ups.router().waitingOperations()).isZero();
  }

  @Test
  void aSearchPastTheTimeLimitIsAnsweredTimeLimitExceededOnceAndAbandonedUpstream() {
    Duration limit = Duration.ofSeconds(10);
    start(
        EmbeddedUpstreams.builder()
            .bindConf(new BindConf(BindMethod.NONE, "", "", Duration.ofSeconds(5), limit))
            .build(),
        SETTINGS);
    send(1, search());
    regular.sent();

    ups.pool().expire(System.nanoTime() + limit.toNanos(), limit.toNanos());

    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.TIME_LIMIT_EXCEEDED, Diagnostics.TIMED_OUT);
    assertThat(only(regular.sent()).getAbandonRequestProtocolOp().getIDToAbandon())
        .isEqualTo(REGULAR_IDS);
    regular.answer(REGULAR_IDS, searchDone(ResultCode.SUCCESS)); // too late
    assertThat(answers()).isEmpty();
  }

  @Test
  void aBindPastTheTimeLimitIsAnsweredOnceAndTheClientIsReadyAgain() {
    Duration limit = Duration.ofSeconds(10);
    start(
        EmbeddedUpstreams.builder()
            .bindConf(new BindConf(BindMethod.NONE, "", "", Duration.ofSeconds(5), limit))
            .build(),
        SETTINGS);
    send(1, simpleBind(JO, "pw"));
    binds.sent();

    ups.pool().expire(System.nanoTime() + limit.toNanos(), limit.toNanos());

    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.ADMIN_LIMIT_EXCEEDED, Diagnostics.TIMED_OUT);
    assertThat(binds.isOpen()).as("its state on the server is unknown").isFalse();
    send(2, search());
    assertThat(proxiedAs(only(regular.sent()))).isEqualTo("dn:");
  }

  @Test
  void aBindConnectionLostMidBindAnswersTheBindOtherOnceAndTheClientIsReadyAgain() {
    send(1, simpleBind(JO, "pw"));
    binds.sent();

    binds.lose();

    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.OTHER, Diagnostics.SEVERED);
    send(2, search());
    assertThat(proxiedAs(only(regular.sent()))).isEqualTo("dn:");
  }

  @Test
  void aBindConnectionLostDuringWhoAmIAnswersTheBindOtherOnceAndLeavesTheClientAnonymous() {
    send(1, saslBind(SCRAM, "client-final"));
    binds.answer(only(binds.sent()).getMessageID(), bindDone(ResultCode.SUCCESS));
    assertThat(only(binds.sent()).getExtendedRequestProtocolOp().getOID())
        .isEqualTo(Oids.WHO_AM_I);

    binds.lose();

    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.OTHER, Diagnostics.SEVERED);
    send(2, search());
    assertThat(proxiedAs(only(regular.sent()))).isEqualTo("dn:");
  }

  @Test
  void aBindThatWaitsTooLongForABindConnectionIsAnsweredBusyAndTheClientIsReadyAgain() {
    EmbeddedChannel other = connect(SETTINGS);
    other.writeInbound(Pdus.frame(1, simpleBind("uid=other,dc=example,dc=com", "pw")));
    send(1, simpleBind(JO, "pw"));
    assertThat(answers()).isEmpty();

    ups.router().expireWaiting(System.nanoTime() + TimeUnit.DAYS.toNanos(1));

    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.BUSY, "no connection became free in time");
    send(2, search());
    assertThat(regular.sent()).hasSize(1);
    assertThat(Pdus.written(other)).isEmpty();
  }

  @Test
  void aConnectionAtItsLimitMakesTheOperationBusy() {
    start(EmbeddedUpstreams.builder().connMaxPending(1).build(), SETTINGS);
    send(1, search());

    send(2, search());

    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.BUSY, Diagnostics.SERVER_BUSY);
    assertThat(regular.sent()).hasSize(1);
    send(2, search()); // the refused one left nothing pending
  }

  @Test
  void noReadyConnectionMakesTheOperationUnavailable() {
    regular.lose();

    send(1, modify());

    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_MODIFY_RESPONSE,
        ResultCode.UNAVAILABLE, Diagnostics.NO_CONNECTIONS);
  }

  @Test
  void anOperationWaitingForABackloggedUpstreamTooLongIsAnsweredBusy() {
    setWritable(regular, false);
    send(1, search());
    assertThat(answers()).isEmpty();

    ups.router().expireWaiting(System.nanoTime() + TimeUnit.DAYS.toNanos(1));

    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.BUSY, "every connection to the servers is backlogged");
    setWritable(regular, true);
    assertThat(regular.sent()).isEmpty();
  }

  @Test
  void aClientThatGoesAwayHasItsOperationsAbandonedUpstreamAndTheirResponsesDropped() {
    send(1, search());
    send(2, modify());
    regular.sent();

    client.close();

    assertThat(regular.sent())
        .extracting(m -> m.getAbandonRequestProtocolOp().getIDToAbandon())
        .containsExactlyInAnyOrder(REGULAR_IDS, REGULAR_IDS + 1);
    regular.answer(REGULAR_IDS, searchDone(ResultCode.SUCCESS));
    assertThat(answers()).isEmpty();
    assertThat(ups.pool().pendingOps()).isZero();
  }

  @Test
  void aWaitingBindWhoseClientGoesAwayLeavesTheQueue() {
    EmbeddedChannel other = connect(SETTINGS);
    other.writeInbound(Pdus.frame(1, simpleBind("uid=other,dc=example,dc=com", "pw")));
    send(1, simpleBind(JO, "pw"));
    assertThat(ups.router().waitingOperations()).isEqualTo(1);

    client.close();

    assertThat(ups.router().waitingOperations()).isZero();
    binds.answer(BIND_IDS, bindDone(ResultCode.SUCCESS));
    assertThat(binds.sent()).extracting(m -> m.getBindRequestProtocolOp().getBindDN())
        .containsExactly("uid=other,dc=example,dc=com");
    assertThat(Pdus.written(other)).hasSize(1);
  }

  // --- draining shutdown ---

  @Test
  void aClientWithNothingInFlightIsToldAtOnceWhenDraining() {
    drain();

    assertShuttingDownNotice(only(answers()));
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void whileDrainingASearchInFlightStreamsToItsEndAndNewRequestsAreUnavailable() {
    send(1, search());
    LDAPMessage forwarded = only(regular.sent());
    drain();

    send(2, modify());
    send(3, simpleBind(JO, "pw"));
    List<LDAPMessage> refused = answers();
    assertThat(refused).hasSize(2);
    assertResult(refused.get(0), 2, LDAPMessage.PROTOCOL_OP_TYPE_MODIFY_RESPONSE,
        ResultCode.UNAVAILABLE, ClientConnection.SHUTTING_DOWN);
    assertResult(refused.get(1), 3, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.UNAVAILABLE, ClientConnection.SHUTTING_DOWN);
    assertThat(regular.sent()).as("nothing new forwarded").isEmpty();
    assertThat(binds.sent()).isEmpty();
    assertThat(client.isOpen()).isTrue();

    regular.answer(forwarded.getMessageID(), entry("cn=a"));
    regular.answer(forwarded.getMessageID(), entry("cn=b"));
    regular.answer(forwarded.getMessageID(), searchDone(ResultCode.SUCCESS));

    List<LDAPMessage> rest = answers();
    assertThat(rest).extracting(LDAPMessage::getMessageID).containsExactly(1, 1, 1, 0);
    assertResult(rest.get(2), 1, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.SUCCESS);
    assertShuttingDownNotice(rest.get(3));
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void aBindInFlightWhenDrainingIsAnsweredBeforeTheNotice() {
    send(1, simpleBind(JO, "pw"));
    int upstreamId = only(binds.sent()).getMessageID();
    drain();
    assertThat(answers()).isEmpty();

    binds.answer(upstreamId, bindDone(ResultCode.SUCCESS));

    List<LDAPMessage> got = answers();
    assertThat(got).hasSize(2);
    assertResult(got.get(0), 1, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE, ResultCode.SUCCESS);
    assertShuttingDownNotice(got.get(1));
  }

  @Test
  void anOperationFailedUpstreamWhileDrainingIsAnsweredThenTheClientIsTold() {
    send(1, search());
    drain();

    regular.channel().close();

    List<LDAPMessage> got = answers();
    assertThat(got).extracting(LDAPMessage::getMessageID).containsExactly(1, 0);
    assertThat(Pdus.resultCode(got.get(0))).isEqualTo(ResultCode.OTHER);
    assertShuttingDownNotice(got.get(1));
  }

  @Test
  void aClientThatAbandonsItsLastOperationWhileDrainingIsToldAtOnce() {
    send(1, search());
    drain();
    assertThat(answers()).isEmpty();

    send(2, new AbandonRequestProtocolOp(1));
    unanswered.remove(1); // abandoned: no answer is owed

    assertShuttingDownNotice(only(answers()));
    assertThat(client.isOpen()).isFalse();
  }

  private void drain() {
    client.pipeline().get(ClientConnection.class).drain();
  }

  private static void assertShuttingDownNotice(LDAPMessage m) {
    assertThat(m.getMessageID()).isZero();
    assertThat(m.getExtendedResponseProtocolOp().getResponseOID())
        .isEqualTo(Oids.NOTICE_OF_DISCONNECTION);
    assertThat(Pdus.resultCode(m)).isEqualTo(ResultCode.UNAVAILABLE);
    assertThat(Pdus.diagnostic(m)).isEqualTo(ClientConnection.SHUTTING_DOWN);
  }

  // --- cn=Monitor ---

  /** A monitor readable by {@link #OWN_DN}, from snapshots that {@code source} gives. */
  private void startWithMonitor(SnapshotSource source) {
    MonitorView view =
        new MonitorView(source, (id, code, text) -> CompletableFuture.completedFuture(false),
            List.of(OWN_DN));
    start(EmbeddedUpstreams.create(), SETTINGS.withMonitor(view));
  }

  private static MonitorSnapshot emptySnapshot() {
    return MonitorSnapshot.merge(
        0, 1, List.of(new LoopSample(new OperationCounters(), 0, 0, 0, List.of())));
  }

  private static SearchRequestProtocolOp monitorSearch(String base) {
    return new SearchRequestProtocolOp(base, SearchScope.SUB, DereferencePolicy.NEVER, 0, 0,
        false, Filter.createPresenceFilter("objectClass"), List.of());
  }

  @Test
  void aMonitorSearchIsAnsweredByTheBalancerAndNeverForwarded() {
    startWithMonitor(() -> CompletableFuture.completedFuture(emptySnapshot()));
    bindAs(1, OWN_DN);

    send(2, monitorSearch("cn=Backends,cn=Monitor"));
    client.runPendingTasks();
    List<LDAPMessage> got = answers();

    assertThat(got).hasSize(8); // cn=Backends and the 6 entries below it, and the result
    assertThat(got.get(0).getSearchResultEntryProtocolOp().getDN())
        .isEqualTo("cn=Backends,cn=Monitor");
    assertResult(got.get(7), 2, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.SUCCESS);
    assertThat(regular.sent()).isEmpty();
  }

  @Test
  void toOtherIdentitiesTheMonitorTreeDoesNotExist() {
    startWithMonitor(() -> CompletableFuture.completedFuture(emptySnapshot()));

    send(1, monitorSearch("cn=Monitor"));
    client.runPendingTasks();

    assertResult(only(answers()), 1, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.NO_SUCH_OBJECT);
    assertThat(regular.sent()).isEmpty();
  }

  @Test
  void aSnapshotThatFailsIsAnsweredUnavailable() {
    startWithMonitor(() -> CompletableFuture.failedFuture(new TimeoutException()));
    bindAs(1, OWN_DN);

    send(2, monitorSearch("cn=Monitor"));
    client.runPendingTasks();

    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.UNAVAILABLE);
  }

  @Test
  void aMonitorSearchWithACriticalControlIsRefusedAndOneWithANonCriticalOneAnswered() {
    startWithMonitor(() -> CompletableFuture.completedFuture(emptySnapshot()));
    bindAs(1, OWN_DN);

    send(2, monitorSearch("cn=Monitor"), new Control("1.2.840.113556.1.4.473", true, null));
    client.runPendingTasks();
    assertResult(only(answers()), 2, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.UNAVAILABLE_CRITICAL_EXTENSION);

    send(3, monitorSearch("cn=Monitor"), new Control("1.2.840.113556.1.4.473", false, null));
    client.runPendingTasks();
    List<LDAPMessage> got = answers();
    assertResult(got.get(got.size() - 1), 3, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.SUCCESS);
    assertThat(regular.sent()).isEmpty();
  }

  @Test
  void anAbandonedMonitorSearchGetsNoAnswerWhenItsSnapshotArrives() {
    CompletableFuture<MonitorSnapshot> later = new CompletableFuture<>();
    startWithMonitor(() -> later);
    bindAs(1, OWN_DN);

    send(2, monitorSearch("cn=Monitor"));
    send(3, new AbandonRequestProtocolOp(2));
    unanswered.remove(2); // abandoned: no answer is owed
    later.complete(emptySnapshot());
    client.runPendingTasks();

    assertThat(answers()).isEmpty();
  }

  @Test
  void aMonitorAnswerEndingTheLastOperationWhileDrainingIsFollowedByTheNotice() {
    CompletableFuture<MonitorSnapshot> later = new CompletableFuture<>();
    startWithMonitor(() -> later);
    bindAs(1, OWN_DN);
    send(2, monitorSearch("cn=Monitor"));
    drain();
    assertThat(answers()).isEmpty();

    later.complete(emptySnapshot());
    client.runPendingTasks();

    List<LDAPMessage> got = answers();
    assertResult(got.get(got.size() - 2), 2, LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE,
        ResultCode.SUCCESS);
    assertShuttingDownNotice(got.get(got.size() - 1));
    assertThat(client.isOpen()).isFalse();
  }

  // --- helpers ---

  private void send(int id, ProtocolOp op, Control... controls) {
    byte type = op.getProtocolOpType();
    if (type != LDAPMessage.PROTOCOL_OP_TYPE_ABANDON_REQUEST
        && type != LDAPMessage.PROTOCOL_OP_TYPE_UNBIND_REQUEST) {
      unanswered.merge(id, 1, Integer::sum);
    }
    client.writeInbound(Pdus.frame(id, op, controls));
  }

  /**
   * Ends the turn and returns what the client has been sent since the last call; fails if any
   * request has had more final responses than requests were sent under its ID.
   */
  private List<LDAPMessage> answers() {
    ups.endTurn();
    List<LDAPMessage> got = Pdus.written(client);
    for (LDAPMessage m : got) {
      if (Pdus.isFinal(m)) {
        int left = unanswered.merge(m.getMessageID(), -1, Integer::sum);
        assertThat(left).as("a second final response to message %d: %s", m.getMessageID(), m)
            .isNotNegative();
      }
    }
    return new ArrayList<>(got);
  }

  private static LDAPMessage only(List<LDAPMessage> messages) {
    assertThat(messages).hasSize(1);
    return messages.get(0);
  }

  /** Binds as {@code dn} with a simple bind answered success. */
  /**
   * BindRequest { version, name "", authentication of tag {@code authTag} and empty } under message
   * ID {@code id}, as bytes: UnboundID writes neither another version nor another method.
   */
  private void sendRawBind(int id, int version, int authTag) {
    byte[] bind = {0x30, 0x0c, 0x02, 0x01, (byte) id, 0x60, 0x07, 0x02, 0x01, (byte) version,
        0x04, 0x00, (byte) authTag, 0x00};
    unanswered.merge(id, 1, Integer::sum);
    client.writeInbound(Unpooled.wrappedBuffer(bind));
  }

  private void bindAs(int id, String dn) {
    send(id, simpleBind(dn, "pw"));
    binds.answer(only(binds.sent()).getMessageID(), bindDone(ResultCode.SUCCESS));
    assertResult(only(answers()), id, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SUCCESS);
  }

  /** A first SASL step answered "in progress" on {@link #binds}: the client is between steps. */
  private void saslInProgress(int id) {
    send(id, saslBind(SCRAM, "client-first"));
    binds.answer(only(binds.sent()).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));
    assertResult(only(answers()), id, LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE,
        ResultCode.SASL_BIND_IN_PROGRESS);
  }

  /** The anonymous simple bind that makes a server forget a SASL exchange. */
  private static void assertAnonymousBind(LDAPMessage m) {
    assertThat(m.getBindRequestProtocolOp().getSASLMechanism()).isNull();
    assertThat(m.getBindRequestProtocolOp().getBindDN()).isEmpty();
    assertThat(m.getBindRequestProtocolOp().getSimplePassword().getValue()).isEmpty();
  }

  private static String proxiedAs(LDAPMessage request) {
    return Pdus.controlValue(request, Oids.PROXIED_AUTHORIZATION);
  }

  private static void assertResult(LDAPMessage m, int id, byte type, int resultCode) {
    assertThat(m.getMessageID()).isEqualTo(id);
    assertThat(m.getProtocolOpType()).isEqualTo(type);
    assertThat(Pdus.resultCode(m)).isEqualTo(resultCode);
  }

  private static void assertResult(
      LDAPMessage m, int id, byte type, int resultCode, String diagnostic) {
    assertResult(m, id, type, resultCode);
    assertThat(Pdus.diagnostic(m)).isEqualTo(diagnostic);
  }

  private static void assertNoticeOfDisconnection(LDAPMessage m, String diagnostic) {
    assertThat(m.getMessageID()).isZero();
    assertThat(m.getExtendedResponseProtocolOp().getResponseOID())
        .isEqualTo(Oids.NOTICE_OF_DISCONNECTION);
    assertThat(Pdus.resultCode(m)).isEqualTo(ResultCode.PROTOCOL_ERROR);
    assertThat(Pdus.diagnostic(m)).isEqualTo(diagnostic);
  }

  /**
   * Writability as a backlog would change it, without writing anything; the channel tells its
   * handlers in a task of its loop, run here.
   */
  private static void setWritable(Upstream u, boolean writable) {
    u.channel().unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    u.channel().runPendingTasks();
  }
}
