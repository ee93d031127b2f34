package org.ldapbalancer.balancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.sdk.AsyncRequestID;
import com.unboundid.ldap.sdk.AsyncSearchResultListener;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.monitor.ServerSnapshot;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * A client's operations in flight share a server (Affinity, "one soft tie"): while some are in
 * flight, the next goes where they went, for at most {@link Affinity#MAX_RUN_IN_FLIGHT} in a row;
 * a client with one operation at a time is still balanced operation by operation. Both servers
 * hold the searches until released, so what is in flight where is known exactly.
 */
@Timeout(60)
class OperationsInFlightShareAServerIT {
  private static List<Long> inFlightPerServer(RunningBalancer lb) throws Exception {
    return lb.balancer().snapshot().toCompletableFuture().get().servers().stream()
        .map(ServerSnapshot::inFlight)
        .sorted()
        .toList();
  }

  private static List<Long> forwardedPerServer(RunningBalancer lb) throws Exception {
    return lb.balancer().snapshot().toCompletableFuture().get().servers().stream()
        .map(ServerSnapshot::forwarded)
        .toList();
  }

  /** One event loop, one connection to each directory, round robin. */
  private static RunningBalancer inFrontOf(RecordingDirectory a, RecordingDirectory b)
      throws IOException {
    return RunningBalancer.builder().ioThreads(1).server(a.url(), 1, 1).server(b.url(), 1, 1)
        .start().awaitReady(a.url(), b.url());
  }

  private static SearchRequest search(int user) throws Exception {
    return new SearchRequest(
        SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user." + user + ")", "cn");
  }

  /** The search for {@code user} sent without waiting; its result completes the future. */
  private static CompletableFuture<SearchResult> sendSearch(LDAPConnection c, int user)
      throws Exception {
    CompletableFuture<SearchResult> result = new CompletableFuture<>();
    AsyncSearchResultListener listener =
        new AsyncSearchResultListener() {
          @Override
          public void searchEntryReturned(SearchResultEntry entry) {}

          @Override
          public void searchReferenceReturned(SearchResultReference reference) {}

          @Override
          public void searchResultReceived(AsyncRequestID id, SearchResult r) {
            result.complete(r);
          }
        };
    c.asyncSearch(new SearchRequest(listener, SampleDirectory.PEOPLE_DN, SearchScope.ONE,
        "(uid=user." + user + ")", "cn"));
    return result;
  }

  @Test
  void aPipeliningClientStaysOnOneServerForARunThenMoves() throws Exception {
    int run = Affinity.MAX_RUN_IN_FLIGHT;
    int total = run + 5;
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RecordingDirectory b = RecordingDirectory.start("b", 5);
        RunningBalancer lb = inFrontOf(a, b);
        LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      a.holdRequestsMatching(RecordingDirectory.Request::isSearch);
      b.holdRequestsMatching(RecordingDirectory.Request::isSearch);
      List<CompletableFuture<SearchResult>> results = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        results.add(sendSearch(c, i % 5));
      }
      await("every search forwarded")
          .atMost(Duration.ofSeconds(10))
          .until(() -> inFlightPerServer(lb).stream().mapToLong(Long::longValue).sum() == total);
      // The first went where round robin sent it, and the next ones followed while it was in
      // flight, up to the run's end; then round robin chose the other server, and the rest
      // followed there.
      assertThat(inFlightPerServer(lb)).containsExactly((long) total - run, (long) run);
      a.release();
      b.release();
      for (CompletableFuture<SearchResult> result : results) {
        SearchResult r = result.get(10, TimeUnit.SECONDS);
        assertThat(r.getResultCode()).isEqualTo(ResultCode.SUCCESS);
        assertThat(r.getEntryCount()).isEqualTo(1);
      }
    }
  }

  @Test
  void aClientWithOneOperationAtATimeIsBalancedPerOperation() throws Exception {
    try (RecordingDirectory a = RecordingDirectory.start("a", 5);
        RecordingDirectory b = RecordingDirectory.start("b", 5);
        RunningBalancer lb = inFrontOf(a, b);
        LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      List<Long> before = forwardedPerServer(lb);
      for (int i = 0; i < 40; i++) {
        assertThat(c.search(search(i % 5)).getEntryCount()).isEqualTo(1);
      }
      List<Long> after = forwardedPerServer(lb);
      assertThat(after.get(0) - before.get(0)).isEqualTo(20);
      assertThat(after.get(1) - before.get(1)).isEqualTo(20);
    }
  }

  @Test
  void aClientOnAFallbackTierReturnsToTheFirstAsSoonAsItIsBack() throws Exception {
    RecordingDirectory first = RecordingDirectory.start("a", 5);
    int firstPort = first.port();
    String firstUrl = first.url();
    first.close(); // the first tier is down when the balancer starts
    try (RecordingDirectory fallback = RecordingDirectory.start("b", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(firstUrl, 1, 1)
            .nextTier().server(fallback.url(), 1, 1).start().awaitReady(fallback.url());
        LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port())) {
      fallback.holdRequestsMatching(RecordingDirectory.Request::isSearch);
      List<CompletableFuture<SearchResult>> results = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        results.add(sendSearch(c, i));
      }
      await("searches in flight on the fallback tier")
          .atMost(Duration.ofSeconds(10))
          .until(() -> inFlightPerServer(lb).equals(List.of(0L, 3L)));

      try (RecordingDirectory back = RecordingDirectory.start("a", 5, firstPort)) {
        lb.awaitReady(firstUrl);
        // Three in flight at the fallback; the next is not tied there: the first tier takes it.
        SearchResult r = sendSearch(c, 4).get(10, TimeUnit.SECONDS);
        assertThat(r.getEntryCount()).isEqualTo(1);
        assertThat(back.requests(RecordingDirectory.Request::isSearch)).hasSize(1);
        assertThat(inFlightPerServer(lb)).containsExactly(0L, 3L); // still at the fallback
        fallback.release();
        for (CompletableFuture<SearchResult> result : results) {
          assertThat(result.get(10, TimeUnit.SECONDS).getResultCode())
              .isEqualTo(ResultCode.SUCCESS);
        }
      }
    }
  }
}
