package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.ldapbalancer.testing.Messages.bindDone;
import static org.ldapbalancer.testing.Messages.modify;
import static org.ldapbalancer.testing.Messages.modifyDone;
import static org.ldapbalancer.testing.Messages.noticeOfDisconnection;
import static org.ldapbalancer.testing.Messages.search;
import static org.ldapbalancer.testing.Messages.searchDone;
import static org.ldapbalancer.upstream.Traffic.forward;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.IntermediateResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultEntryProtocolOp;
import com.unboundid.ldap.protocol.SearchResultReferenceProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.operation.Diagnostics;
import org.ldapbalancer.operation.Operation;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.testing.RecordingClient.Answer;
import org.ldapbalancer.testing.RecordingClient.Kind;
import org.ldapbalancer.testing.RecordingClient;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/**
 * A regular upstream connection through its states: the {@code bindconf} bind on connect, then
 * shared service (message IDs, responses routed by them, the ways a server can misbehave), time
 * limits, backlog, and loss.
 */
class RegularConnectionTest {
  private static final String POOL = "ldap://upstream.test:389";
  private static final String BALANCER_DN = "cn=balancer,dc=example,dc=com";
  private static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(5);
  private static final BindConf SIMPLE =
      new BindConf(BindMethod.SIMPLE, BALANCER_DN, "secret", NETWORK_TIMEOUT, Duration.ZERO);

  /** Every fixture of the test, for releasing what the balancer sent and nobody read. */
  private final List<EmbeddedUpstreams> fixtures = new ArrayList<>();

  private final RecordingClient client = new RecordingClient("client");

  @Test
  void theBindconfBindGoesOutOnConnectAndItsSuccessOffersTheConnectionToSelection() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(SIMPLE).build());
    Upstream u = ups.regular();

    // Flushed at once, not at the end of the turn: nothing else can go before it.
    List<LDAPMessage> sent = Pdus.written(u.channel());
    assertThat(sent).hasSize(1);
    BindRequestProtocolOp bind = sent.get(0).getBindRequestProtocolOp();
    assertThat(bind.getBindDN()).isEqualTo(BALANCER_DN);
    assertThat(bind.getSimplePassword().stringValue()).isEqualTo("secret");
    assertThat(u.connection.state()).isEqualTo(UpstreamConnection.State.SETTING_UP);
    assertThat(ups.pool().readyConnections()).isZero();
    // The pool's first connection is on its way: a request waits for it, not unavailable (52).
    assertThat(routerForward(ups, 1)).isEqualTo(OperationRouter.WAITING);

    u.answer(sent.get(0).getMessageID(), bindDone(ResultCode.SUCCESS));

    assertThat(u.link().isReady()).isTrue();
    assertThat(ups.pool().readyConnections()).isEqualTo(1);
    assertThat(routerForward(ups, 2)).isEqualTo(ResultCode.SUCCESS);
    // The waiting request left when the connection came up, then the new one.
    assertThat(u.sent()).hasSize(2).allSatisfy(m -> assertThat(m.getSearchRequestProtocolOp())
        .isNotNull());
    // The set-up timer went with the answer.
    assertThat(u.channel().runScheduledPendingTasks()).isEqualTo(-1);
    u.advanceTime(Duration.ofDays(1));
    assertThat(u.isOpen()).isTrue();
  }

  @Test
  void anAnonymousBindconfNeedsNoBindAndIsReadyAtOnce() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();

    assertThat(u.sent()).isEmpty();
    assertThat(u.link().isReady()).isTrue();
    assertThat(ups.pool().readyConnections()).isEqualTo(1);
  }

  @Test
  void aRefusedBindconfClosesTheConnectionWithTheReasonAndTheServerIsRetriedAfterRetry() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(SIMPLE).build());
    Upstream u = ups.regular();
    int bindId = Pdus.written(u.channel()).get(0).getMessageID();

    try (LogCapture log = LogCapture.of(ServerPool.class)) {
      u.answer(bindId, new BindResponseProtocolOp(49, null, "invalid", null, null));

      assertThat(u.isOpen()).isFalse();
      assertThat(u.connection.state()).isEqualTo(UpstreamConnection.State.CLOSED);
      assertThat(u.connection.setupFailure())
          .isEqualTo("the server refused the bindconf credentials (result 49: invalid)");
      assertThat(log.lines())
          .containsExactly(
              "WARN " + POOL + ": the server refused the bindconf credentials (result 49: invalid);"
                  + " retrying every 3000 ms");
    }
    assertThat(ups.pool().readyConnections()).isZero();
    ups.advancePoolTime(EmbeddedUpstreams.RETRY.minusNanos(1));
    assertThat(ups.connectAttempts()).isZero();
    ups.advancePoolTime(Duration.ofNanos(1));
    assertThat(ups.connectAttempts()).isEqualTo(1);
  }

  @Test
  void aConnectionLostDuringItsBindconfBindIsNeverOfferedAndIsRetriedAfterRetry() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(SIMPLE).build());
    Upstream u = ups.regular();

    try (LogCapture log = LogCapture.of(ServerPool.class)) {
      u.lose();

      assertThat(log.lines())
          .containsExactly("WARN " + POOL + ": every connection closed by the server before it"
              + " answered anything; retrying every 3000 ms");
    }
    assertThat(ups.pool().readyConnections()).isZero();
    assertThat(ups.connectAttempts()).as("not at once: the server may be refusing").isZero();
    ups.advancePoolTime(EmbeddedUpstreams.RETRY);
    assertThat(ups.connectAttempts()).isEqualTo(1);
  }

  @Test
  void noBindResponseWithinTheNetworkTimeoutClosesTheConnection() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(SIMPLE).build());
    Upstream u = ups.regular();

    u.advanceTime(NETWORK_TIMEOUT.minusNanos(1));
    assertThat(u.isOpen()).isTrue();

    u.advanceTime(Duration.ofNanos(1));

    assertThat(u.isOpen()).isFalse();
    assertThat(u.connection.setupFailure()).isEqualTo("no bind response within 5000 ms");
    assertThat(ups.pool().readyConnections()).isZero();
  }

  @Test
  void aNetworkTimeoutOfZeroSetsNoTimerOnTheBind() {
    BindConf noLimit =
        new BindConf(BindMethod.SIMPLE, BALANCER_DN, "secret", Duration.ZERO, Duration.ZERO);
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(noLimit).build());
    Upstream u = ups.regular();

    assertThat(u.channel().runScheduledPendingTasks()).as("no timer at all").isEqualTo(-1);
    u.advanceTime(Duration.ofDays(1));

    assertThat(u.isOpen()).isTrue();
    assertThat(u.connection.state()).isEqualTo(UpstreamConnection.State.SETTING_UP);
  }

  @Test
  void messageIdsWrapFromTheLargestToOneAndResponsesStillFindTheirOperations() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(SIMPLE).build());
    Upstream u = ups.regular(Integer.MAX_VALUE - 1);
    List<LDAPMessage> bind = Pdus.written(u.channel());
    assertThat(bind.get(0).getMessageID()).isEqualTo(Integer.MAX_VALUE - 1);
    u.answer(Integer.MAX_VALUE - 1, bindDone(ResultCode.SUCCESS));

    Operation first = forward(u.link(), client, 10, search());
    Operation second = forward(u.link(), client, 11, search());

    assertThat(u.sent()).extracting(LDAPMessage::getMessageID)
        .containsExactly(Integer.MAX_VALUE, 1);
    assertThat(second.upstreamMessageId()).isEqualTo(1);
    u.answer(1, searchDone(ResultCode.SUCCESS));
    u.answer(Integer.MAX_VALUE, searchDone(ResultCode.OPERATIONS_ERROR));
    assertThat(client.finalAnswerTo(first).resultCode()).isEqualTo(ResultCode.OPERATIONS_ERROR);
    assertThat(client.finalAnswerTo(second).resultCode()).isEqualTo(ResultCode.SUCCESS);
  }

  @Test
  void responsesAreRoutedByMessageIdInWhateverOrderTheyCome() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    RecordingClient other = new RecordingClient("other");
    Operation a = forward(u.link(), client, 5, search());
    Operation b = forward(u.link(), other, 5, search()); // the same client ID on another client
    Operation c = forward(u.link(), client, 6, modify());
    assertThat(u.sent()).extracting(LDAPMessage::getMessageID).containsExactly(1, 2, 3);
    assertThat(u.pendingOps()).isEqualTo(3);

    u.answer(3, modifyDone(32));
    u.answer(1, searchDone(ResultCode.SUCCESS));
    u.answer(2, searchDone(ResultCode.BUSY));

    assertThat(client.finalAnswerTo(a).resultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(other.finalAnswerTo(b).resultCode()).isEqualTo(ResultCode.BUSY);
    assertThat(client.finalAnswerTo(c).resultCode()).isEqualTo(32);
    assertThat(u.pendingOps()).isZero();
    assertThat(ups.pool().pendingOps()).isZero();
  }

  @Test
  void entriesReferencesAndIntermediateResponsesAreRelayedAndOnlyTheDoneEndsTheSearch() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    Operation op = forward(u.link(), client, 9, search());

    u.answer(1, new SearchResultEntryProtocolOp("cn=a,dc=example,dc=com",
        List.of(new Attribute("cn", "a"))));
    u.answer(1, new SearchResultReferenceProtocolOp(List.of("ldap://elsewhere.test/")));
    u.answer(1, new IntermediateResponseProtocolOp("1.3.6.1.4.1.99999.1", null));
    assertThat(op.isFinished()).isFalse();
    // It streams: still in flight, but it holds no pending slot (a long-lived search must not).
    assertThat(op.isStreaming()).isTrue();
    assertThat(u.pendingOps()).isZero();
    assertThat(ups.pool().pendingOps()).isZero();
    u.answer(1, searchDone(ResultCode.SUCCESS));

    assertThat(client.answersTo(op))
        .extracting(Answer::tag, Answer::isFinal)
        .containsExactly(
            tuple(ProtocolOp.SEARCH_RESULT_ENTRY, false),
            tuple(ProtocolOp.SEARCH_RESULT_REFERENCE, false),
            tuple(ProtocolOp.INTERMEDIATE_RESPONSE, false),
            tuple(ProtocolOp.SEARCH_RESULT_DONE, true));
    assertThat(u.pendingOps()).isZero();
    assertThat(ups.pool().pendingOps()).isZero();
  }

  @Test
  void aResponseForNoPendingOperationIsDropped() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    Operation op = forward(u.link(), client, 1, search());

    u.answer(77, searchDone(ResultCode.SUCCESS));

    assertThat(client.answers()).isEmpty();
    assertThat(u.isOpen()).isTrue();
    u.answer(op.upstreamMessageId(), searchDone(ResultCode.SUCCESS));
    assertThat(client.finalAnswerTo(op).kind()).isEqualTo(Kind.RELAYED);
  }

  @Test
  void aResponseOfTheWrongTypeCostsTheConnectionAndEveryPendingOperationGetsOther() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    Operation search = forward(u.link(), client, 1, search());
    Operation modify = forward(u.link(), client, 2, modify());

    try (LogCapture log = LogCapture.of(UpstreamConnection.class)) {
      u.answer(search.upstreamMessageId(), modifyDone(ResultCode.SUCCESS));

      assertThat(log.lines())
          .containsExactly(
              "WARN " + POOL + ": closing upstream connection: response of type 0x67 to a"
                  + " request of type 0x63; 2 operations in flight answered other (80)");
    }
    assertThat(u.isOpen()).isFalse();
    for (Operation op : List.of(search, modify)) {
      Answer answer = client.finalAnswerTo(op);
      assertThat(answer.kind()).isEqualTo(Kind.FAILED);
      assertThat(answer.resultCode()).isEqualTo(ResultCode.OTHER);
      assertThat(answer.text()).isEqualTo(Diagnostics.SEVERED);
    }
    assertThat(ups.pool().pendingOps()).isZero();
    assertThat(ups.connectAttempts()).as("replaced at once").isEqualTo(1);
  }

  @Test
  void aNegativeMessageIdFromTheServerCostsTheConnection() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    Operation op = forward(u.link(), client, 1, search());

    try (LogCapture log = LogCapture.of(UpstreamConnection.class)) {
      u.answer(-5, searchDone(ResultCode.SUCCESS));

      assertThat(log.lines()).singleElement().asString()
          .contains("closing upstream connection: invalid message ID -5 from the server");
    }
    assertThat(u.isOpen()).isFalse();
    assertThat(client.finalAnswerTo(op).resultCode()).isEqualTo(ResultCode.OTHER);
  }

  @Test
  void aNoticeOfDisconnectionFailsPendingOperationsAndTheLogLineSaysWhyAndHowMany() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    Operation a = forward(u.link(), client, 1, search());
    Operation b = forward(u.link(), client, 2, search());

    try (LogCapture log = LogCapture.of(UpstreamConnection.class)) {
      u.answer(0, noticeOfDisconnection(ResultCode.UNAVAILABLE, "shutting down"));

      assertThat(log.lines())
          .containsExactly(
              "WARN " + POOL + ": closing upstream connection: the server sent a Notice of"
                  + " Disconnection (result 52: shutting down); 2 operations in flight answered"
                  + " other (80)");
    }
    assertThat(u.isOpen()).isFalse();
    assertThat(client.finalAnswerTo(a).resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(client.finalAnswerTo(b).resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(ups.pool().readyConnections()).isZero();
    assertThat(ups.connectAttempts()).isEqualTo(1);
  }

  @Test
  void anyOtherUnsolicitedNotificationAlsoEndsTheConnection() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    Operation op = forward(u.link(), client, 1, search());

    u.answer(0, new ExtendedResponseProtocolOp(0, null, null, null, "1.3.6.1.4.1.99999.2",
        new ASN1OctetString("?")));

    assertThat(u.isOpen()).isFalse();
    assertThat(client.finalAnswerTo(op).resultCode()).isEqualTo(ResultCode.OTHER);
  }

  @Test
  void aLostConnectionAnswersEachPendingOperationOnceWithOtherAndIsReplacedAtOnce() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    forward(u.link(), client, 9, search()); // a working connection: the server has answered
    u.answer(u.sent().get(0).getMessageID(), searchDone(ResultCode.SUCCESS));
    Operation a = forward(u.link(), client, 1, search());
    Operation b = forward(u.link(), client, 2, modify());
    assertThat(ups.pool().pendingOps()).isEqualTo(2);

    try (LogCapture log = LogCapture.of(UpstreamConnection.class)) {
      u.lose();

      assertThat(log.lines())
          .containsExactly(
              "WARN " + POOL + ": connection lost; 2 operations in flight answered other (80)");
    }
    assertThat(client.finalAnswerTo(a).text()).isEqualTo(Diagnostics.SEVERED);
    assertThat(client.finalAnswerTo(b).resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(client.ignored()).isZero();
    assertThat(ups.pool().pendingOps()).isZero();
    assertThat(ups.pool().readyConnections()).isZero();
    assertThat(ups.connectAttempts()).isEqualTo(1);
    assertThat(a.upstream()).isNull();
  }

  @Test
  void abandonedOperationsKeepTheirSlotsUntilTheServerShowsProgress() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    Operation a = forward(u.link(), client, 1, search());
    Operation b = forward(u.link(), client, 2, search());
    Operation c = forward(u.link(), client, 3, search());
    u.sent();

    for (Operation gone : List.of(a, b)) { // their client left
      gone.finish();
      u.link().abandon(gone);
    }

    assertThat(u.link().pendingOps()).as("the server may still hold them").isEqualTo(3);
    ups.pool().expire(System.nanoTime(), 0);
    assertThat(u.link().pendingOps()).as("not while c is owed").isEqualTo(3);
    u.answer(3, searchDone(ResultCode.SUCCESS)); // progress: one slot back with c's
    assertThat(client.finalAnswerTo(c).kind()).isEqualTo(Kind.RELAYED);
    assertThat(u.link().pendingOps()).isEqualTo(1);
    ups.pool().expire(System.nanoTime() + TimeUnit.SECONDS.toNanos(2), 0);
    assertThat(u.link().pendingOps()).as("nothing owed and nothing heard for a while").isZero();
  }

  @Test
  void anAbandonedOperationIsAbandonedUpstreamUnderItsUpstreamIdAndItsLateResponseDropped() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    Operation a = forward(u.link(), client, 40, search());
    Operation b = forward(u.link(), client, 41, search());
    u.sent();

    a.finish(); // the client forgets it first
    u.link().abandon(a);

    List<LDAPMessage> sent = u.sent();
    assertThat(sent).singleElement().satisfies(m -> {
      assertThat(m.getAbandonRequestProtocolOp().getIDToAbandon()).isEqualTo(1);
      assertThat(m.getMessageID()).as("an ID of its own, not one in use").isEqualTo(3);
    });
    assertThat(ups.pool().pendingOps()).isEqualTo(1);
    u.answer(1, searchDone(ResultCode.SUCCESS));
    u.answer(2, searchDone(ResultCode.SUCCESS));
    assertThat(client.answersTo(a)).isEmpty();
    assertThat(client.ignored()).as("dropped before reaching the client").isZero();
    assertThat(client.finalAnswerTo(b).kind()).isEqualTo(Kind.RELAYED);
  }

  @Test
  void becomingWritableAgainTellsTheRouterWhichSendsTheRequestsThatWaited() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    setWritable(u, false);
    assertThat(routerForward(ups, 1)).isEqualTo(OperationRouter.WAITING);
    assertThat(u.sent()).isEmpty();

    setWritable(u, true);

    assertThat(ups.router().waitingOperations()).isZero();
    assertThat(u.sent()).singleElement().satisfies(m -> assertThat(m.getSearchRequestProtocolOp())
        .isNotNull());
  }

  @Test
  void aSearchPastTheTimeLimitIsAbandonedUpstreamAndAnsweredTimeLimitExceeded() {
    long limit = TimeUnit.SECONDS.toNanos(10);
    BindConf timed =
        new BindConf(BindMethod.NONE, "", "", NETWORK_TIMEOUT, Duration.ofNanos(limit));
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(timed).build());
    Upstream u = ups.regular();
    Operation op = forward(u.link(), client, 3, search());
    u.sent();

    ups.pool().expire(op.startNanos() + limit - 1, limit);
    assertThat(client.answers()).isEmpty();

    ups.pool().expire(op.startNanos() + limit, limit);

    Answer answer = client.finalAnswerTo(op);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.TIME_LIMIT_EXCEEDED);
    assertThat(answer.text()).isEqualTo(Diagnostics.TIMED_OUT);
    assertThat(u.sent()).singleElement().satisfies(m ->
        assertThat(m.getAbandonRequestProtocolOp().getIDToAbandon()).isEqualTo(1));
    u.answer(1, searchDone(ResultCode.SUCCESS)); // too late
    assertThat(client.answersTo(op)).hasSize(1);
    assertThat(u.isOpen()).as("a shared connection is kept").isTrue();
    assertThat(ups.pool().pendingOps()).isZero();
  }

  @Test
  void theTimeLimitRunsFromTheLastResponseNotFromTheRequest() {
    long limit = TimeUnit.SECONDS.toNanos(10);
    BindConf timed =
        new BindConf(BindMethod.NONE, "", "", NETWORK_TIMEOUT, Duration.ofNanos(limit));
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(timed).build());
    Upstream u = ups.regular();
    Operation op = forward(u.link(), client, 3, search());
    u.sent();
    long start = op.startNanos();

    // An entry arrived before this check: the clock starts again from the check.
    u.answer(1, new SearchResultEntryProtocolOp("cn=a,dc=example,dc=com",
        List.of(new Attribute("cn", "a"))));
    ups.pool().expire(start + limit - 1, limit);
    ups.pool().expire(start + 2 * limit - 2, limit);
    assertThat(client.answersTo(op)).singleElement().matches(a -> !a.isFinal());

    ups.pool().expire(start + 2 * limit - 1, limit);
    assertThat(client.finalAnswerTo(op).resultCode()).isEqualTo(ResultCode.TIME_LIMIT_EXCEEDED);
  }

  @Test
  void anOperationOtherThanASearchPastTheTimeLimitIsAnsweredAdminLimitExceeded() {
    long limit = TimeUnit.SECONDS.toNanos(10);
    BindConf timed =
        new BindConf(BindMethod.NONE, "", "", NETWORK_TIMEOUT, Duration.ofNanos(limit));
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(timed).build());
    Upstream u = ups.regular();
    Operation op = forward(u.link(), client, 3, modify());
    u.sent();

    ups.pool().expire(op.startNanos() + limit, limit);

    assertThat(client.finalAnswerTo(op).resultCode()).isEqualTo(ResultCode.ADMIN_LIMIT_EXCEEDED);
    assertThat(u.sent()).singleElement().satisfies(m ->
        assertThat(m.getAbandonRequestProtocolOp().getIDToAbandon()).isEqualTo(1));
  }

  @Test
  void aPersistentSearchThatStreamsHasNoTimeLimit() {
    long limit = TimeUnit.SECONDS.toNanos(10);
    BindConf timed =
        new BindConf(BindMethod.NONE, "", "", NETWORK_TIMEOUT, Duration.ofNanos(limit));
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.builder().bindConf(timed).build());
    Upstream u = ups.regular();
    Operation persistent = forward(u.link(), client, 4, search());
    persistent.persistent(true);
    u.sent();
    u.answer(1, new SearchResultEntryProtocolOp("cn=a,dc=example,dc=com",
        List.of(new Attribute("cn", "a"))));

    ups.pool().expire(persistent.startNanos() + 1000 * limit, limit);

    assertThat(persistent.isFinished()).isFalse();
    assertThat(client.answersTo(persistent)).hasSize(1);
  }

  @Test
  void withoutATimeLimitNothingExpires() {
    EmbeddedUpstreams ups = track(EmbeddedUpstreams.create());
    Upstream u = ups.regular();
    Operation op = forward(u.link(), client, 3, search());

    ups.pool().expire(Long.MAX_VALUE, 0);

    assertThat(client.answers()).isEmpty();
    assertThat(op.upstream()).isSameAs(u.link());
  }

  /** Asks the router to forward a search from {@link #client}, as the client connection does. */
  private int routerForward(EmbeddedUpstreams ups, int clientId) {
    Operation op = new Operation(client, clientId, ProtocolOp.SEARCH_REQUEST);
    ByteBuf frame = Pdus.frame(clientId, search());
    try {
      return ups.router().forward(op, new LdapMessage().parse(frame), null);
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      frame.release();
    }
  }

  /**
   * Writability as a backlog would change it, without writing anything; the channel tells its
   * handlers in a task of its loop, run here.
   */
  static void setWritable(Upstream u, boolean writable) {
    u.channel().unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    u.channel().runPendingTasks();
  }

  private EmbeddedUpstreams track(EmbeddedUpstreams fixture) {
    fixtures.add(fixture);
    return fixture;
  }

  @AfterEach
  void releaseUnread() {
    fixtures.forEach(EmbeddedUpstreams::releaseUnread);
  }
}
