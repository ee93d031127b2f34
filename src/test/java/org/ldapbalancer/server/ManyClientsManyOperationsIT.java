package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.AsyncCompareResultListener;
import com.unboundid.ldap.sdk.AsyncRequestID;
import com.unboundid.ldap.sdk.AsyncResultListener;
import com.unboundid.ldap.sdk.AsyncSearchResultListener;
import com.unboundid.ldap.sdk.CompareRequest;
import com.unboundid.ldap.sdk.CompareResult;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * Many clients with many operations in flight at once: every response reaches the client and
 * the operation that asked for it, exactly once.
 */
@Timeout(300)
class ManyClientsManyOperationsIT {
  private static final int CLIENTS = 50;
  private static final int OPS_PER_CLIENT = 200;
  private static final int USERS = 100;

  /** Collects what went wrong; a non-empty queue fails the test with the first problems. */
  private final Queue<String> problems = new ConcurrentLinkedQueue<>();
  private final AtomicInteger answered = new AtomicInteger();
  private CountDownLatch outstanding;

  private void finished(String what, boolean ok, String detail) {
    if (!ok) {
      problems.add(what + ": " + detail);
    }
    answered.incrementAndGet();
    outstanding.countDown();
  }

  /** A search for one user: exactly that entry, once, then success. */
  private final class UserSearch implements AsyncSearchResultListener {
    private final String what;
    private final String expectedDn;
    private final List<String> entries = new ArrayList<>();
    private boolean done;

    UserSearch(String what, int user) {
      this.what = what;
      this.expectedDn = SampleDirectory.userDn(user);
    }

    @Override
    public synchronized void searchEntryReturned(SearchResultEntry entry) {
      entries.add(entry.getDN());
    }

    @Override
    public void searchReferenceReturned(SearchResultReference reference) {
      problems.add(what + ": unexpected reference");
    }

    @Override
    public synchronized void searchResultReceived(AsyncRequestID id, SearchResult result) {
      if (done) {
        problems.add(what + ": second result");
        return;
      }
      done = true;
      finished(what, result.getResultCode() == ResultCode.SUCCESS
          && entries.equals(List.of(expectedDn)), result.getResultCode() + " " + entries);
    }
  }

  @Test
  void fiftyClientsWithTwoHundredOperationsEachInFlight() throws Exception {
    outstanding = new CountDownLatch(CLIENTS * OPS_PER_CLIENT);
    List<LDAPConnection> clients = new ArrayList<>();
    try (RecordingDirectory a = RecordingDirectory.start("a", USERS);
        RecordingDirectory b = RecordingDirectory.start("b", USERS);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(2)
            .server(a.url(), 4, 1).server(b.url(), 4, 1).start()
            .awaitReady(a.url(), b.url())) {
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(new LDAPConnection("127.0.0.1", lb.port()));
      }
      Random random = new Random(4511);
      for (int op = 0; op < OPS_PER_CLIENT; op++) {
        for (int c = 0; c < CLIENTS; c++) {
          LDAPConnection conn = clients.get(c);
          int user = random.nextInt(USERS);
          String what = "client " + c + " op " + op;
          switch (random.nextInt(3)) {
            case 0 -> conn.asyncSearch(new SearchRequest(new UserSearch(what, user),
                SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user." + user + ")", "cn"));
            case 1 -> {
              boolean match = random.nextBoolean();
              String value = "User " + (match ? user : user + 1);
              conn.asyncCompare(new CompareRequest(SampleDirectory.userDn(user), "cn", value),
                  new AsyncCompareResultListener() {
                    @Override
                    public void compareResultReceived(AsyncRequestID id, CompareResult r) {
                      finished(what, r.getResultCode() == (match ? ResultCode.COMPARE_TRUE
                          : ResultCode.COMPARE_FALSE), r.getResultCode().toString());
                    }
                  });
            }
            default -> {
              // A per-client attribute on an existing entry succeeds; on a missing one it
              // fails with noSuchObject: either answer tells which request it belongs to.
              boolean exists = random.nextBoolean();
              String dn = exists ? SampleDirectory.userDn(user)
                  : "uid=missing." + user + "," + SampleDirectory.PEOPLE_DN;
              conn.asyncModify(new ModifyRequest(dn, new Modification(ModificationType.REPLACE,
                  "x-client-" + c, "op " + op)), new AsyncResultListener() {
                    @Override
                    public void ldapResultReceived(AsyncRequestID id, LDAPResult r) {
                      finished(what, r.getResultCode() == (exists ? ResultCode.SUCCESS
                          : ResultCode.NO_SUCH_OBJECT), r.getResultCode().toString());
                    }
                  });
            }
          }
        }
      }
      boolean all = outstanding.await(180, TimeUnit.SECONDS);
      assertThat(problems).as("problems").isEmpty();
      assertThat(all).as("all %d answered, got %d", CLIENTS * OPS_PER_CLIENT, answered.get())
          .isTrue();
      assertThat(answered.get()).isEqualTo(CLIENTS * OPS_PER_CLIENT);
      // Both servers did a share of the work.
      assertThat(a.requests()).hasSizeGreaterThan(CLIENTS * OPS_PER_CLIENT / 4);
      assertThat(b.requests()).hasSizeGreaterThan(CLIENTS * OPS_PER_CLIENT / 4);
    } finally {
      clients.forEach(LDAPConnection::close);
    }
  }
}
