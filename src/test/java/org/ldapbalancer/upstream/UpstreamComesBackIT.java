package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * A server that is down when the balancer starts, or dies later, is retried and used as soon
 * as it is back; until then the clients are told it is unavailable.
 */
@Timeout(120)
class UpstreamComesBackIT {
  @Test
  void serverStartedLaterAndRestartedIsUsed() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, SampleDirectory.loopback())) {
      port = s.getLocalPort();
    }
    String url = "ldap://127.0.0.1:" + port;
    try (RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(url, 1, 1).start();
        MessageClient raw = MessageClient.connect(lb.port())) {
      raw.send(MessageClient.search(1, "(uid=user.1)"));
      LDAPMessage refused = raw.read();
      assertThat(refused.getSearchResultDoneProtocolOp().getResultCode())
          .isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);

      for (int life = 0; life < 2; life++) {
        try (RecordingDirectory dir = RecordingDirectory.start("a" + life, 5, port)) {
          lb.awaitReady(url);
          try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
            c.bind(SampleDirectory.userDn(2), SampleDirectory.USER_PASSWORD);
            assertThat(c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.2)")
                .getSearchEntries()).singleElement().satisfies(e ->
                    assertThat(e.getDN()).isEqualTo(SampleDirectory.userDn(2)));
          }
          assertThat(dir.requests(RecordingDirectory.Request::isSearch)).hasSize(1);
        }
        // Down again: unavailable, not hanging.
        int id = 10 + life;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
            lb.balancer().readyConnections().getOrDefault(url, 0) == 0);
        raw.send(MessageClient.search(id, "(uid=user.1)"));
        assertThat(raw.read().getSearchResultDoneProtocolOp().getResultCode())
            .isEqualTo(ResultCode.UNAVAILABLE_INT_VALUE);
      }
    }
  }
}
