package org.ldapbalancer.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.bench.BenchResult;
import org.ldapbalancer.testing.BenchLoad;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * Both servers hung at once (SIGSTOP: their kernels keep accepting, nothing answers) under load,
 * with the {@code bindconf} timeout set: nothing is left waiting for ever. Every request gets
 * exactly one final response, the time-out result for those the hung servers held, and once the
 * servers continue the load is answered as before.
 *
 * <p>One hung server of two is {@code PausedUpstreamTimesOutIT}; this is the case where there is
 * nowhere else to go.
 */
final class BothServersStoppedUnderLoadIT {
  private static final int USERS = 100;
  private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(2);
  /** About a hundred requests: the load has reached a server. */
  private static final long UNDER_WAY_BYTES = 8 * 1024;

  @Test
  void everyRequestIsAnsweredOnceTheTimedOutSearchesWithTimeLimitExceeded() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, USERS);
        RunningBalancer lb = slapds.balancer(OPERATION_TIMEOUT).start()) {
      lb.awaitReady(slapds.urls());
      SlapdServer first = slapds.server(0);
      SlapdServer second = slapds.server(1);
      long firstRead = first.bytesRead();
      long secondRead = second.bytesRead();
      BenchLoad load = BenchLoad.start(BenchLoad.searches(lb.url(), USERS).durationSeconds(8));
      await("load reaching both servers").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> first.bytesRead() > firstRead + UNDER_WAY_BYTES
              && second.bytesRead() > secondRead + UNDER_WAY_BYTES);

      first.pause();
      second.pause();
      try {
        // A search sent now can only go to a hung server: it ends with the time-out result.
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setResponseTimeoutMillis(20_000);
        try (LDAPConnection probe = new LDAPConnection(options, "127.0.0.1", lb.port())) {
          LDAPSearchException e = catchThrowableOfType(
              () -> probe.search(DirectoryData.userDn(1), SearchScope.BASE, "(objectClass=*)"),
              LDAPSearchException.class);
          assertThat(e).as("a search while both servers are stopped").isNotNull();
          assertThat(e.getResultCode()).isEqualTo(ResultCode.TIME_LIMIT_EXCEEDED);
        }
      } finally {
        first.resume();
        second.resume();
      }
      BenchResult result = load.result();

      BenchResult.Answers a = LedgerAssert.everyRequestAnsweredOnce(load, result,
          0, 3, 11, 51, 52, 80);
      assertThat(a.byResultCode()).as("the load's searches the hung servers held")
          .containsKey(3);
      assertThat(a.byResultCode().get(0)).as("answered after the servers continued")
          .isGreaterThan(a.byResultCode().get(3));
    }
  }
}
