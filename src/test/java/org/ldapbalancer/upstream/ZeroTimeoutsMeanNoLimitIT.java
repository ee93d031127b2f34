package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * {@code bindconf network-timeout=0 timeout=0} means no limit (lloadd.conf(5)). It once meant a
 * set-up timer of 0 ms, which closed every regular connection before its bind was answered, so
 * nothing was ever served.
 */
@Timeout(120)
class ZeroTimeoutsMeanNoLimitIT {
  private static final BindConf NO_LIMITS =
      new BindConf(
          BindMethod.SIMPLE,
          SampleDirectory.BALANCER_DN,
          SampleDirectory.BALANCER_PASSWORD,
          Duration.ZERO,
          Duration.ZERO);

  private static final Predicate<RecordingDirectory.Request> BALANCER_BIND =
      r ->
          r.op() instanceof BindRequestProtocolOp b
              && b.getBindDN().equals(SampleDirectory.BALANCER_DN);

  @Test
  void connectionsBindAndOperationsSucceed() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb =
            RunningBalancer.builder()
                .ioThreads(1)
                .bindConf(NO_LIMITS)
                .server(dir.url(), 1, 1)
                .start()
                .awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port())) {
      raw.send(MessageClient.search(1, "(uid=user.1)"));
      List<LDAPMessage> answer = raw.readThrough(1);

      assertThat(answer).hasSize(2);
      assertThat(answer.get(0).getSearchResultEntryProtocolOp().getDN())
          .isEqualTo(SampleDirectory.userDn(1));
      assertThat(answer.get(1).getSearchResultDoneProtocolOp().getResultCode()).isZero();
      // Forwarded on the connection bound as bindconf, with the client's identity.
      assertThat(dir.requests(r -> r.isSearch() && r.filter().equals("(uid=user.1)")))
          .singleElement()
          .satisfies(r -> assertThat(r.proxiedAuthz()).isEqualTo("dn:"));
      assertThat(dir.requests(BALANCER_BIND)).hasSize(1);
    }
  }

  @Test
  void aSlowBindAnswerIsWaitedForNotCountedAsAFailure() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5)) {
      dir.holdRequestsMatching(BALANCER_BIND);
      try (RunningBalancer lb =
          RunningBalancer.builder()
              .ioThreads(1)
              .bindConf(NO_LIMITS)
              .server(dir.url(), 1, 1)
              .start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);
        // A set-up timer would close the connection and retry (every 200 ms here): a second bind.
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    dir.requests(BALANCER_BIND).size() == 1
                        && lb.balancer().readyConnections().getOrDefault(dir.url(), 0) == 0);

        dir.release();
        lb.awaitReady(dir.url());
        assertThat(dir.requests(BALANCER_BIND))
            .as("the first connection, not a new one")
            .hasSize(1);
        try (MessageClient raw = MessageClient.connect(lb.port())) {
          raw.send(MessageClient.search(1, "(uid=user.2)"));
          assertThat(raw.readThrough(1))
              .last()
              .satisfies(
                  m -> assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());
        }
      }
    }
  }
}
