package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.HealthCheck;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * A server that still answers binds but no longer any search (its operations' work hung, its
 * bind path not) is hung for every client: answers on the bind connections must not count as the
 * server working, or the passive check never sees the silence and only the periodic probe
 * (here a minute away) would.
 */
@Timeout(120)
class BindsDoNotHideAHungServerIT {
  private static final HealthCheck HEALTH =
      new HealthCheck(Duration.ofSeconds(60), Duration.ofMillis(500));

  @Test
  void aServerThatAnswersOnlyBindsIsTakenOutByThePassiveCheck() throws Exception {
    try (RecordingDirectory steady = RecordingDirectory.start("steady", 5);
        RecordingDirectory hung = RecordingDirectory.start("hung", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).healthCheck(HEALTH)
            .server(steady.url(), 2, 2).server(hung.url(), 2, 2).start()
            .awaitReady(steady.url(), hung.url())) {
      hung.holdRequestsMatching(RecordingDirectory.Request::isSearch);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong binds = new AtomicLong();
      CompletableFuture<Void> bindLoad = Background.supply(() -> {
        try (LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
          for (int i = 0; i < 100_000 && !stop.get(); i++) {
            c.bind(SampleDirectory.userDn(i % 5), SampleDirectory.USER_PASSWORD);
            binds.incrementAndGet();
          }
        } catch (LDAPException e) {
          throw new IllegalStateException(e);
        }
        return null;
      });
      try {
        await("binds answered by both servers").atMost(Duration.ofSeconds(10))
            .until(() -> binds.get() > 50);
        LDAPConnectionOptions shortWait = new LDAPConnectionOptions();
        shortWait.setResponseTimeoutMillis(500);
        try (LDAPConnection searcher = new LDAPConnection(shortWait, "127.0.0.1", lb.port())) {
          for (int i = 0; i < 6; i++) { // round robin: some reach the hung server
            try {
              searcher.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.1)");
            } catch (LDAPException e) {
              // held at the hung server: the client gives up, the balancer waits on
            }
          }
        }
        long start = System.nanoTime();
        await("the hung server taken out while its binds are answered")
            .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
            .until(() -> !lb.balancer().serversInSelection().get(hung.url()));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("found by the passive check, not the periodic probe a minute away")
            .isLessThan(Duration.ofSeconds(10));
        assertThat(binds.get()).as("binds kept being answered meanwhile").isGreaterThan(50);
      } finally {
        stop.set(true);
        hung.release();
        bindLoad.get();
      }
    }
  }
}
