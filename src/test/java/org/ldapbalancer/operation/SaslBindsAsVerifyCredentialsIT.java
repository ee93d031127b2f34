package org.ldapbalancer.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.unboundid.asn1.ASN1Element;
import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.asn1.ASN1Sequence;
import com.unboundid.ldap.listener.InMemorySASLBindHandler;
import com.unboundid.ldap.protocol.AbandonRequestProtocolOp;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.GenericSASLBindRequest;
import com.unboundid.ldap.sdk.LDAPBindException;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.PLAINBindRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.AuthorizationIdentityRequestControl;
import com.unboundid.ldap.sdk.controls.AuthorizationIdentityResponseControl;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RecordingDirectory.Request;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.TwoStepSaslHandler;
import org.ldapbalancer.testing.VerifyCredentialsHandler;

/**
 * {@code feature vc} with SASL binds: each step travels as Verify Credentials on a shared regular
 * connection, a multi-step exchange continues with the server's cookie on the connection that
 * gave it, and a successful bind makes the client act as the identity the server names (asked
 * for with an Authorization Identity Request control). A server that does not announce the
 * operation still gets SASL binds on bind connections.
 */
@Timeout(120)
class SaslBindsAsVerifyCredentialsIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final String MECHANISM = TwoStepSaslHandler.MECHANISM;
  private static final String IDENTITY_REQUEST =
      AuthorizationIdentityRequestControl.AUTHORIZATION_IDENTITY_REQUEST_OID;

  private RecordingDirectory dir;
  private RunningBalancer lb;
  private final List<LDAPConnection> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(LDAPConnection::close);
    if (lb != null) {
      lb.close();
    }
    if (dir != null) {
      dir.close();
    }
  }

  /** One event loop; {@code regular} shared connections and one bind connection. */
  private void start(VerifyCredentialsHandler handler, int regular) throws Exception {
    start(config -> config.addExtendedOperationHandler(handler), regular);
  }

  private void start(
      Consumer<com.unboundid.ldap.listener.InMemoryDirectoryServerConfig> customise, int regular)
      throws Exception {
    dir = RecordingDirectory.start("a", 10, customise);
    lb =
        RunningBalancer.builder()
            .server(dir.url(), regular, 1)
            .ioThreads(1)
            .verifyCredentials(true)
            .start()
            .awaitReady(dir.url());
  }

  private LDAPConnection connect() throws LDAPException {
    LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port());
    clients.add(c);
    return c;
  }

  /** Waits until every regular connection has read the root DSE: simple binds go as VC. */
  private void awaitBindsVerified(int regular) throws LDAPException {
    LDAPConnection c = connect();
    String dn = SampleDirectory.userDn(9);
    await()
        .atMost(DEADLINE)
        .untilAsserted(
            () -> {
              assertThat(rootDseReads()).hasSizeGreaterThanOrEqualTo(regular);
              c.bind(dn, SampleDirectory.USER_PASSWORD);
              assertThat(verifications(r -> true)).isNotEmpty();
            });
  }

  private List<Request> rootDseReads() {
    return dir.requests(
        r -> r.op() instanceof com.unboundid.ldap.protocol.SearchRequestProtocolOp s
            && s.getBaseDN().isEmpty()
            && s.getAttributes().contains("supportedExtension"));
  }

  /** A Verify Credentials request, as the server read it. */
  private record Verification(Request request, ASN1Element[] value) {
    boolean hasCookie() {
      return value[0].getType() == (byte) 0x80;
    }

    String mechanism() {
      ASN1Element auth = value[hasCookie() ? 2 : 1];
      if (auth.getType() != (byte) 0xa3) {
        return null;
      }
      try {
        return auth.decodeAsSequence().elements()[0].decodeAsOctetString().stringValue();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    List<Control> controls() {
      ASN1Element last = value[value.length - 1];
      List<Control> controls = new ArrayList<>();
      if (last.getType() == (byte) 0xa2) {
        try {
          for (ASN1Element c : last.decodeAsSequence().elements()) {
            controls.add(Control.decode(c.decodeAsSequence()));
          }
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
      return controls;
    }
  }

  private List<Verification> verifications(java.util.function.Predicate<Verification> which) {
    List<Verification> found = new ArrayList<>();
    for (Request r : dir.requests()) {
      if (r.op() instanceof ExtendedRequestProtocolOp e
          && e.getOID().equals(VerifyCredentialsHandler.OID)) {
        try {
          Verification v =
              new Verification(r, ASN1Sequence.decodeAsSequence(e.getValue().getValue())
                  .elements());
          if (which.test(v)) {
            found.add(v);
          }
        } catch (Exception ex) {
          throw new AssertionError(ex);
        }
      }
    }
    return found;
  }

  private List<Verification> verificationsOf(String mechanism) {
    return verifications(v -> mechanism.equals(v.mechanism()));
  }

  private List<Request> saslBinds(String mechanism) {
    return dir.requests(
        r -> r.op() instanceof BindRequestProtocolOp b && mechanism.equals(b.getSASLMechanism()));
  }

  /** Who Am I? through the balancer: answered upstream for the client's proxied identity. */
  private static String whoAmI(LDAPConnection c) throws LDAPException {
    WhoAmIExtendedResult r =
        (WhoAmIExtendedResult) c.processExtendedOperation(new WhoAmIExtendedRequest());
    assertThat(r.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    return r.getAuthorizationID();
  }

  /** Sends one bind step; a saslBindInProgress (or any refusal) is returned, not thrown. */
  private static BindResult step(LDAPConnection c, ASN1OctetString credentials)
      throws LDAPException {
    try {
      return c.bind(new GenericSASLBindRequest("", MECHANISM, credentials));
    } catch (LDAPBindException e) {
      return e.getBindResult();
    }
  }

  @Test
  void plainBindGoesAsVerifyCredentialsAndTheClientActsAsTheIdentityTheServerNamed()
      throws Exception {
    start(new VerifyCredentialsHandler(), 2);
    awaitBindsVerified(2);
    String user = SampleDirectory.userDn(1);
    LDAPConnection c = connect();

    BindResult r = c.bind(new PLAINBindRequest("dn:" + user, SampleDirectory.USER_PASSWORD));

    assertThat(r.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(r.getResponseControls()).as("asked by the balancer, not shown").isEmpty();
    assertThat(saslBinds("PLAIN")).as("no BindRequest reaches any connection").isEmpty();
    List<Verification> plain = verificationsOf("PLAIN");
    assertThat(plain).singleElement().satisfies(v -> {
      assertThat(v.hasCookie()).isFalse();
      assertThat(v.controls()).extracting(Control::getOID).containsExactly(IDENTITY_REQUEST);
      assertThat(v.request().controls()).isEmpty();
    });
    assertThat(whoAmI(c)).isEqualToIgnoringCase("dn:" + user);

    // A client that asks for its identity itself gets the control, and is asked for once.
    LDAPConnection asking = connect();
    String other = SampleDirectory.userDn(2);
    BindResult own = asking.bind(new PLAINBindRequest("dn:" + other,
        SampleDirectory.USER_PASSWORD, new AuthorizationIdentityRequestControl()));
    assertThat(AuthorizationIdentityResponseControl.get(own).getAuthorizationID())
        .isEqualToIgnoringCase("dn:" + other);
    assertThat(verificationsOf("PLAIN")).hasSize(2).last().satisfies(v ->
        assertThat(v.controls()).extracting(Control::getOID).containsExactly(IDENTITY_REQUEST));
    assertThat(whoAmI(asking)).isEqualToIgnoringCase("dn:" + other);
    assertThat(whoAmI(c)).as("each client keeps its own").isEqualToIgnoringCase("dn:" + user);
  }

  /**
   * Each round, once the first step is answered, another client's search is held by the server
   * on the exchange's connection: that connection is then the busier one, where selection would
   * send nothing new, so only the pin takes the second step there (the test directory refuses a
   * cookie on any other connection).
   */
  @Test
  void twoStepMechanismContinuesOnTheConnectionOfItsFirstStepWhileOthersShareIt()
      throws Exception {
    VerifyCredentialsHandler vc = new VerifyCredentialsHandler(new TwoStepSaslHandler());
    start(vc, 2);
    awaitBindsVerified(2);
    LDAPConnection bystander = connect();
    String bystanderDn = SampleDirectory.userDn(8);
    bystander.bind(bystanderDn, SampleDirectory.USER_PASSWORD);
    try (MessageClient binder = MessageClient.connect(lb.port());
        MessageClient slow = MessageClient.connect(lb.port())) {
      for (int round = 0; round < 3; round++) {
        String user = SampleDirectory.userDn(round);
        int before = verificationsOf(MECHANISM).size();
        int id = round * 10;

        binder.send(saslStep(id + 1, MECHANISM, TwoStepSaslHandler.firstStep(user)));
        LDAPMessage first = binder.read();
        assertThat(resultOf(first)).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
        ASN1OctetString nonce = first.getBindResponseProtocolOp().getServerSASLCredentials();
        assertThat(nonce).isNotNull();
        assertThat(vc.exchangesInProgress()).isEqualTo(1);
        long exchangeConnection = verificationsOf(MECHANISM).get(before).request().connection();

        // Others' operations go on meanwhile, over the same shared connections.
        String marker = "(uid=between" + round + ")";
        bystander.search(SampleDirectory.BASE_DN, SearchScope.SUB, marker);
        Request seen = dir.requests(q -> q.filter().equals(marker)).get(0);
        assertThat(seen.proxiedAuthz()).isEqualTo("dn:" + bystanderDn);
        assertThat(seen.connection()).isEqualTo(exchangeConnection);

        String heldMarker = "(uid=held" + round + ")";
        dir.holdRequestsMatching(q -> q.filter().equals(heldMarker));
        slow.send(MessageClient.search(id + 1, heldMarker));
        await().atMost(DEADLINE).until(() -> dir.held().size() == 1);
        assertThat(dir.held().get(0).connection()).isEqualTo(exchangeConnection);

        binder.send(saslStep(id + 2, MECHANISM,
            TwoStepSaslHandler.secondStep(nonce, SampleDirectory.USER_PASSWORD)));
        dir.release();
        LDAPMessage second = binder.read();
        assertThat(second.getMessageID()).isEqualTo(id + 2);
        assertThat(resultOf(second))
            .as("round %d: %s", round, second.getBindResponseProtocolOp().getDiagnosticMessage())
            .isZero();
        assertThat(slow.readThrough(id + 1)).last().satisfies(done ->
            assertThat(done.getSearchResultDoneProtocolOp().getResultCode()).isZero());

        List<Verification> steps = verificationsOf(MECHANISM);
        assertThat(steps).hasSize(before + 2);
        assertThat(steps.get(before).hasCookie()).isFalse();
        assertThat(steps.get(before + 1).hasCookie()).isTrue();
        assertThat(steps.get(before + 1).request().connection()).isEqualTo(exchangeConnection);

        String after = "(uid=after" + round + ")";
        binder.send(MessageClient.search(id + 3, after));
        binder.readThrough(id + 3);
        assertThat(dir.requests(q -> q.filter().equals(after))).singleElement()
            .satisfies(q -> assertThat(q.proxiedAuthz()).isEqualToIgnoringCase("dn:" + user));
      }
    }
    assertThat(saslBinds(MECHANISM)).isEmpty();
    assertThat(vc.exchangesInProgress()).isZero();
  }

  @Test
  void wrongCredentialsAreInvalidCredentialsAndLeaveTheClientAnonymous() throws Exception {
    VerifyCredentialsHandler vc = new VerifyCredentialsHandler(new TwoStepSaslHandler());
    start(vc, 1);
    awaitBindsVerified(1);
    LDAPConnection c = connect();
    String user = SampleDirectory.userDn(3);
    c.bind(user, SampleDirectory.USER_PASSWORD);
    assertThat(whoAmI(c)).isEqualToIgnoringCase("dn:" + user);

    assertThatThrownBy(() -> c.bind(new PLAINBindRequest("dn:" + user, "wrong")))
        .isInstanceOfSatisfying(LDAPException.class,
            e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS));
    assertThat(whoAmI(c)).isEmpty();

    BindResult first = step(c, TwoStepSaslHandler.firstStep(user));
    BindResult second =
        step(c, TwoStepSaslHandler.secondStep(first.getServerSASLCredentials(), "wrong"));
    assertThat(second.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS);
    assertThat(whoAmI(c)).isEmpty();
    assertThat(vc.exchangesInProgress()).isZero();
  }

  private static LDAPMessage saslStep(int id, String mechanism, ASN1OctetString credentials) {
    return new LDAPMessage(id, new BindRequestProtocolOp("", mechanism, credentials));
  }

  private static int resultOf(LDAPMessage m) {
    return m.getBindResponseProtocolOp().getResultCode();
  }

  /**
   * An exchange given up between steps (an Abandon of its step, a bind with another mechanism,
   * a simple bind) leaves no pin: the next step is not continued, and a fresh exchange works.
   */
  @Test
  void anAbandonedOrRestartedExchangeLeavesNoPin() throws Exception {
    VerifyCredentialsHandler vc = new VerifyCredentialsHandler(new TwoStepSaslHandler());
    start(vc, 2);
    awaitBindsVerified(2);
    String user = SampleDirectory.userDn(4);
    try (MessageClient raw = MessageClient.connect(lb.port())) {
      // Given up by an Abandon naming the step that was answered in progress.
      raw.send(saslStep(1, MECHANISM, TwoStepSaslHandler.firstStep(user)));
      LDAPMessage first = raw.read();
      assertThat(resultOf(first)).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
      raw.send(new LDAPMessage(2, new AbandonRequestProtocolOp(1)));
      raw.send(saslStep(3, MECHANISM, TwoStepSaslHandler.secondStep(
          first.getBindResponseProtocolOp().getServerSASLCredentials(),
          SampleDirectory.USER_PASSWORD)));
      LDAPMessage late = raw.read();
      assertThat(late.getMessageID()).isEqualTo(3);
      assertThat(resultOf(late)).as("sent afresh: the server saw no first step")
          .isEqualTo(ResultCode.INVALID_CREDENTIALS_INT_VALUE);
      assertThat(verificationsOf(MECHANISM).get(1).hasCookie()).isFalse();

      // Given up by a bind with another mechanism, which is verified without the cookie.
      raw.send(saslStep(4, MECHANISM, TwoStepSaslHandler.firstStep(user)));
      assertThat(resultOf(raw.read())).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
      raw.send(saslStep(5, "PLAIN",
          new ASN1OctetString("\0dn:" + user + "\0" + SampleDirectory.USER_PASSWORD)));
      assertThat(resultOf(raw.read())).isZero();
      assertThat(verificationsOf("PLAIN")).singleElement()
          .satisfies(v -> assertThat(v.hasCookie()).isFalse());

      // Given up by a simple bind.
      raw.send(saslStep(6, MECHANISM, TwoStepSaslHandler.firstStep(user)));
      assertThat(resultOf(raw.read())).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
      raw.send(new LDAPMessage(7, new BindRequestProtocolOp(user, SampleDirectory.USER_PASSWORD)));
      LDAPMessage simple = raw.read();
      assertThat(simple.getMessageID()).isEqualTo(7);
      assertThat(resultOf(simple)).isZero();

      // Restarted: a new first step starts over, and the exchange then completes.
      raw.send(saslStep(8, MECHANISM, TwoStepSaslHandler.firstStep(user)));
      assertThat(resultOf(raw.read())).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
      raw.send(saslStep(9, MECHANISM, TwoStepSaslHandler.firstStep(user)));
      LDAPMessage restarted = raw.read();
      assertThat(resultOf(restarted)).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
      raw.send(saslStep(10, MECHANISM, TwoStepSaslHandler.secondStep(
          restarted.getBindResponseProtocolOp().getServerSASLCredentials(),
          SampleDirectory.USER_PASSWORD)));
      assertThat(resultOf(raw.read())).isZero();
    }
    // A client that leaves between steps leaves nothing that stops others binding.
    try (MessageClient raw = MessageClient.connect(lb.port())) {
      raw.send(saslStep(1, MECHANISM, TwoStepSaslHandler.firstStep(user)));
      assertThat(resultOf(raw.read())).isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
    }
    LDAPConnection c = connect();
    BindResult first = step(c, TwoStepSaslHandler.firstStep(user));
    BindResult second = step(c, TwoStepSaslHandler.secondStep(
        first.getServerSASLCredentials(), SampleDirectory.USER_PASSWORD));
    assertThat(second.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(whoAmI(c)).isEqualToIgnoringCase("dn:" + user);
  }

  @Test
  void theIdentityMayComeInTheAuthzIdField() throws Exception {
    start(VerifyCredentialsHandler.namingTheIdentityInAuthzId(new TwoStepSaslHandler()), 1);
    awaitBindsVerified(1);
    LDAPConnection c = connect();
    String user = SampleDirectory.userDn(5);

    BindResult first = step(c, TwoStepSaslHandler.firstStep(user));
    BindResult second = step(c, TwoStepSaslHandler.secondStep(
        first.getServerSASLCredentials(), SampleDirectory.USER_PASSWORD));

    assertThat(second.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(second.getResponseControls()).isEmpty();
    assertThat(whoAmI(c)).isEqualToIgnoringCase("dn:" + user);
  }

  @Test
  void aServerThatNamesNoIdentityHasTheBindRefusedAndTheClientStaysAnonymous()
      throws Exception {
    start(VerifyCredentialsHandler.namingNoIdentity(), 1);
    awaitBindsVerified(1);
    LDAPConnection c = connect();
    String user = SampleDirectory.userDn(6);

    assertThatThrownBy(() ->
        c.bind(new PLAINBindRequest("dn:" + user, SampleDirectory.USER_PASSWORD)))
        .isInstanceOfSatisfying(LDAPException.class, e -> {
          assertThat(e.getResultCode()).isEqualTo(ResultCode.OTHER);
          assertThat(e.getDiagnosticMessage()).contains("did not say whose");
        });
    assertThat(whoAmI(c)).isEmpty();
    // Simple binds name their identity themselves and still work.
    c.bind(user, SampleDirectory.USER_PASSWORD);
    assertThat(whoAmI(c)).isEqualToIgnoringCase("dn:" + user);
  }

  @Test
  void aServerThatDoesNotAnnounceVerifyCredentialsGetsSaslBindsOnBindConnections()
      throws Exception {
    InMemorySASLBindHandler twoStep = new TwoStepSaslHandler();
    start(config -> config.addSASLBindHandler(twoStep), 1);
    await().atMost(DEADLINE).until(() -> rootDseReads().size() >= 1);
    LDAPConnection c = connect();
    String user = SampleDirectory.userDn(7);

    BindResult plain = c.bind(new PLAINBindRequest("dn:" + user, SampleDirectory.USER_PASSWORD));
    assertThat(plain.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(whoAmI(c)).isEqualToIgnoringCase("dn:" + user);

    BindResult first = step(c, TwoStepSaslHandler.firstStep(SampleDirectory.userDn(1)));
    BindResult second = step(c, TwoStepSaslHandler.secondStep(
        first.getServerSASLCredentials(), SampleDirectory.USER_PASSWORD));
    assertThat(second.getResultCode()).isEqualTo(ResultCode.SUCCESS);
    assertThat(whoAmI(c)).isEqualToIgnoringCase("dn:" + SampleDirectory.userDn(1));

    assertThat(saslBinds("PLAIN")).hasSize(1);
    assertThat(saslBinds(MECHANISM)).hasSize(2)
        .extracting(Request::connection).containsOnly(saslBinds(MECHANISM).get(0).connection());
    assertThat(verifications(v -> true)).isEmpty();
  }
}
