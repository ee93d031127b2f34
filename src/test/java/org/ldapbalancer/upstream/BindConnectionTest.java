package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.Messages.bindDone;
import static org.ldapbalancer.testing.Messages.saslBind;
import static org.ldapbalancer.testing.Messages.simpleBind;
import static org.ldapbalancer.testing.Messages.whoAmIAnswer;
import static org.ldapbalancer.upstream.Traffic.bind;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.operation.BindOperation;
import org.ldapbalancer.operation.Diagnostics;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.RecordingClient.Answer;
import org.ldapbalancer.testing.RecordingClient.Kind;
import org.ldapbalancer.testing.RecordingClient;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/**
 * A bind connection through its states: one client bind at a time, a multi-step SASL exchange
 * pinned to its client between steps (and how the pin ends), Who Am I? after a SASL success, the
 * time limits of each, and the connection lost in the middle of each.
 */
class BindConnectionTest {
  private static final String POOL = "ldap://upstream.test:389";
  /** No operation time limit; SASL steps may be this far apart ({@code network-timeout}). */
  private static final Duration STEP = Duration.ofSeconds(7);

  private static final BindConf UNTIMED =
      new BindConf(BindMethod.NONE, "", "", STEP, Duration.ZERO);
  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final BindConf TIMED = new BindConf(BindMethod.NONE, "", "", STEP, LIMIT);

  /** Every fixture of the test, for releasing what the balancer sent and nobody read. */
  private final List<EmbeddedUpstreams> fixtures = new ArrayList<>();

  private final RecordingClient alice = new RecordingClient("alice");
  private final RecordingClient bob = new RecordingClient("bob");
  private final EmbeddedUpstreams ups =
      track(EmbeddedUpstreams.builder().bindConf(UNTIMED).build());
  private final OperationRouter router = ups.router();

  private static BindRequestProtocolOp aliceBind() {
    return simpleBind("uid=alice,dc=example,dc=com", "pw");
  }

  private static BindRequestProtocolOp bobBind() {
    return simpleBind("uid=bob,dc=example,dc=com", "pw");
  }

  private static BindRequestProtocolOp scram(String step) {
    return saslBind("SCRAM-SHA-256", step);
  }

  @Test
  void aBindWaitsWhileTheOnlyBindConnectionIsReplacedAndTheServerAnswersOtherwise() {
    ups.regular(); // the server is up: its regular connection works
    Upstream first = ups.bind();
    first.lose();

    BindOperation a = bind(router, alice, 1, aliceBind(), null);
    assertThat(alice.answers()).as("waiting, not unavailable (52)").isEmpty();
    assertThat(a.isWaiting()).isTrue();

    Upstream second = ups.bind();
    assertThat(second.sent()).singleElement().satisfies(m ->
        assertThat(m.getBindRequestProtocolOp().getBindDN())
            .isEqualTo("uid=alice,dc=example,dc=com"));
  }

  @Test
  void aBindIsUnavailableWhenTheServerHasNoConnectionAtAll() {
    ups.bind().lose();

    BindOperation a = bind(router, alice, 1, aliceBind(), null);
    assertThat(alice.finalAnswerTo(a).resultCode()).isEqualTo(ResultCode.UNAVAILABLE);
  }

  @Test
  void aBindConnectionIsReadyOnConnectAndTakesTheLongestWaitingBind() {
    Upstream first = ups.bind();
    assertThat(first.link().isReady()).isTrue();
    BindOperation a = bind(router, alice, 1, aliceBind(), null);
    BindOperation b = bind(router, bob, 1, bobBind(), null);
    RecordingClient carol = new RecordingClient("carol");
    bind(router, carol, 1, simpleBind("uid=carol,dc=example,dc=com", "pw"), null);
    assertThat(router.waitingOperations()).isEqualTo(2);
    assertThat(first.sent()).extracting(m -> m.getBindRequestProtocolOp().getBindDN())
        .containsExactly("uid=alice,dc=example,dc=com");

    Upstream second = ups.bind();

    assertThat(second.sent()).extracting(m -> m.getBindRequestProtocolOp().getBindDN())
        .containsExactly("uid=bob,dc=example,dc=com");
    assertThat(b.upstream()).isSameAs(second.link());
    assertThat(a.upstream()).isSameAs(first.link());
    assertThat(router.waitingOperations()).isEqualTo(1);
  }

  @Test
  void oneBindAtATimeTheNextGoesOutWhenTheFirstIsAnswered() {
    Upstream u = ups.bind();
    BindOperation a = bind(router, alice, 1, aliceBind(), null);
    BindOperation b = bind(router, bob, 7, bobBind(), null);
    assertThat(u.pendingOps()).isEqualTo(1);
    List<LDAPMessage> sent = u.sent();
    assertThat(sent).hasSize(1);
    assertThat(b.upstream()).as("waiting, not sent").isNull();

    u.answer(sent.get(0).getMessageID(), bindDone(ResultCode.SUCCESS));

    Answer answer = alice.finalAnswerTo(a);
    assertThat(answer.kind()).isEqualTo(Kind.BOUND);
    assertThat(answer.text()).isEqualTo("dn:uid=alice,dc=example,dc=com");
    assertThat(u.sent()).extracting(m -> m.getBindRequestProtocolOp().getBindDN())
        .containsExactly("uid=bob,dc=example,dc=com");
    assertThat(b.upstream()).isSameAs(u.link());
  }

  @Test
  void anAnonymousSimpleBindEstablishesNoIdentityAndAFailedOneIsRelayedWithItsResult() {
    Upstream u = ups.bind();
    BindOperation anonymous = bind(router, alice, 1, simpleBind("", ""), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SUCCESS));
    BindOperation refused = bind(router, bob, 1, bobBind(), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(49));

    assertThat(alice.finalAnswerTo(anonymous).text()).isEqualTo("dn:");
    Answer answer = bob.finalAnswerTo(refused);
    assertThat(answer.resultCode()).isEqualTo(49);
    assertThat(answer.text()).isNull();
    assertThat(u.pendingOps()).isZero();
  }

  @Test
  void aSaslStepInProgressPinsTheConnectionToItsClientOnly() {
    Upstream u = ups.bind();
    BindOperation step1 = bind(router, alice, 1, scram("client-first"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));

    assertThat(alice.finalAnswerTo(step1).resultCode())
        .isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS);
    assertThat(u.link().holdsSaslExchangeOf(alice)).isTrue();
    assertThat(u.link().holdsSaslExchangeOf(bob)).isFalse();
    assertThat(u.pendingOps()).as("not offered to other binds").isEqualTo(1);
    BindOperation other = bind(router, bob, 1, bobBind(), null);
    assertThat(u.sent()).isEmpty();
    assertThat(other.isWaiting()).isTrue();

    BindOperation step2 = bind(router, alice, 2, scram("client-final"), u.link());

    assertThat(step2.upstream()).isSameAs(u.link());
    assertThat(u.sent()).singleElement().satisfies(m -> assertThat(
        m.getBindRequestProtocolOp().getSASLCredentials().stringValue()).isEqualTo("client-final"));
    assertThat(u.link().holdsSaslExchangeOf(alice)).as("a step in flight").isFalse();
  }

  @Test
  void releasingThePinSendsAnAnonymousBindAndOnlyThenServesAnotherClient() {
    Upstream u = ups.bind();
    bind(router, alice, 1, scram("client-first"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));
    BindOperation waiting = bind(router, bob, 1, bobBind(), null);

    u.link().releaseSaslPin(alice);

    List<LDAPMessage> sent = u.sent();
    assertThat(sent).singleElement().satisfies(m -> {
      BindRequestProtocolOp reset = m.getBindRequestProtocolOp();
      assertThat(reset.getBindDN()).isEmpty();
      assertThat(reset.getSimplePassword().getValue()).isEmpty();
    });
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
    assertThat(waiting.upstream()).as("not before the server has forgotten the exchange").isNull();

    u.answer(sent.get(0).getMessageID(), bindDone(ResultCode.SUCCESS));

    assertThat(u.sent()).extracting(m -> m.getBindRequestProtocolOp().getBindDN())
        .containsExactly("uid=bob,dc=example,dc=com");
    assertThat(alice.answers()).hasSize(1); // the reset is the balancer's own: nobody hears of it
  }

  /**
   * A server that refuses anonymous binds (slapd's "disallow bind_anon": inappropriateAuthentication)
   * has still ended the exchange: the connection serves the next bind rather than being replaced.
   */
  @Test
  void aServerThatRefusesTheResetHasStillEndedTheExchange() {
    Upstream u = ups.bind();
    bind(router, alice, 1, scram("client-first"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));
    u.link().releaseSaslPin(alice);
    int resetId = u.sent().get(0).getMessageID();
    BindOperation waiting = bind(router, bob, 1, bobBind(), null);
    assertThat(waiting.upstream()).as("the reset first").isNull();

    u.answer(resetId, bindDone(ResultCode.INAPPROPRIATE_AUTHENTICATION));

    assertThat(u.isOpen()).isTrue();
    assertThat(ups.connectAttempts()).isZero();
    assertThat(waiting.upstream()).as("the next bind goes out").isNotNull();
  }

  @Test
  void aSaslExchangeWaitingLongerThanTheStepTimeoutIsEndedForTheClientAndOnTheServer() {
    Upstream u = ups.bind();
    bind(router, alice, 1, scram("client-first"), null);
    long before = System.nanoTime();
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));
    BindOperation waiting = bind(router, bob, 1, bobBind(), null);

    ups.pool().expire(before + STEP.toNanos() - 1, 0);
    assertThat(u.link().holdsSaslExchangeOf(alice)).isTrue();
    assertThat(u.sent()).isEmpty();

    ups.pool().expire(System.nanoTime() + STEP.toNanos(), 0);

    assertThat(alice.saslExchangesEnded()).containsExactly(u.link());
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
    List<LDAPMessage> sent = u.sent();
    assertThat(sent).singleElement().satisfies(m ->
        assertThat(m.getBindRequestProtocolOp().getBindDN()).isEmpty());
    u.answer(sent.get(0).getMessageID(), bindDone(ResultCode.SUCCESS));
    assertThat(waiting.upstream()).isSameAs(u.link());
  }

  @Test
  void aResetWithoutAnswerInTimeReplacesTheConnection() {
    Upstream u = ups.bind();
    bind(router, alice, 1, scram("client-first"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));
    long before = System.nanoTime();
    u.link().releaseSaslPin(alice);

    ups.pool().expire(before + STEP.toNanos() - 1, 0);
    assertThat(u.isOpen()).isTrue();

    try (LogCapture log = LogCapture.of(UpstreamConnection.class)) {
      ups.pool().expire(System.nanoTime() + STEP.toNanos(), 0);

      assertThat(log.lines()).singleElement().asString()
          .contains("closing upstream connection: no answer to an anonymous bind in time");
    }
    assertThat(u.isOpen()).isFalse();
    assertThat(ups.connectAttempts()).isEqualTo(1);
  }

  @ParameterizedTest(name = "Who Am I? answering \"{0}\" makes the identity \"{1}\"")
  @CsvSource({
    "'dn:uid=alice,dc=example,dc=com', 'dn:uid=alice,dc=example,dc=com'",
    "'u:alice', 'u:alice'",
    "'', 'dn:'"
  })
  void aSaslSuccessIsRelayedOnlyOnceWhoAmIHasToldTheIdentity(String answer, String identity) {
    Upstream u = ups.bind();
    BindOperation op = bind(router, alice, 1, scram("client-final"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SUCCESS));

    List<LDAPMessage> sent = u.sent();
    assertThat(sent).singleElement().satisfies(m ->
        assertThat(m.getExtendedRequestProtocolOp().getOID()).isEqualTo(Oids.WHO_AM_I));
    assertThat(alice.answers()).as("held until the identity is known").isEmpty();
    assertThat(u.pendingOps()).isEqualTo(1);
    BindOperation waiting = bind(router, bob, 1, bobBind(), null);
    assertThat(waiting.upstream()).isNull();

    u.answer(sent.get(0).getMessageID(), whoAmIAnswer(ResultCode.SUCCESS, answer));

    Answer bound = alice.finalAnswerTo(op);
    assertThat(bound.kind()).isEqualTo(Kind.BOUND);
    assertThat(bound.resultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(bound.text()).isEqualTo(identity);
    assertThat(waiting.upstream()).as("the connection is free again").isSameAs(u.link());
  }

  @Test
  void aFailedWhoAmIAnswersTheBindOtherRatherThanSuccessAsAnonymous() {
    Upstream u = ups.bind();
    BindOperation op = bind(router, alice, 1, scram("client-final"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SUCCESS));
    int whoAmIId = u.sent().get(0).getMessageID();

    try (LogCapture log = LogCapture.of(BindConnection.class)) {
      u.answer(whoAmIId, whoAmIAnswer(ResultCode.UNWILLING_TO_PERFORM, null));

      assertThat(log.lines())
          .containsExactly(
              "WARN " + POOL + ": Who Am I? after a SASL bind failed (result 53); the bind is"
                  + " answered other (80)");
    }
    Answer bound = alice.finalAnswerTo(op);
    assertThat(bound.resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(bound.text()).contains("Who Am I? result 53");
    assertThat(u.pendingOps()).isZero();
  }

  @Test
  void aWhoAmINeverAnsweredAfterItsClientLeftReplacesTheConnectionAfterTheStepTimeout() {
    Upstream u = ups.bind();
    BindOperation op = bind(router, alice, 1, scram("client-final"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SUCCESS));
    long sent = System.nanoTime();
    u.sent();
    leaves(op);

    ups.pool().expire(sent + STEP.toNanos() / 2, 0);
    assertThat(u.isOpen()).isTrue();
    ups.pool().expire(System.nanoTime() + STEP.toNanos(), 0);
    assertThat(u.isOpen()).as("replaced, not held for ever").isFalse();
    assertThat(ups.connectAttempts()).isEqualTo(1);
  }

  @Test
  void aClientLeavingDuringWhoAmIGetsNothingAndTheConnectionServesTheNextBind() {
    Upstream u = ups.bind();
    BindOperation op = bind(router, alice, 1, scram("client-final"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SUCCESS));
    int whoAmIId = u.sent().get(0).getMessageID();
    BindOperation waiting = bind(router, bob, 1, bobBind(), null);

    leaves(op);
    assertThat(waiting.upstream()).as("Who Am I? is still in flight").isNull();
    u.answer(whoAmIId, whoAmIAnswer(ResultCode.SUCCESS, "dn:uid=alice,dc=example,dc=com"));

    assertThat(alice.answers()).isEmpty();
    assertThat(alice.ignored()).isZero();
    assertThat(waiting.upstream()).isSameAs(u.link());
  }

  @Test
  void anAnsweredBindWhoseClientLeftIsDroppedAndTheConnectionServesTheNextBind() {
    Upstream u = ups.bind();
    BindOperation op = bind(router, alice, 1, aliceBind(), null);
    BindOperation waiting = bind(router, bob, 1, bobBind(), null);
    int id = u.sent().get(0).getMessageID();

    leaves(op);
    assertThat(u.sent()).as("a bind cannot be abandoned").isEmpty();
    u.answer(id, bindDone(ResultCode.SUCCESS));

    assertThat(alice.answers()).isEmpty();
    assertThat(waiting.upstream()).isSameAs(u.link());
  }

  /**
   * The server answers a SASL step "in progress" after the client left: it now holds an exchange
   * that the next bind on the connection would continue if it names the same mechanism, so the
   * exchange is ended with an anonymous bind before another client's bind goes out.
   */
  @Test
  void aSaslStepAnsweredInProgressAfterItsClientLeftIsEndedBeforeTheNextClientsBind() {
    Upstream u = ups.bind();
    BindOperation step = bind(router, alice, 1, scram("client-first"), null);
    BindOperation waiting = bind(router, bob, 1, scram("bob-first"), null);
    int id = u.sent().get(0).getMessageID();

    leaves(step);
    u.answer(id, bindDone(ResultCode.SASL_BIND_IN_PROGRESS));

    assertThat(alice.answers()).isEmpty();
    assertThat(waiting.upstream()).as("not onto the server's open exchange").isNull();
    List<LDAPMessage> sent = u.sent();
    assertThat(sent).singleElement().satisfies(m -> {
      assertThat(m.getBindRequestProtocolOp().getSASLMechanism()).isNull();
      assertThat(m.getBindRequestProtocolOp().getBindDN()).isEmpty();
    });
    u.answer(sent.get(0).getMessageID(), bindDone(ResultCode.SUCCESS));
    assertThat(waiting.upstream()).isSameAs(u.link());
    assertThat(u.sent()).extracting(m -> m.getBindRequestProtocolOp().getSASLMechanism())
        .containsExactly("SCRAM-SHA-256");
  }

  @Test
  void losingTheConnectionDuringABindAnswersItOtherOnceAndReplacesTheConnection() {
    Upstream u = ups.bind();
    bind(router, alice, 1, aliceBind(), null); // a working connection: the server has answered
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SUCCESS));
    BindOperation op = bind(router, alice, 2, aliceBind(), null);

    u.lose();

    Answer answer = alice.finalAnswerTo(op);
    assertThat(answer.kind()).isEqualTo(Kind.FAILED);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(answer.text()).isEqualTo(Diagnostics.SEVERED);
    assertThat(ups.pool().readyBindConnections()).isZero();
    assertThat(ups.pool().pendingOps()).isZero();
    assertThat(ups.connectAttempts()).isEqualTo(1);
  }

  @Test
  void losingTheConnectionDuringWhoAmIAnswersTheBindOtherOnce() {
    Upstream u = ups.bind();
    BindOperation op = bind(router, alice, 1, scram("client-final"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SUCCESS));

    try (LogCapture log = LogCapture.of(UpstreamConnection.class)) {
      u.lose();

      assertThat(log.lines())
          .containsExactly(
              "WARN " + POOL + ": connection lost; 1 operations in flight answered other (80)");
    }
    Answer answer = alice.finalAnswerTo(op);
    assertThat(answer.kind()).isEqualTo(Kind.FAILED);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(alice.ignored()).isZero();
  }

  @Test
  void losingTheConnectionWhilePinnedEndsTheClientsExchange() {
    Upstream u = ups.bind();
    bind(router, alice, 1, scram("client-first"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));

    u.lose();

    assertThat(alice.saslExchangesEnded()).containsExactly(u.link());
    assertThat(alice.answers()).hasSize(1); // only the "in progress" of the first step
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
    assertThat(ups.connectAttempts()).isEqualTo(1);
  }

  @Test
  void losingTheConnectionDuringTheResetTellsNoClientAndReplacesIt() {
    Upstream u = ups.bind();
    bind(router, alice, 1, scram("client-first"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SASL_BIND_IN_PROGRESS));
    u.link().releaseSaslPin(alice);
    BindOperation waiting = bind(router, bob, 1, bobBind(), null);

    u.lose();

    assertThat(alice.answers()).hasSize(1);
    assertThat(alice.saslExchangesEnded()).as("the client had given it up").isEmpty();
    assertThat(bob.answers()).as("still waiting for a bind connection").isEmpty();
    assertThat(waiting.isWaiting()).isTrue();
    assertThat(ups.connectAttempts()).isEqualTo(1);
  }

  @Test
  void aBindWithoutResponseInTimeIsAnsweredAdminLimitAndTheConnectionReplaced() {
    EmbeddedUpstreams timed = track(EmbeddedUpstreams.builder().bindConf(TIMED).build());
    Upstream u = timed.bind();
    BindOperation op = bind(timed.router(), alice, 1, aliceBind(), null);
    long limit = LIMIT.toNanos();

    timed.pool().expire(op.startNanos() + limit - 1, limit);
    assertThat(alice.answers()).isEmpty();

    try (LogCapture log = LogCapture.of(UpstreamConnection.class)) {
      timed.pool().expire(op.startNanos() + limit, limit);

      assertThat(log.lines()).hasSize(2);
      assertThat(log.lines().get(0))
          .contains("bind timed out, no response for 10000 ms; answered adminLimitExceeded (11)");
      assertThat(log.lines().get(1))
          .contains("closing upstream connection: a bind got no response in time");
    }
    Answer answer = alice.finalAnswerTo(op);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.ADMIN_LIMIT_EXCEEDED);
    assertThat(answer.text()).isEqualTo(Diagnostics.TIMED_OUT);
    assertThat(u.isOpen()).as("its state on the server is unknown").isFalse();
    assertThat(timed.connectAttempts()).isEqualTo(1);
  }

  @Test
  void whoAmIWithoutAnswerInTimeAnswersTheBindAdminLimitAndReplacesTheConnection() {
    EmbeddedUpstreams timed = track(EmbeddedUpstreams.builder().bindConf(TIMED).build());
    Upstream u = timed.bind();
    BindOperation op = bind(timed.router(), alice, 1, scram("client-final"), null);
    u.answer(u.sent().get(0).getMessageID(), bindDone(ResultCode.SUCCESS));
    long limit = LIMIT.toNanos();

    timed.pool().expire(op.startNanos() + limit - 1, limit);
    assertThat(alice.answers()).isEmpty();
    timed.pool().expire(op.startNanos() + limit, limit);

    Answer answer = alice.finalAnswerTo(op);
    assertThat(answer.kind()).isEqualTo(Kind.FAILED);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.ADMIN_LIMIT_EXCEEDED);
    assertThat(u.isOpen()).isFalse();
    assertThat(alice.ignored()).isZero();
  }

  @Test
  void theStepTimeoutIsTheOperationTimeLimitWhenThereIsOne() {
    EmbeddedUpstreams timed = track(EmbeddedUpstreams.builder().bindConf(TIMED).build());
    assertThat(timed.pool().saslStepTimeoutNanos()).isEqualTo(LIMIT.toNanos());
    assertThat(ups.pool().saslStepTimeoutNanos()).isEqualTo(STEP.toNanos());
    EmbeddedUpstreams neither =
        EmbeddedUpstreams.builder()
            .bindConf(new BindConf(BindMethod.NONE, "", "", Duration.ZERO, Duration.ZERO))
            .build();
    assertThat(neither.pool().saslStepTimeoutNanos())
        .isEqualTo(TimeUnit.SECONDS.toNanos(60));
  }

  /** What the client connection does when its client goes: forget the operation, then abandon. */
  private static void leaves(BindOperation op) {
    op.finish();
    op.upstream().abandon(op);
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
