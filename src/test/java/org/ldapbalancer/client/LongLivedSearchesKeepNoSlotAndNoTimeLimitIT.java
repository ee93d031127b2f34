package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import com.unboundid.ldap.sdk.AsyncRequestID;
import com.unboundid.ldap.sdk.AsyncSearchResultListener;
import com.unboundid.ldap.sdk.IntermediateResponse;
import com.unboundid.ldap.sdk.IntermediateResponseListener;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.ContentSyncRequestControl;
import com.unboundid.ldap.sdk.controls.ContentSyncRequestMode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;

/**
 * A syncrepl refreshAndPersist search (RFC 4533) through the balancer lives as long as the
 * client keeps it: it holds no {@code conn-max-pending} slot of the one upstream connection (other
 * clients' operations pass), and {@code bindconf timeout} does not end it while it is quiet.
 */
final class LongLivedSearchesKeepNoSlotAndNoTimeLimitIT {
  private static final int USERS = 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** Counts the entries of an async search and keeps its final result. */
  private static final class Listener
      implements AsyncSearchResultListener, IntermediateResponseListener {
    final AtomicInteger entries = new AtomicInteger();
    final AtomicInteger intermediates = new AtomicInteger();
    final CompletableFuture<SearchResult> done = new CompletableFuture<>();

    @Override
    public void searchEntryReturned(SearchResultEntry entry) {
      entries.incrementAndGet();
    }

    @Override
    public void searchReferenceReturned(SearchResultReference reference) {}

    @Override
    public void searchResultReceived(AsyncRequestID id, SearchResult result) {
      done.complete(result);
    }

    @Override
    public void intermediateResponseReturned(IntermediateResponse response) {
      intermediates.incrementAndGet();
    }
  }

  @Test
  void aPersistingSyncSearchOutlivesTheTimeoutAndLeavesTheConnectionToOthers() throws Exception {
    try (SlapdGroup slapds =
            SlapdGroup.start(List.of(SlapdServer.builder().users(USERS).overlay("syncprov")));
        RunningBalancer balancer =
            RunningBalancer.builder()
                .bindConf(SlapdGroup.balancerBindConf(TIMEOUT))
                .ioThreads(1)
                // One connection that takes one operation at a time.
                .server(slapds.server(0).url(), 1, 1, 0, 1)
                .start()
                .awaitReady(slapds.urls());
        LDAPConnection watcher = new LDAPConnection("127.0.0.1", balancer.port());
        LDAPConnection other = new LDAPConnection("127.0.0.1", balancer.port())) {
      Listener sync = new Listener();
      SearchRequest persist =
          new SearchRequest(sync, PEOPLE_DN, SearchScope.ONE, "(objectClass=inetOrgPerson)", "uid",
              "description");
      persist.addControl(new ContentSyncRequestControl(ContentSyncRequestMode.REFRESH_AND_PERSIST));
      persist.setIntermediateResponseListener(sync);
      watcher.asyncSearch(persist);
      await("the refresh phase")
          .atMost(Duration.ofSeconds(30))
          .until(() -> sync.entries.get() >= USERS);

      // The one slot of the one connection is free for everyone else.
      for (int i = 0; i < 5; i++) {
        assertThat(other.getEntry(userDn(i), "uid")).isNotNull();
      }
      // Quiet for well past the time limit, the search is still there...
      await("the persist phase outlives bindconf timeout")
          .during(TIMEOUT.multipliedBy(2))
          .atMost(TIMEOUT.multipliedBy(4))
          .until(() -> !sync.done.isDone());
      // ...and still reports changes.
      int before = sync.entries.get();
      other.bind(userDn(2), USER_PASSWORD);
      other.modify(userDn(2), new Modification(ModificationType.REPLACE, "description", "changed"));
      await("the change notification")
          .atMost(Duration.ofSeconds(30))
          .until(() -> sync.entries.get() > before);
      assertThat(sync.done).isNotDone();
      // An ordinary operation still gets its answer through the same connection.
      SearchResult plain = other.search(PEOPLE_DN, SearchScope.ONE, "(uid=*)", "uid");
      assertThat(plain.getResultCode()).isEqualTo(ResultCode.SUCCESS);
      assertThat(plain.getEntryCount()).isEqualTo(USERS);
    }
  }
}
