package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.listener.InMemoryRequestHandler;
import com.unboundid.ldap.listener.InMemorySASLBindHandler;
import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.ExtendedRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.PLAINBindRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RecordingDirectory.Request;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * SASL binds are forwarded as they are; after one succeeds the balancer learns who the client
 * now is by asking Who Am I? (RFC 4532) on the same bind connection. Multi-step exchanges stay
 * on the connection they started on.
 */
@Timeout(120)
class SaslBindIdentityIT {
  private static final String WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3";
  private static final String TWO_STEP = "X-TWO-STEP";

  private static String searchAndGetIdentity(LDAPConnection c, RecordingDirectory dir,
      String marker) throws LDAPException {
    c.search(SampleDirectory.BASE_DN, SearchScope.SUB, "(uid=" + marker + ")");
    List<Request> seen = dir.requests(r -> r.filter().equals("(uid=" + marker + ")"));
    assertThat(seen).hasSize(1);
    return seen.get(0).proxiedAuthz();
  }

  @Test
  void plainBindSetsTheIdentityTheServerReports() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      BindResult r = c.bind(new PLAINBindRequest("dn:" + SampleDirectory.userDn(1),
          SampleDirectory.USER_PASSWORD));
      assertThat(r.getResultCode()).isEqualTo(ResultCode.SUCCESS);
      assertThat(searchAndGetIdentity(c, dir, "sasl1"))
          .isEqualToIgnoringCase("dn:" + SampleDirectory.userDn(1));

      Request bind = dir.requests(q -> q.op() instanceof BindRequestProtocolOp b
          && "PLAIN".equals(b.getSASLMechanism())).get(0);
      Request whoAmI = dir.requests(q -> q.op() instanceof ExtendedRequestProtocolOp e
          && e.getOID().equals(WHO_AM_I)).get(0);
      assertThat(whoAmI.connection()).isEqualTo(bind.connection());
      assertThat(whoAmI.controls()).isEmpty();

      assertThatThrownBy(() -> c.bind(new PLAINBindRequest("dn:" + SampleDirectory.userDn(2),
          "wrong")))
          .isInstanceOfSatisfying(LDAPException.class,
              e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS));
      assertThat(searchAndGetIdentity(c, dir, "sasl2")).isEqualTo("dn:");

      c.bind(new PLAINBindRequest("dn:" + SampleDirectory.userDn(3),
          SampleDirectory.USER_PASSWORD));
      assertThat(searchAndGetIdentity(c, dir, "sasl3"))
          .isEqualToIgnoringCase("dn:" + SampleDirectory.userDn(3));
    }
  }

  /**
   * A made-up two-step mechanism: the first step (no credentials) gets a challenge, the second
   * (a user's uid) succeeds only on the connection that saw the first.
   */
  private static final class TwoStepHandler extends InMemorySASLBindHandler {
    @Override
    public String getSASLMechanismName() {
      return TWO_STEP;
    }

    @Override
    public BindResult processSASLBind(InMemoryRequestHandler handler, int messageID, DN bindDN,
        ASN1OctetString credentials, List<Control> controls) {
      if (credentials == null) {
        handler.getConnectionState().put(TWO_STEP, Boolean.TRUE);
        return new BindResult(messageID, ResultCode.SASL_BIND_IN_PROGRESS, null, null, null,
            null, new ASN1OctetString("challenge"));
      }
      if (handler.getConnectionState().remove(TWO_STEP) == null) {
        return new BindResult(messageID, ResultCode.INVALID_CREDENTIALS,
            "second step on a connection that did not see the first", null, null, null);
      }
      try {
        handler.setAuthenticatedDN(
            new DN("uid=" + credentials.stringValue() + "," + SampleDirectory.PEOPLE_DN));
      } catch (LDAPException e) {
        return new BindResult(messageID, ResultCode.INVALID_CREDENTIALS, e.getMessage(), null,
            null, null);
      }
      return new BindResult(messageID, ResultCode.SUCCESS, null, null, null, null);
    }
  }

  private static LDAPMessage step(int id, String credentials) {
    return new LDAPMessage(id, new BindRequestProtocolOp("", TWO_STEP,
        credentials == null ? null : new ASN1OctetString(credentials)));
  }

  @Test
  void multiStepSaslBindStaysOnOneBindConnection() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5,
            config -> config.addSASLBindHandler(new TwoStepHandler()));
        // Two bind connections, so that an unpinned second step could go astray.
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 2)
            .start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      for (int round = 0; round < 3; round++) {
        int base = round * 10;
        raw.send(step(base + 1, null));
        LDAPMessage first = raw.read();
        assertThat(first.getMessageID()).isEqualTo(base + 1);
        assertThat(first.getBindResponseProtocolOp().getResultCode())
            .isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
        assertThat(first.getBindResponseProtocolOp().getServerSASLCredentials().stringValue())
            .isEqualTo("challenge");

        raw.send(step(base + 2, "user." + round));
        LDAPMessage second = raw.read();
        assertThat(second.getMessageID()).isEqualTo(base + 2);
        assertThat(second.getBindResponseProtocolOp().getResultCode())
            .as("round %d: %s", round, second.getBindResponseProtocolOp().getDiagnosticMessage())
            .isZero();

        raw.send(MessageClient.search(base + 3, "(uid=multi" + round + ")"));
        raw.readThrough(base + 3);
        String marker = "(uid=multi" + round + ")";
        String expected = "dn:" + SampleDirectory.userDn(round);
        assertThat(dir.requests(r -> r.filter().equals(marker))).singleElement()
            .satisfies(r -> assertThat(r.proxiedAuthz())
                .isEqualToIgnoringCase(expected));
      }
    }
  }

  @Test
  void saslExchangeGivenUpMidwayFreesItsBindConnection() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5,
            config -> config.addSASLBindHandler(new TwoStepHandler()));
        // One bind connection: if a given-up exchange kept it, no later bind could run.
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url())) {
      // Given up by going away.
      try (MessageClient raw = MessageClient.connect(lb.port())) {
        raw.send(step(1, null));
        assertThat(raw.read().getBindResponseProtocolOp().getResultCode())
            .isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
      }
      try (MessageClient raw = MessageClient.connect(lb.port())) {
        raw.send(step(1, null));
        assertThat(raw.read().getBindResponseProtocolOp().getResultCode())
            .isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);
        // Anything else between steps is refused, as lloadd refuses it, and the exchange goes
        // on: the next step reaches the connection that saw the first.
        raw.send(MessageClient.search(2, "(uid=user.1)"));
        assertThat(raw.readThrough(2)).singleElement().satisfies(done -> assertThat(
            done.getSearchResultDoneProtocolOp().getResultCode())
            .isEqualTo(ResultCode.PROTOCOL_ERROR_INT_VALUE));
        assertThat(dir.requests(r -> r.filter().equals("(uid=user.1)"))).isEmpty();
        raw.send(step(3, "user.1"));
        LDAPMessage second = raw.read();
        assertThat(second.getMessageID()).isEqualTo(3);
        assertThat(second.getBindResponseProtocolOp().getResultCode())
            .as(second.getBindResponseProtocolOp().getDiagnosticMessage()).isZero();
        // Given up by a simple bind, which takes the pinned connection's place.
        raw.send(step(4, null));
        raw.read();
        raw.send(new LDAPMessage(5, new BindRequestProtocolOp(SampleDirectory.userDn(2),
            SampleDirectory.USER_PASSWORD)));
        LDAPMessage simple = raw.read();
        assertThat(simple.getMessageID()).isEqualTo(5);
        assertThat(simple.getBindResponseProtocolOp().getResultCode()).isZero();
      }
      try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
        assertThat(c.bind(SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD)
            .getResultCode()).isEqualTo(ResultCode.SUCCESS);
      }
    }
  }

  /**
   * A client that starts a multi-step exchange and never sends the next step holds its bind
   * connection only until the time limit ({@code bindconf timeout} here); then the connection is
   * replaced and other clients' binds go through. Its late next step starts afresh.
   */
  @Test
  void aStalledSaslExchangeIsEndedAtTheTimeLimitAndOtherBindsGoThrough() throws Exception {
    BindConf oneSecond =
        new BindConf(BindMethod.SIMPLE, SampleDirectory.BALANCER_DN,
            SampleDirectory.BALANCER_PASSWORD, Duration.ofSeconds(5), Duration.ofSeconds(1));
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5,
            config -> config.addSASLBindHandler(new TwoStepHandler()));
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).bindConf(oneSecond)
            .server(dir.url(), 1, 1).start().awaitReady(dir.url());
        MessageClient stalled = MessageClient.connect(lb.port());
        LDAPConnection other = new LDAPConnection("127.0.0.1", lb.port())) {
      stalled.send(step(1, null));
      assertThat(stalled.read().getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.SASL_BIND_IN_PROGRESS_INT_VALUE);

      long start = System.nanoTime();
      assertThat(other.bind(SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD)
          .getResultCode()).isEqualTo(ResultCode.SUCCESS);
      // Well before the bind queue's own limit (10 s), which would have answered busy.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));

      // The server was told to forget the exchange (an anonymous simple bind on its connection)
      // before that connection took the other client's bind.
      Request first = dir.requests(q -> q.op() instanceof BindRequestProtocolOp b
          && TWO_STEP.equals(b.getSASLMechanism())).get(0);
      List<Request> onThatConnection = dir.requests(q -> q.connection() == first.connection()
          && q.op() instanceof BindRequestProtocolOp);
      assertThat(onThatConnection).hasSizeGreaterThanOrEqualTo(3);
      BindRequestProtocolOp reset = (BindRequestProtocolOp) onThatConnection.get(1).op();
      assertThat(reset.getBindDN()).isEmpty();
      assertThat(reset.getSASLMechanism()).isNull();
      assertThat(((BindRequestProtocolOp) onThatConnection.get(2).op()).getBindDN())
          .isEqualToIgnoringCase(SampleDirectory.userDn(1));

      // The late step is answered (as a fresh bind), not left waiting.
      stalled.send(step(2, "user.2"));
      LDAPMessage late = stalled.read();
      assertThat(late.getMessageID()).isEqualTo(2);
      assertThat(late.getProtocolOpType())
          .isEqualTo(LDAPMessage.PROTOCOL_OP_TYPE_BIND_RESPONSE);
    }
  }

  /**
   * DIGEST-MD5 with integrity or confidentiality would wrap every later PDU between the client
   * and one server: refused with a message saying why, never forwarded.
   */
  @Test
  void aDigestMd5ResponseAskingForASecurityLayerIsRefused() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      String response = "username=\"user.1\",realm=\"example\",nonce=\"abc\",cnonce=\"def\","
          + "nc=00000001,qop=auth-conf,cipher=\"rc4\",digest-uri=\"ldap/localhost\","
          + "response=0123456789abcdef0123456789abcdef";
      raw.send(new LDAPMessage(1, new BindRequestProtocolOp("", "DIGEST-MD5",
          new ASN1OctetString(response))));
      LDAPMessage answer = raw.read();
      assertThat(answer.getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.AUTH_METHOD_NOT_SUPPORTED_INT_VALUE);
      assertThat(answer.getBindResponseProtocolOp().getDiagnosticMessage())
          .contains("security layer");
      assertThat(dir.requests(r -> r.op() instanceof BindRequestProtocolOp b
          && "DIGEST-MD5".equals(b.getSASLMechanism()))).isEmpty();
      // The connection goes on, anonymous.
      raw.send(MessageClient.search(2, "(uid=user.1)"));
      assertThat(raw.readThrough(2)).hasSize(2);
    }
  }
}
