package org.ldapbalancer.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.AsyncRequestID;
import com.unboundid.ldap.sdk.AsyncSearchResultListener;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.PrometheusText;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * Every received operation ends in exactly one of completed, rejected, failed or abandoned,
 * whichever way it goes: answered, refused at the per-client limit, abandoned, or cut off by its
 * client leaving. Once everything has settled the counts add up for every operation type.
 */
@Timeout(120)
class OperationCountsAddUpIT {
  private static final int ROUNDS = 20;
  private static final String[] OPS = {
    "bind", "search", "modify", "add", "delete", "modrdn", "compare", "extended"
  };

  private InMemoryDirectoryServer upstream;
  private RunningBalancer lb;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (lb != null) {
      lb.close();
    }
    if (upstream != null) {
      upstream.shutDown(true);
    }
  }

  private PrometheusText metrics() throws Exception {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lb.port(1) + "/metrics"))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return PrometheusText.parse(r.body());
  }

  /** An async search listener that ignores what it gets: the balancer's counts are checked. */
  private static final AsyncSearchResultListener IGNORE = new AsyncSearchResultListener() {
    @Override
    public void searchEntryReturned(SearchResultEntry entry) {}

    @Override
    public void searchReferenceReturned(SearchResultReference reference) {}

    @Override
    public void searchResultReceived(AsyncRequestID id, SearchResult result) {}
  };

  @Test
  void everyOperationEndsExactlyOnce() throws Exception {
    upstream = SampleDirectory.start("a", 50, 0);
    String url = "ldap://127.0.0.1:" + upstream.getListenPort();
    lb = RunningBalancer.builder()
        .server(url, 2, 1)
        .clientMaxPending(4) // some of the bursts below are refused busy
        .listen("ldap://127.0.0.1:0", "http://127.0.0.1:0/")
        .start()
        .awaitReady(url);

    for (int round = 0; round < ROUNDS; round++) {
      LDAPConnection c = new LDAPConnection("127.0.0.1", lb.port(0));
      try {
        c.bind(SampleDirectory.userDn(round), SampleDirectory.USER_PASSWORD);
        List<AsyncRequestID> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) { // a burst over the per-client limit
          ids.add(c.asyncSearch(new SearchRequest(IGNORE, SampleDirectory.PEOPLE_DN,
              SearchScope.ONE, "(uid=user." + i + ")")));
        }
        c.abandon(ids.get(0)); // answered or abandoned, whichever comes first
        try {
          c.compare(SampleDirectory.userDn(1), "uid", "user.1");
        } catch (LDAPException busy) {
          // the burst may still hold the client's pending slots: busy, counted as rejected
          assertThat(busy.getResultCode()).isEqualTo(ResultCode.BUSY);
        }
        try {
          c.bind(SampleDirectory.userDn(round), "wrong");
        } catch (LDAPException expected) {
          // invalidCredentials, counted as completed
        }
        for (int i = 0; i < 3; i++) { // left behind when the client goes
          c.asyncSearch(new SearchRequest(IGNORE, SampleDirectory.BASE_DN, SearchScope.SUB,
              "(objectClass=*)"));
        }
      } finally {
        c.close();
      }
    }

    await("every operation settled and every client gone")
        .atMost(Duration.ofSeconds(60))
        .until(() -> {
          PrometheusText m = metrics();
          return m.value("ldapbalancer_client_connections") == 0
              && m.sum("ldapbalancer_server_operations_in_flight") == 0
              && balanced(m);
        });
    PrometheusText m = metrics();
    assertThat(m.value("ldapbalancer_operations_received_total", "op", "bind"))
        .isEqualTo(2 * ROUNDS);
    assertThat(m.value("ldapbalancer_operations_received_total", "op", "search"))
        .isEqualTo(11 * ROUNDS);
    assertThat(m.sum("ldapbalancer_operations_rejected_total", "result", "busy")).isPositive();
    assertThat(m.value("ldapbalancer_operations_completed_total",
        "op", "bind", "result", "invalidCredentials")).isEqualTo(ROUNDS);
    assertThat(m.valueOrZero("ldapbalancer_operations_completed_total",
            "op", "compare", "result", "compareTrue")
        + m.valueOrZero("ldapbalancer_operations_rejected_total",
            "op", "compare", "result", "busy")).isEqualTo(ROUNDS);
  }

  private static boolean balanced(PrometheusText m) {
    for (String op : OPS) {
      double received = m.value("ldapbalancer_operations_received_total", "op", op);
      double ended = m.sum("ldapbalancer_operations_completed_total", "op", op)
          + m.sum("ldapbalancer_operations_rejected_total", "op", op)
          + m.sum("ldapbalancer_operations_failed_total", "op", op)
          + m.value("ldapbalancer_operations_abandoned_total", "op", op);
      if (received != ended) {
        return false;
      }
    }
    return true;
  }
}
