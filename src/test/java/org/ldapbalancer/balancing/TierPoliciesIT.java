package org.ldapbalancer.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.TierPolicy;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/** The tier policies through the balancer: weighted, bestof, and a configuration with no server. */
@Timeout(180)
class TierPoliciesIT {

  @Test
  void aWeightedTierSpreadsTenToOne() throws Exception {
    try (RecordingDirectory heavy = RecordingDirectory.start("a", 5);
        RecordingDirectory light = RecordingDirectory.start("b", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).policy(TierPolicy.WEIGHTED)
            .weightedServer(heavy.url(), 1, 1, 10).weightedServer(light.url(), 1, 1, 1)
            .start().awaitReady(heavy.url(), light.url());
        LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      for (int i = 0; i < 2200; i++) {
        c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user." + (i % 5) + ")", "cn");
      }
      int h = heavy.requests(RecordingDirectory.Request::isSearch).size();
      int l = light.requests(RecordingDirectory.Request::isSearch).size();
      assertThat(h + l).isEqualTo(2200);
      // Each search is drawn at random: the light server's count is binomial (2200, 1/11), mean
      // 200 and standard deviation 13.5; five deviations either way (132 to 268) keep the ratio
      // between 7.2 and 15.7, so the check fails on a wrong weighting, not on chance.
      assertThat(h / (double) l).as("%d : %d", h, l).isBetween(7.0, 16.0);
    }
  }

  @Test
  void withNoServerConfiguredEveryOperationIsUnavailable() throws Exception {
    try (RunningBalancer lb = RunningBalancer.builder().start();
        LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      LDAPException e = catchThrowableOfType(LDAPException.class,
          () -> c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.1)"));
      assertThat(e.getResultCode()).isEqualTo(ResultCode.UNAVAILABLE);
      LDAPException bind = catchThrowableOfType(LDAPException.class,
          () -> c.bind(SampleDirectory.userDn(1), SampleDirectory.USER_PASSWORD));
      assertThat(bind.getResultCode()).isEqualTo(ResultCode.UNAVAILABLE);
    }
  }

  /**
   * bestof against a real slapd stopped 80 ms of every 100: it answers slowly and gets few
   * operations; once it runs normally again it gets its share back.
   */
  @Test
  void bestOfSendsLittleToAServerThatKeepsStoppingAndResumesAfterwards() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 5);
        RunningBalancer lb = slapds.balancer(Duration.ZERO).policy(TierPolicy.BESTOF)
            .ioThreads(1).start()) {
      lb.awaitReady(slapds.urls());
      SlapdServer steady = slapds.server(0);
      SlapdServer stuttering = slapds.server(1);
      // The load pattern under test: stopped 80 ms of every 100, on a schedule.
      ScheduledExecutorService stutter = Executors.newSingleThreadScheduledExecutor();
      stutter.scheduleAtFixedRate(() -> {
        stuttering.pause();
        stutter.schedule(stuttering::resume, 80, TimeUnit.MILLISECONDS);
      }, 0, 100, TimeUnit.MILLISECONDS);
      long steadyBefore = steady.bytesRead();
      long stutterBefore = stuttering.bytesRead();
      searches(lb, 4, 400);
      long steadyGot = steady.bytesRead() - steadyBefore;
      long stutterGot = stuttering.bytesRead() - stutterBefore;
      stutter.shutdownNow();
      assertThat(stutter.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      stuttering.resume();
      assertThat(stutterGot).as("bytes read by the stuttering server vs the steady one: %d vs %d",
          stutterGot, steadyGot).isLessThan(steadyGot / 3);

      // Recovered: the drift back of its latency gets it operations again. The first searches
      // after the stops are its way back (its average still remembers them); the share is
      // measured once that is over.
      searches(lb, 4, 500);
      long steadyAfter = steady.bytesRead();
      long stutterAfter = stuttering.bytesRead();
      searches(lb, 4, 1500);
      long steadyGot2 = steady.bytesRead() - steadyAfter;
      long stutterGot2 = stuttering.bytesRead() - stutterAfter;
      assertThat(stutterGot2).as("after recovery: %d vs %d", stutterGot2, steadyGot2)
          .isGreaterThan(steadyGot2 / 5);
    }
  }

  private static void searches(RunningBalancer lb, int clients, int each) throws Exception {
    List<CompletableFuture<Void>> runs = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      runs.add(Background.supply(() -> {
        try (LDAPConnection conn = new LDAPConnection("127.0.0.1", lb.port())) {
          for (int i = 0; i < each; i++) {
            SearchRequest r = new SearchRequest(SampleDirectory.PEOPLE_DN, SearchScope.ONE,
                "(uid=user." + (i % 5) + ")", "cn");
            r.setResponseTimeoutMillis(30_000);
            conn.search(r);
          }
        } catch (LDAPException e) {
          throw new IllegalStateException(e);
        }
        return null;
      }));
    }
    for (CompletableFuture<Void> r : runs) {
      r.get();
    }
  }
}
