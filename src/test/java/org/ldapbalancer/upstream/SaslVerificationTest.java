package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.Messages.saslBind;
import static org.ldapbalancer.testing.Messages.searchDone;
import static org.ldapbalancer.testing.Messages.simpleBind;
import static org.ldapbalancer.upstream.Traffic.bind;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.asn1.ASN1Integer;
import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.asn1.ASN1Sequence;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultEntryProtocolOp;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.controls.AuthorizationIdentityResponseControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.operation.BindOperation;
import org.ldapbalancer.operation.OperationRouter;
import org.ldapbalancer.protocol.Oids;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.RecordingClient;
import org.ldapbalancer.testing.RecordingClient.Kind;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/**
 * SASL binds as Verify Credentials on a regular connection ({@code feature vc}): the pin between
 * steps and every way it ends, the identity a success establishes, and one answer to the client
 * whatever the server says.
 */
class SaslVerificationTest {
  /** SASL steps may be this far apart ({@code network-timeout}); no operation time limit. */
  private static final Duration STEP = Duration.ofSeconds(7);

  private static final String ALICE = "dn:uid=alice,dc=example,dc=com";
  private static final byte[] COOKIE = {4, 2};

  private final EmbeddedUpstreams ups =
      EmbeddedUpstreams.builder()
          .bindConf(new BindConf(BindMethod.NONE, "", "", STEP, Duration.ZERO))
          .verifyCredentials()
          .build();
  private final OperationRouter router = ups.router();
  private final RecordingClient alice = new RecordingClient("alice");
  private final RecordingClient bob = new RecordingClient("bob");
  private Upstream u;

  /** A regular connection whose server announces Verify Credentials in its root DSE. */
  @BeforeEach
  void announce() {
    u = ups.regular();
    LDAPMessage rootDse = u.sent().get(0);
    u.answer(rootDse.getMessageID(), new SearchResultEntryProtocolOp(
        new Entry("", new Attribute("supportedExtension", Oids.VERIFY_CREDENTIALS))));
    u.answer(rootDse.getMessageID(), searchDone(ResultCode.SUCCESS));
    assertThat(u.link().verifiesCredentials()).isTrue();
  }

  @AfterEach
  void release() {
    ups.releaseUnread();
  }

  private static ExtendedResponseProtocolOp vc(ASN1Element... value) {
    return new ExtendedResponseProtocolOp(
        0, null, null, null, null, new ASN1OctetString(new ASN1Sequence(value).encode()));
  }

  private static ASN1Element controls(Control... controls) {
    List<ASN1Element> encoded = new ArrayList<>();
    for (Control c : controls) {
      encoded.add(c.encode());
    }
    return new ASN1Sequence((byte) 0xa2, encoded);
  }

  private static ASN1Element[] value(LDAPMessage sent) throws Exception {
    ExtendedRequestProtocolOp op = sent.getExtendedRequestProtocolOp();
    assertThat(op.getOID()).isEqualTo(Oids.VERIFY_CREDENTIALS);
    return ASN1Sequence.decodeAsSequence(op.getValue().getValue()).elements();
  }

  /** Alice's first step, answered saslBindInProgress with {@link #COOKIE}. */
  private BindOperation firstStepInProgress() throws Exception {
    BindOperation step = bind(router, alice, 1, saslBind("X-TWO", "one"), null);
    LDAPMessage sent = u.sent().get(0);
    ASN1Element[] value = value(sent);
    assertThat(value[0].getType()).as("no cookie on a first step").isEqualTo((byte) 0x04);
    u.answer(sent.getMessageID(), vc(new ASN1Integer(14), new ASN1OctetString(""),
        new ASN1OctetString((byte) 0x80, COOKIE), new ASN1OctetString((byte) 0x81, "nonce")));
    assertThat(alice.finalAnswerTo(step).resultCode()).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS);
    return step;
  }

  @Test
  void inProgressPinsTheClientAndItsNextStepCarriesTheCookieToTheSameConnection()
      throws Exception {
    BindOperation first = firstStepInProgress();
    assertThat(first.cookie()).containsExactly(COOKIE);
    assertThat(u.link().holdsSaslExchangeOf(alice)).isTrue();
    assertThat(u.link().holdsSaslExchangeOf(bob)).isFalse();
    assertThat(u.pendingOps()).as("no slot held between steps").isZero();

    BindOperation second =
        bind(router, alice, 2, saslBind("X-TWO", "two"), u.link(), first.cookie());

    assertThat(u.link().holdsSaslExchangeOf(alice)).as("a step in flight").isFalse();
    LDAPMessage sent = u.sent().get(0);
    ASN1Element[] value = value(sent);
    assertThat(value[0].getType()).isEqualTo((byte) 0x80);
    assertThat(value[0].getValue()).containsExactly(COOKIE);
    u.answer(sent.getMessageID(), vc(new ASN1Integer(0), new ASN1OctetString(""),
        controls(new AuthorizationIdentityResponseControl(ALICE))));

    RecordingClient.Answer done = alice.finalAnswerTo(second);
    assertThat(done.kind()).isEqualTo(Kind.BOUND);
    assertThat(done.resultCode()).isZero();
    assertThat(done.text()).isEqualTo(ALICE);
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
    assertThat(u.pendingOps()).isZero();
  }

  @Test
  void theAuthzIdFieldComesBeforeTheControl() throws Exception {
    BindOperation step = bind(router, alice, 1, saslBind("PLAIN", "x"), null);
    LDAPMessage sent = u.sent().get(0);
    u.answer(sent.getMessageID(), vc(new ASN1Integer(0), new ASN1OctetString(""),
        new ASN1OctetString((byte) 0x82, "u:alice"),
        controls(new AuthorizationIdentityResponseControl(ALICE))));
    assertThat(alice.finalAnswerTo(step).text()).isEqualTo("u:alice");
  }

  @Test
  void aSuccessThatNamesNobodyIsRefusedWithOtherAndLogged() {
    try (LogCapture log = LogCapture.of(RegularConnection.class)) {
      BindOperation step = bind(router, alice, 1, saslBind("PLAIN", "x"), null);
      LDAPMessage sent = u.sent().get(0);
      u.answer(sent.getMessageID(), vc(new ASN1Integer(0), new ASN1OctetString("")));

      RecordingClient.Answer answer = alice.finalAnswerTo(step);
      assertThat(answer.kind()).isEqualTo(Kind.FAILED);
      assertThat(answer.resultCode()).isEqualTo(ResultCode.OTHER);
      assertThat(answer.text()).isEqualTo(RegularConnection.NO_IDENTITY);
      assertThat(log.contains("named no identity")).isTrue();
    }
    assertThat(alice.answers()).hasSize(1);
    assertThat(u.isOpen()).isTrue();
  }

  @Test
  void anAnonymousIdentityIsTakenAsAnonymous() throws Exception {
    BindOperation step = bind(router, alice, 1, saslBind("ANONYMOUS", "trace"), null);
    LDAPMessage sent = u.sent().get(0);
    u.answer(sent.getMessageID(), vc(new ASN1Integer(0), new ASN1OctetString(""),
        controls(new AuthorizationIdentityResponseControl(""))));
    assertThat(alice.finalAnswerTo(step).text()).isEqualTo("dn:");
  }

  @Test
  void inProgressWithoutACookieEndsTheBindOnceAndPinsNothing() throws Exception {
    BindOperation step = bind(router, alice, 1, saslBind("X-TWO", "one"), null);
    LDAPMessage sent = u.sent().get(0);
    u.answer(sent.getMessageID(), vc(new ASN1Integer(14), new ASN1OctetString("")));

    RecordingClient.Answer answer = alice.finalAnswerTo(step);
    assertThat(answer.kind()).isEqualTo(Kind.FAILED);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
  }

  @Test
  void aMalformedAnswerEndsTheBindOnceAndTheConnectionGoesOn() throws Exception {
    BindOperation step = bind(router, alice, 1, saslBind("X-TWO", "one"), null);
    LDAPMessage sent = u.sent().get(0);
    u.answer(sent.getMessageID(), vc(new ASN1Integer(14), new ASN1OctetString(""),
        new ASN1OctetString((byte) 0x80, COOKIE), new ASN1Integer(3)));

    assertThat(alice.finalAnswerTo(step).resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
    assertThat(u.isOpen()).isTrue();
  }

  @Test
  void aClientThatGaveUpBeforeTheAnswerIsNotPinned() throws Exception {
    BindOperation step = bind(router, alice, 1, saslBind("X-TWO", "one"), null);
    LDAPMessage sent = u.sent().get(0);
    step.finish(); // the client left or reset, as ClientConnection.abandonAll does
    u.link().abandon(step);
    u.answer(sent.getMessageID(), vc(new ASN1Integer(14), new ASN1OctetString(""),
        new ASN1OctetString((byte) 0x80, COOKIE)));

    assertThat(alice.answers()).isEmpty();
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
  }

  @Test
  void releasingThePinForgetsTheClientAndSendsNothing() throws Exception {
    firstStepInProgress();
    u.link().releaseSaslPin(bob);
    assertThat(u.link().holdsSaslExchangeOf(alice)).as("only its own client's").isTrue();

    u.link().releaseSaslPin(alice);

    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
    assertThat(u.sent()).isEmpty();
  }

  @Test
  void aSimpleBindOfThePinnedClientEndsItsExchange() throws Exception {
    firstStepInProgress();
    // The client side ends the exchange first; a bind reaching the connection also forgets it.
    bind(router, alice, 2, simpleBind("uid=alice,dc=example,dc=com", "pw"), null);
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
    ASN1Element[] value = value(u.sent().get(0));
    assertThat(value[1].getType()).as("simple, without cookie").isEqualTo((byte) 0x80);
  }

  @Test
  void losingTheConnectionBetweenStepsEndsTheClientsExchange() throws Exception {
    firstStepInProgress();

    u.lose();

    assertThat(alice.saslExchangesEnded()).containsExactly(u.link());
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
    assertThat(alice.answers()).hasSize(1); // only the "in progress" of the first step
  }

  @Test
  void losingTheConnectionWithTheNextStepInFlightAnswersItOnceWithOther() throws Exception {
    BindOperation first = firstStepInProgress();
    BindOperation second =
        bind(router, alice, 2, saslBind("X-TWO", "two"), u.link(), first.cookie());
    u.sent();

    u.lose();

    RecordingClient.Answer answer = alice.finalAnswerTo(second);
    assertThat(answer.kind()).isEqualTo(Kind.FAILED);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(alice.saslExchangesEnded()).as("no exchange was waiting").isEmpty();
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
  }

  @Test
  void anExchangeWaitingLongerThanTheStepTimeoutIsEnded() throws Exception {
    long before = System.nanoTime();
    firstStepInProgress();

    ups.pool().expire(before + STEP.toNanos() - 1, 0);
    assertThat(u.link().holdsSaslExchangeOf(alice)).isTrue();
    assertThat(alice.saslExchangesEnded()).isEmpty();

    ups.pool().expire(System.nanoTime() + STEP.toNanos(), 0);

    assertThat(alice.saslExchangesEnded()).containsExactly(u.link());
    assertThat(u.link().holdsSaslExchangeOf(alice)).isFalse();
    assertThat(u.isOpen()).isTrue();
  }
}
