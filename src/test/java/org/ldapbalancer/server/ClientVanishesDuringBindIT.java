package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;
import org.ldapbalancer.testing.SocketQueues;

/**
 * A client killed while its bind waits at a hung server: a bind cannot be abandoned (RFC 4511
 * §4.11), so the balancer's only bind connection stays occupied until the server answers; then the
 * late answer is dropped and the connection serves the next client's bind.
 */
final class ClientVanishesDuringBindIT {

  @Test
  void theBindConnectionServesTheNextClientOnceTheLateAnswerArrives() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, 3);
        // One loop and one bind connection: the next bind can only use the same one.
        RunningBalancer balancer = slapds.balancer(Duration.ZERO).ioThreads(1).start()) {
      balancer.awaitReady(slapds.urls());
      SlapdServer slapd = slapds.server(0);

      slapd.pause();
      LdapTool impatient =
          LdapTool.at(balancer.url())
              .boundAs(userDn(1), USER_PASSWORD)
              .withTimeout(Duration.ofSeconds(3));
      LdapTool.Result gone = impatient.whoami();
      assertThat(gone.timedOut()).as("%s", gone).isTrue();
      assertThat(SocketQueues.unreadBytes(slapd.port())).isPositive();

      slapd.resume();
      await("the paused server reads the orphaned bind")
          .atMost(Duration.ofSeconds(20))
          .until(() -> SocketQueues.unreadBytes(slapd.port()) == 0);
      LdapTool.Result next =
          LdapTool.at(balancer.url())
              .boundAs(userDn(2), USER_PASSWORD)
              .withTimeout(Duration.ofSeconds(20))
              .whoami();
      assertThat(next.succeeded()).as("%s", next).isTrue();
      assertThat(next.stdout().trim()).isEqualTo("dn:" + userDn(2));
    }
  }
}
