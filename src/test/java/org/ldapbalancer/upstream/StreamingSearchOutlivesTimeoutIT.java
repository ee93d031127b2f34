package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchEntry;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.config.BindConf;
import org.ldapbalancer.config.BindMethod;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * {@code bindconf timeout} runs from an operation's last response, as in lloadd: a search whose
 * entries keep coming is never cut however long it runs, while one that goes silent for longer
 * than the limit gets {@code timeLimitExceeded (3)}.
 */
@Timeout(120)
class StreamingSearchOutlivesTimeoutIT {
  private static final int USERS = 8;
  /** The server's pace: one entry every so often, each gap well below the 1 s limit. */
  private static final long ENTRY_GAP_MILLIS = 400;

  private static final BindConf ONE_SECOND = new BindConf(BindMethod.SIMPLE,
      SampleDirectory.BALANCER_DN, SampleDirectory.BALANCER_PASSWORD, Duration.ofSeconds(5),
      Duration.ofSeconds(1));

  @Test
  void aSearchSendingEntriesForLongerThanTheTimeoutCompletes() throws Exception {
    // A slow server, not a synchronisation: each entry leaves the in-memory server after a pause.
    InMemoryOperationInterceptor slowEntries = new InMemoryOperationInterceptor() {
      @Override
      public void processSearchEntry(InMemoryInterceptedSearchEntry entry) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ENTRY_GAP_MILLIS));
      }
    };
    InMemoryDirectoryServerConfig config = SampleDirectory.config("slow", 0);
    config.addInMemoryOperationInterceptor(slowEntries);
    InMemoryDirectoryServer slow = new InMemoryDirectoryServer(config);
    slow.addEntries(SampleDirectory.entries("slow", USERS));
    slow.startListening();
    String url = "ldap://127.0.0.1:" + slow.getListenPort();
    try (RunningBalancer lb = RunningBalancer.builder().ioThreads(1).bindConf(ONE_SECOND)
            .server(url, 1, 1).start().awaitReady(url);
        LDAPConnection c = connect(lb)) {
      long start = System.nanoTime();
      SearchResult result = c.search(new SearchRequest(SampleDirectory.PEOPLE_DN,
          SearchScope.ONE, "(objectClass=*)", "cn"));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(result.getResultCode()).isEqualTo(ResultCode.SUCCESS);
      assertThat(result.getEntryCount()).isEqualTo(USERS);
      assertThat(tookMillis).as("the search outlived the 1 s limit").isGreaterThan(2_000);
    } finally {
      slow.shutDown(true);
    }
  }

  @Test
  void aSearchSilentForLongerThanTheTimeoutGetsTimeLimitExceeded() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", USERS);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).bindConf(ONE_SECOND)
            .server(dir.url(), 1, 1).start().awaitReady(dir.url());
        LDAPConnection c = connect(lb)) {
      dir.holdRequestsMatching(r -> r.isSearch() && r.filter().equals("(uid=user.1)"));
      try {
        LDAPSearchException e = org.assertj.core.api.Assertions.catchThrowableOfType(
            LDAPSearchException.class,
            () -> c.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.1)", "cn"));
        assertThat(e).isNotNull();
        assertThat(e.getResultCode()).isEqualTo(ResultCode.TIME_LIMIT_EXCEEDED);
      } finally {
        dir.release();
      }
    }
  }

  private static LDAPConnection connect(RunningBalancer lb) throws Exception {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setResponseTimeoutMillis(30_000);
    return new LDAPConnection(options, "127.0.0.1", lb.port());
  }
}
