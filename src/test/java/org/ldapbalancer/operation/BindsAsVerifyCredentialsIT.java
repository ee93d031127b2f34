package org.ldapbalancer.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.unboundid.asn1.ASN1Sequence;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RecordingDirectory.Request;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.VerifyCredentialsHandler;

/**
 * {@code feature vc}: a client's simple bind is checked with OpenLDAP's Verify Credentials
 * extended operation on a shared regular connection when the server announces it in its root
 * DSE, and goes over a bind connection as before when it does not (lloadd's rule).
 */
@Timeout(120)
class BindsAsVerifyCredentialsIT {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private RecordingDirectory dir;
  private RunningBalancer lb;

  @AfterEach
  void stop() {
    if (lb != null) {
      lb.close();
    }
    if (dir != null) {
      dir.close();
    }
  }

  /** One event loop: the client's connection and the pool that learnt the root DSE share it. */
  private LDAPConnection start(boolean serverVerifies, boolean feature) throws Exception {
    return start(serverVerifies ? new VerifyCredentialsHandler() : null, feature);
  }

  private LDAPConnection start(VerifyCredentialsHandler handler, boolean feature)
      throws Exception {
    dir =
        RecordingDirectory.start(
            "a",
            10,
            config -> {
              if (handler != null) {
                config.addExtendedOperationHandler(handler);
              }
            });
    lb =
        RunningBalancer.builder()
            .server(dir.url(), 2, 1)
            .ioThreads(1)
            .verifyCredentials(feature)
            .start()
            .awaitReady(dir.url());
    return new LDAPConnection("127.0.0.1", lb.port());
  }

  private List<Request> verifications(String dn) {
    return dir.requests(
        r -> r.op() instanceof ExtendedRequestProtocolOp e
            && e.getOID().equals(VerifyCredentialsHandler.OID)
            && nameIn(e).equals(dn));
  }

  private static String nameIn(ExtendedRequestProtocolOp e) {
    try {
      return ASN1Sequence.decodeAsSequence(e.getValue().getValue())
          .elements()[0]
          .decodeAsOctetString()
          .stringValue();
    } catch (Exception ex) {
      return "";
    }
  }

  private List<Request> binds(String dn) {
    return dir.requests(r -> r.op() instanceof BindRequestProtocolOp b && b.getBindDN().equals(dn));
  }

  private List<Request> rootDseReads() {
    return dir.requests(
        r -> r.op() instanceof SearchRequestProtocolOp s
            && s.getBaseDN().isEmpty()
            && s.getAttributes().contains("supportedExtension"));
  }

  /** Searches with a filter no other step uses and returns the request the server saw. */
  private Request searchSeenUpstream(LDAPConnection c, String marker) throws LDAPException {
    c.search(SampleDirectory.BASE_DN, SearchScope.SUB, "(uid=" + marker + ")");
    List<Request> seen = dir.requests(r -> r.filter().equals("(uid=" + marker + ")"));
    assertThat(seen).hasSize(1);
    return seen.get(0);
  }

  /**
   * Waits until the pool has read the root DSE answer: the first bind that goes as Verify
   * Credentials shows it (a bind before that rightly goes over a bind connection).
   */
  private void awaitBindsVerified(LDAPConnection c) {
    String dn = SampleDirectory.userDn(1);
    await()
        .atMost(DEADLINE)
        .untilAsserted(
            () -> {
              c.bind(dn, SampleDirectory.USER_PASSWORD);
              assertThat(verifications(dn)).isNotEmpty();
            });
  }

  @Test
  void simpleBindIsVerifiedOnASharedConnectionAndTheClientActsAsItsIdentity() throws Exception {
    try (LDAPConnection c = start(true, true)) {
      awaitBindsVerified(c);
      String user = SampleDirectory.userDn(3);

      assertThat(c.bind(user, SampleDirectory.USER_PASSWORD).getResultCode())
          .isEqualTo(ResultCode.SUCCESS);

      assertThat(binds(user)).as("no BindRequest reaches any connection").isEmpty();
      List<Request> verified = verifications(user);
      assertThat(verified).hasSize(1);
      Request search = searchSeenUpstream(c, "vc1");
      assertThat(search.proxiedAuthz()).isEqualTo("dn:" + user);
      // The check travelled on a regular connection: one the balancer bound as itself.
      assertThat(binds(SampleDirectory.BALANCER_DN))
          .extracting(Request::connection)
          .contains(verified.get(0).connection());
      assertThat(verified.get(0).controls()).as("no proxied authorization on the check").isEmpty();
    }
  }

  @Test
  void wrongPasswordIsInvalidCredentialsAndTheClientIsAnonymous() throws Exception {
    try (LDAPConnection c = start(true, true)) {
      awaitBindsVerified(c);
      String user = SampleDirectory.userDn(2);
      assertThatThrownBy(() -> c.bind(user, "wrong"))
          .isInstanceOfSatisfying(
              LDAPException.class,
              e -> {
                assertThat(e.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS);
                assertThat(e.getDiagnosticMessage()).isEqualTo("invalid credentials");
              });
      assertThat(verifications(user)).hasSize(1);
      assertThat(binds(user)).isEmpty();
      assertThat(searchSeenUpstream(c, "vc2").proxiedAuthz()).isEqualTo("dn:");

      // And the connection goes on: a good bind afterwards counts.
      c.bind(user, SampleDirectory.USER_PASSWORD);
      assertThat(searchSeenUpstream(c, "vc3").proxiedAuthz()).isEqualTo("dn:" + user);
    }
  }

  @Test
  void malformedAnswerFailsOnlyThatBindAndTheSharedConnectionsGoOn() throws Exception {
    String broken = SampleDirectory.userDn(6);
    String other = SampleDirectory.userDn(7);
    try (LDAPConnection c = start(VerifyCredentialsHandler.answeringMalformedFor(broken), true);
        LDAPConnection bystander = new LDAPConnection("127.0.0.1", lb.port())) {
      awaitBindsVerified(c);
      bystander.bind(other, SampleDirectory.USER_PASSWORD);
      int connectionsSetUp = binds(SampleDirectory.BALANCER_DN).size();

      assertThatThrownBy(() -> c.bind(broken, SampleDirectory.USER_PASSWORD))
          .isInstanceOfSatisfying(
              LDAPException.class,
              e -> {
                assertThat(e.getResultCode()).isEqualTo(ResultCode.OTHER);
                assertThat(e.getDiagnosticMessage()).contains("malformed Verify Credentials");
              });

      assertThat(searchSeenUpstream(bystander, "vc6").proxiedAuthz()).isEqualTo("dn:" + other);
      assertThat(searchSeenUpstream(c, "vc7").proxiedAuthz()).isEqualTo("dn:");
      assertThat(binds(SampleDirectory.BALANCER_DN))
          .as("no regular connection was closed and set up again")
          .hasSize(connectionsSetUp);
    }
  }

  @Test
  void serverThatDoesNotAnnounceVerifyCredentialsGetsOrdinaryBinds() throws Exception {
    try (LDAPConnection c = start(false, true)) {
      // Both regular connections asked the root DSE; the answer names no Verify Credentials.
      await().atMost(DEADLINE).until(() -> rootDseReads().size() >= 2);
      String user = SampleDirectory.userDn(4);
      for (int i = 0; i < 3; i++) {
        c.bind(user, SampleDirectory.USER_PASSWORD);
      }
      assertThat(binds(user)).hasSize(3);
      assertThat(dir.requests(r -> r.op() instanceof ExtendedRequestProtocolOp e
          && e.getOID().equals(VerifyCredentialsHandler.OID))).isEmpty();
      assertThat(searchSeenUpstream(c, "vc4").proxiedAuthz()).isEqualTo("dn:" + user);
    }
  }

  @Test
  void withoutTheFeatureBindsStayOnBindConnectionsAndTheRootDseIsNotRead() throws Exception {
    try (LDAPConnection c = start(true, false)) {
      String user = SampleDirectory.userDn(5);
      c.bind(user, SampleDirectory.USER_PASSWORD);
      assertThat(binds(user)).hasSize(1);
      assertThat(verifications(user)).isEmpty();
      assertThat(rootDseReads()).isEmpty();
      assertThat(searchSeenUpstream(c, "vc5").proxiedAuthz()).isEqualTo("dn:" + user);
    }
  }
}
