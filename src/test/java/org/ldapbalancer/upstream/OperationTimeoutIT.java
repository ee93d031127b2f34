package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.sdk.ResultCode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * An operation the server does not answer within {@code bindconf timeout} is answered by the
 * balancer (a search with timeLimitExceeded, anything else adminLimitExceeded) and abandoned
 * upstream; the late answer is dropped.
 */
@Timeout(120)
class OperationTimeoutIT {
  @Test
  void unansweredOperationTimesOutAndItsLateAnswerIsDropped() throws Exception {
    BindConf withTimeout = new BindConf(BindMethod.SIMPLE, SampleDirectory.BALANCER_DN,
        SampleDirectory.BALANCER_PASSWORD, Duration.ofSeconds(5), Duration.ofSeconds(1));
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).bindConf(withTimeout)
            .server(dir.url(), 1, 1).start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(r -> r.filter().equals("(uid=user.1)"));
      long start = System.nanoTime();
      raw.send(MessageClient.search(1, "(uid=user.1)"));
      LDAPMessage answer = raw.read();
      long waitedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(answer.getMessageID()).isEqualTo(1);
      SearchResultDoneProtocolOp done = answer.getSearchResultDoneProtocolOp();
      assertThat(done.getResultCode()).isEqualTo(ResultCode.TIME_LIMIT_EXCEEDED_INT_VALUE);
      assertThat(waitedMillis).isBetween(900L, 20_000L);
      int upstreamId = dir.held().get(0).messageId();

      dir.release();
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.abandons().stream()
          .anyMatch(a -> a.idToAbandon() == upstreamId));
      raw.send(MessageClient.search(2, "(uid=user.2)"));
      List<LDAPMessage> next = raw.readThrough(2);
      assertThat(next).extracting(LDAPMessage::getMessageID).containsOnly(2);
      assertThat(next).hasSize(2);
    }
  }

  @Test
  void unansweredBindTimesOutAndItsConnectionIsReplaced() throws Exception {
    BindConf withTimeout = new BindConf(BindMethod.SIMPLE, SampleDirectory.BALANCER_DN,
        SampleDirectory.BALANCER_PASSWORD, Duration.ofSeconds(5), Duration.ofSeconds(1));
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).bindConf(withTimeout)
            .server(dir.url(), 1, 1).start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(r -> r.op() instanceof BindRequestProtocolOp b
          && b.getBindDN().equals(SampleDirectory.userDn(1)));
      raw.send(new LDAPMessage(1, new BindRequestProtocolOp(SampleDirectory.userDn(1),
          SampleDirectory.USER_PASSWORD)));
      LDAPMessage answer = raw.read();
      assertThat(answer.getMessageID()).isEqualTo(1);
      assertThat(answer.getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.ADMIN_LIMIT_EXCEEDED_INT_VALUE);

      // The client is not left "binding", and is anonymous.
      raw.send(MessageClient.search(2, "(uid=aftertimeout)"));
      assertThat(raw.readThrough(2)).singleElement().satisfies(m ->
          assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());
      assertThat(dir.requests(r -> r.filter().equals("(uid=aftertimeout)"))).singleElement()
          .satisfies(r -> assertThat(r.proxiedAuthz()).isEqualTo("dn:"));

      // The bind connection whose state is unknown is replaced; binds work again.
      dir.release();
      lb.awaitReady(dir.url());
      raw.send(new LDAPMessage(3, new BindRequestProtocolOp(SampleDirectory.userDn(2),
          SampleDirectory.USER_PASSWORD)));
      LDAPMessage bound = raw.read();
      assertThat(bound.getMessageID()).isEqualTo(3);
      assertThat(bound.getBindResponseProtocolOp().getResultCode()).isZero();
    }
  }

  @Test
  void saslBindWhoseWhoAmIIsNeverAnsweredTimesOut() throws Exception {
    BindConf withTimeout = new BindConf(BindMethod.SIMPLE, SampleDirectory.BALANCER_DN,
        SampleDirectory.BALANCER_PASSWORD, Duration.ofSeconds(5), Duration.ofSeconds(1));
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).bindConf(withTimeout)
            .server(dir.url(), 1, 1).start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(r -> r.op()
          instanceof com.unboundid.ldap.protocol.ExtendedRequestProtocolOp e
          && e.getOID().equals("1.3.6.1.4.1.4203.1.11.3"));
      raw.send(new LDAPMessage(1, new BindRequestProtocolOp("", "PLAIN",
          new com.unboundid.asn1.ASN1OctetString(
              "\0dn:" + SampleDirectory.userDn(1) + "\0" + SampleDirectory.USER_PASSWORD))));
      LDAPMessage answer = raw.read();
      assertThat(answer.getMessageID()).isEqualTo(1);
      assertThat(answer.getBindResponseProtocolOp().getResultCode())
          .isEqualTo(ResultCode.ADMIN_LIMIT_EXCEEDED_INT_VALUE);

      // Not left binding, and anonymous: the identity was never learnt.
      raw.send(MessageClient.search(2, "(uid=afterwhoami)"));
      assertThat(raw.readThrough(2)).singleElement().satisfies(m ->
          assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());
      assertThat(dir.requests(r -> r.filter().equals("(uid=afterwhoami)"))).singleElement()
          .satisfies(r -> assertThat(r.proxiedAuthz()).isEqualTo("dn:"));
      dir.release();
    }
  }
}
