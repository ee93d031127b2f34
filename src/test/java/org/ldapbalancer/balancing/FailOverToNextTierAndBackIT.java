package org.ldapbalancer.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.HealthCheck;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * Two tiers of one real slapd each: operations go to the first tier's server, to the second tier's
 * while the first is hung (SIGSTOP) or down (stopped), and back to the first once it answers again.
 */
@Timeout(180)
class FailOverToNextTierAndBackIT {
  private static final int USERS = 10;
  private static final int SEARCHES = 300;
  /** 300 base searches are some 20 KB of requests; probes and noise stay far below this. */
  private static final long SOME_SEARCHES_BYTES = 8 * 1024;

  @Test
  void operationsMoveToTheSecondTierWhileTheFirstIsHungOrDownAndComeBack() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, USERS)) {
      SlapdServer primary = slapds.server(0);
      SlapdServer standby = slapds.server(1);
      try (RunningBalancer lb = RunningBalancer.builder()
              .bindConf(SlapdGroup.balancerBindConf(Duration.ofSeconds(30)))
              .healthCheck(new HealthCheck(Duration.ofMillis(500), Duration.ofMillis(1000)))
              .server(primary.url(), 2, 1)
              .nextTier()
              .server(standby.url(), 2, 1)
              .start()
              .awaitReady(slapds.urls());
          LDAPConnection client = connect(lb)) {
        assertThat(servedBy(client, primary, standby)).isSameAs(primary);

        // Hung, with no load on it: the periodic probe finds it.
        primary.pause();
        try {
          await("the hung primary taken out").atMost(Duration.ofSeconds(15))
              .until(() -> !lb.balancer().serversInSelection().get(primary.url()));
          assertThat(servedBy(client, primary, standby)).isSameAs(standby);
        } finally {
          primary.resume();
        }
        await("the primary back").atMost(Duration.ofSeconds(15))
            .until(() -> lb.balancer().serversInSelection().get(primary.url()));
        assertThat(servedBy(client, primary, standby)).isSameAs(primary);

        // Down: its connections are lost, so nothing of the first tier is usable.
        primary.stop();
        await("the primary's connections gone").atMost(Duration.ofSeconds(15))
            .until(() -> lb.balancer().readyConnections().getOrDefault(primary.url(), 0) == 0);
        assertThat(servedBy(client, primary, standby)).isSameAs(standby);
        primary.restart();
        // Every event loop's connection back (numconns 2 over the loops), not only the first:
        // a loop still without one would rightly send its share to the second tier.
        await("the primary's connections back on every loop").atMost(Duration.ofSeconds(30))
            .until(() -> lb.balancer().readyConnections().getOrDefault(primary.url(), 0) >= 2);
        assertThat(servedBy(client, primary, standby)).isSameAs(primary);
      }
    }
  }

  private static LDAPConnection connect(RunningBalancer lb) throws LDAPException {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setResponseTimeoutMillis(20_000);
    return new LDAPConnection(options, "127.0.0.1", lb.port());
  }

  private static SearchRequest search(int i) throws LDAPException {
    return new SearchRequest(DirectoryData.userDn(i % USERS), SearchScope.BASE,
        "(objectClass=*)", "cn");
  }

  /**
   * Runs {@link #SEARCHES} searches, all of which must succeed, and says which server read them:
   * the one that read at least {@link #SOME_SEARCHES_BYTES} more while the other read less.
   */
  private static SlapdServer servedBy(LDAPConnection client, SlapdServer a, SlapdServer b)
      throws LDAPException {
    long aBefore = a.isRunning() ? a.bytesRead() : 0;
    long bBefore = b.bytesRead();
    for (int i = 0; i < SEARCHES; i++) {
      client.search(search(i));
    }
    long aGot = a.isRunning() ? a.bytesRead() - aBefore : 0;
    long bGot = b.bytesRead() - bBefore;
    if (aGot >= SOME_SEARCHES_BYTES && bGot < SOME_SEARCHES_BYTES) {
      return a;
    }
    if (bGot >= SOME_SEARCHES_BYTES && aGot < SOME_SEARCHES_BYTES) {
      return b;
    }
    throw new AssertionError("both or neither served the searches: " + aGot + " vs " + bGot);
  }
}
