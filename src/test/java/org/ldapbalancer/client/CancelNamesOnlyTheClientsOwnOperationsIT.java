package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;

import com.unboundid.ldap.sdk.AsyncRequestID;
import com.unboundid.ldap.sdk.AsyncSearchResultListener;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.extensions.CancelExtendedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * Cancel (RFC 3909) names a message ID of the client's own. Two clients share the one upstream
 * connection ({@code numconns 1}): client B's Cancel naming client A's message IDs cancels none
 * of A's searches (B has no such operation), while B can cancel its own.
 */
final class CancelNamesOnlyTheClientsOwnOperationsIT {
  private static final int USERS = 5_000;
  private static final int SEARCHES = 6;

  /** Collects one async search: entries counted, the final result kept. */
  private static final class Collector implements AsyncSearchResultListener {
    final AtomicInteger entries = new AtomicInteger();
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
  }

  /** The balancer with one connection to the one slapd, ready. */
  private static RunningBalancer oneConnectionTo(SlapdGroup slapds) throws Exception {
    return slapds.balancerOnOneSharedConnection().start()
        .awaitReady(slapds.urls());
  }

  private static SearchRequest everyone(Collector listener) throws Exception {
    return new SearchRequest(
        listener, PEOPLE_DN, SearchScope.ONE, "(objectClass=inetOrgPerson)", "uid", "cn", "mail");
  }

  @Test
  void anotherClientsCancelOfMyMessageIdsCancelsNothingOfMine() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, USERS);
        RunningBalancer balancer = oneConnectionTo(slapds);
        LDAPConnection a = new LDAPConnection();
        LDAPConnection b = new LDAPConnection()) {
      a.connect("127.0.0.1", balancer.port());
      b.connect("127.0.0.1", balancer.port());

      List<Collector> mine = new ArrayList<>();
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < SEARCHES; i++) {
        Collector c = new Collector();
        mine.add(c);
        ids.add(a.asyncSearch(everyone(c)).getMessageID());
      }
      // B names each of A's message IDs, and the next few IDs as well.
      int highest = ids.stream().mapToInt(Integer::intValue).max().orElseThrow();
      for (int id = 1; id <= highest + 3; id++) {
        ExtendedResult r = b.processExtendedOperation(new CancelExtendedRequest(id));
        assertThat(r.getResultCode())
            .as("B's Cancel of message ID %d", id)
            .isEqualTo(ResultCode.NO_SUCH_OPERATION);
      }
      for (Collector c : mine) {
        SearchResult result = c.done.get(120, TimeUnit.SECONDS);
        assertThat(result.getResultCode()).isEqualTo(ResultCode.SUCCESS);
        assertThat(c.entries.get()).isEqualTo(USERS);
      }
    }
  }

  @Test
  void aClientCancelsItsOwnSearchWhichEndsCanceledBeforeTheCancelSucceeds() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, USERS);
        RunningBalancer balancer = oneConnectionTo(slapds)) {
      try (LDAPConnection c = new LDAPConnection("127.0.0.1", balancer.port())) {
        Collector search = new Collector();
        AsyncRequestID id = c.asyncSearch(everyone(search));
        ExtendedResult cancel =
            c.processExtendedOperation(new CancelExtendedRequest(id.getMessageID()));
        SearchResult result = search.done.get(120, TimeUnit.SECONDS);
        // The search may have ended before the Cancel arrived (at the balancer: no such
        // operation; at slapd: no such operation or too late); then there is nothing to cancel.
        if (cancel.getResultCode() == ResultCode.SUCCESS) {
          assertThat(result.getResultCode()).isEqualTo(ResultCode.CANCELED);
          assertThat(search.entries.get()).isLessThan(USERS);
        } else {
          assertThat(cancel.getResultCode())
              .isIn(ResultCode.NO_SUCH_OPERATION, ResultCode.TOO_LATE);
          assertThat(result.getResultCode()).isEqualTo(ResultCode.SUCCESS);
        }
        // The connection goes on working.
        assertThat(c.getEntry(PEOPLE_DN)).isNotNull();
      }
    }
  }

  /**
   * A Modify cancelled right after it was sent: slapd either stops it before it starts ({@code
   * canceled}, the Cancel {@code success}) or has made it (its real result, the Cancel {@code
   * tooLate}). Whichever, what the client is told is what the directory holds: never {@code
   * canceled} for a change that was made.
   */
  @Test
  void aCancelledModifyIsReportedAsTheDirectoryHasIt() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(1, 10);
        RunningBalancer balancer = oneConnectionTo(slapds)) {
      String dn = DirectoryData.userDn(3);
      try (LDAPConnection c = new LDAPConnection("127.0.0.1", balancer.port(), dn,
              DirectoryData.USER_PASSWORD)) {
        for (int i = 0; i < 20; i++) {
          String mail = "m" + i + "@example.com";
          AsyncRequestID modify = c.asyncModify(
              new ModifyRequest(dn, new Modification(ModificationType.REPLACE, "mail", mail)),
              null);
          ExtendedResult cancel =
              c.processExtendedOperation(new CancelExtendedRequest(modify.getMessageID()));
          LDAPResult result = modify.get(60, TimeUnit.SECONDS);
          String held = c.getEntry(dn, "mail").getAttributeValue("mail");
          if (result.getResultCode() == ResultCode.CANCELED) {
            assertThat(cancel.getResultCode()).isEqualTo(ResultCode.SUCCESS);
            assertThat(held).as("cancelled: not made").isNotEqualTo(mail);
          } else {
            assertThat(result.getResultCode()).isEqualTo(ResultCode.SUCCESS);
            assertThat(held).as("reported made").isEqualTo(mail);
            assertThat(cancel.getResultCode())
                .isIn(ResultCode.TOO_LATE, ResultCode.NO_SUCH_OPERATION, ResultCode.CANNOT_CANCEL);
          }
        }
      }
    }
  }
}
