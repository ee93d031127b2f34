package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.PEOPLE_DN;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;
import static org.ldapbalancer.testing.DirectoryData.userId;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.LdapTool;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * Paged results (RFC 2696) through two servers: each page goes to the connection that returned
 * the cookie, and no two clients' paged searches share a connection (slapd keeps one paged state
 * per connection, so a second client's first page would make the first client's cookie
 * invalid). Six clients page through 10,000 entries in pages of 500 at once, each getting every
 * entry exactly once.
 */
final class PagedSearchesThroughTwoServersIT {
  private static final int USERS = 10_000;
  private static final int PAGE = 500;
  private static final int CLIENTS = 6;
  /** Per server: with two servers, exactly one connection per paging client. */
  private static final int CONNECTIONS = 3;

  private static RunningBalancer start(SlapdGroup slapds) throws Exception {
    RunningBalancer.Builder builder =
        RunningBalancer.builder()
            .bindConf(SlapdGroup.balancerBindConf(Duration.ZERO))
            .proxyAuthz(true)
            .ioThreads(1);
    for (String url : slapds.urls()) {
      builder.server(url, CONNECTIONS, 1);
    }
    RunningBalancer balancer = builder.start();
    await("every connection ready")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              var ready = balancer.balancer().readyConnections();
              for (String url : slapds.urls()) {
                if (ready.getOrDefault(url, 0) < CONNECTIONS) {
                  return false;
                }
              }
              return true;
            });
    return balancer;
  }

  private static SearchRequest page(int size, ASN1OctetString cookie) throws Exception {
    SearchRequest request =
        new SearchRequest(PEOPLE_DN, SearchScope.ONE, "(objectClass=inetOrgPerson)", "uid");
    request.addControl(new SimplePagedResultsControl(size, cookie, true));
    return request;
  }

  /** Reads pages until the cookie is empty; every page must succeed. */
  private static Set<String> pageThrough(LDAPConnection c, ASN1OctetString cookie, Set<String> uids)
      throws Exception {
    while (cookie != null && cookie.getValueLength() > 0) {
      SearchResult result = c.search(page(PAGE, cookie));
      assertThat(result.getResultCode()).isEqualTo(ResultCode.SUCCESS);
      assertThat(result.getEntryCount()).isLessThanOrEqualTo(PAGE);
      for (SearchResultEntry e : result.getSearchEntries()) {
        assertThat(uids.add(e.getAttributeValue("uid"))).as("entry seen twice").isTrue();
      }
      cookie = SimplePagedResultsControl.get(result).getCookie();
    }
    return uids;
  }

  @Test
  void sixClientsPageThroughTenThousandEntriesAtOnceAndASeventhIsBusyUntilOneEnds()
      throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, USERS);
        RunningBalancer balancer = start(slapds)) {
      CyclicBarrier allHold = new CyclicBarrier(CLIENTS + 1);
      CyclicBarrier checked = new CyclicBarrier(CLIENTS + 1);
      List<CompletableFuture<Set<String>>> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        int user = i;
        clients.add(
            Background.supply(
                () -> {
                  try (LDAPConnection c = new LDAPConnection("127.0.0.1", balancer.port())) {
                    c.bind(userDn(user), USER_PASSWORD);
                    Set<String> uids = new HashSet<>();
                    SearchResult first = c.search(page(PAGE, null));
                    assertThat(first.getResultCode()).isEqualTo(ResultCode.SUCCESS);
                    first.getSearchEntries().forEach(e -> uids.add(e.getAttributeValue("uid")));
                    allHold.await(60, TimeUnit.SECONDS);
                    checked.await(60, TimeUnit.SECONDS);
                    return pageThrough(c, SimplePagedResultsControl.get(first).getCookie(), uids);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      allHold.await(120, TimeUnit.SECONDS);
      // Every connection holds a paged search now: a seventh first page is answered busy, and
      // ordinary operations still pass.
      try (LDAPConnection late = new LDAPConnection("127.0.0.1", balancer.port())) {
        LDAPSearchException busy = null;
        try {
          late.search(page(PAGE, null));
        } catch (LDAPSearchException e) {
          busy = e;
        }
        assertThat(busy).as("a first page while every connection is held").isNotNull();
        assertThat(busy.getResultCode()).isEqualTo(ResultCode.BUSY);
        assertThat(late.getEntry(userDn(7), "uid").getAttributeValue("uid")).isEqualTo(userId(7));
      }
      checked.await(60, TimeUnit.SECONDS);
      for (CompletableFuture<Set<String>> client : clients) {
        assertThat(client.get(300, TimeUnit.SECONDS)).hasSize(USERS);
      }
    }
  }

  @Test
  void aPageOfSizeZeroEndsTheSearchAndFreesItsConnection() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 200);
        RunningBalancer balancer = start(slapds)) {
      List<LDAPConnection> holders = new ArrayList<>();
      List<ASN1OctetString> cookies = new ArrayList<>();
      try {
        for (int i = 0; i < 2 * CONNECTIONS; i++) {
          LDAPConnection c = new LDAPConnection("127.0.0.1", balancer.port());
          holders.add(c);
          SearchResult first = c.search(page(10, null));
          cookies.add(SimplePagedResultsControl.get(first).getCookie());
        }
        try (LDAPConnection late = new LDAPConnection("127.0.0.1", balancer.port())) {
          LDAPSearchException busy = null;
          try {
            late.search(page(10, null));
          } catch (LDAPSearchException e) {
            busy = e;
          }
          assertThat(busy).isNotNull();
          assertThat(busy.getResultCode()).isEqualTo(ResultCode.BUSY);

          // RFC 2696 §3: size 0 with the cookie abandons the paged search.
          SearchResult end = holders.get(2).search(page(0, cookies.get(2)));
          assertThat(end.getResultCode()).isEqualTo(ResultCode.SUCCESS);

          Set<String> uids = new HashSet<>();
          SearchResult first = late.search(page(50, null));
          first.getSearchEntries().forEach(e -> uids.add(e.getAttributeValue("uid")));
          assertThat(pageThrough(late, SimplePagedResultsControl.get(first).getCookie(), uids))
              .hasSize(200);
        }
      } finally {
        holders.forEach(LDAPConnection::close);
      }
    }
  }

  @Test
  void ldapsearchPagesThroughTheBalancerAsItDoesDirectly() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, 2_000);
        RunningBalancer balancer = start(slapds)) {
      String[] search = {"-E", "pr=300/noprompt", "-b", PEOPLE_DN, "(uid=*)", "uid"};
      LdapTool.Result through =
          LdapTool.at(balancer.url()).withTimeout(Duration.ofSeconds(90)).search(search);
      assertThat(through.succeeded()).as("%s", through.stderr()).isTrue();
      assertThat(through.stdout().lines().filter(l -> l.startsWith("uid: ")).count())
          .isEqualTo(2000);
    }
  }
}
