package org.ldapbalancer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.ldapbalancer.testing.DirectoryData.USER_PASSWORD;
import static org.ldapbalancer.testing.DirectoryData.userDn;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.SlapdGroup;
import org.ldapbalancer.testing.SlapdServer;
import org.ldapbalancer.testing.SocketQueues;

/**
 * SIGHUP re-reads the configuration file while a client bound as a user keeps working on one
 * connection: a server added starts taking its operations, a server removed stops being chosen at
 * once and its connections close once the search still running on it has finished (whole), a file
 * that fails the check is refused and changes nothing, and throughout the client keeps its
 * connection and its identity. Against real slapd and the packaged balancer process.
 *
 * <p>Each slapd holds one entry the other lacks ({@code cn=only-a}, {@code cn=only-b}), so a
 * search for it tells which server answered.
 */
@Timeout(300)
class SighupChangesServersUnderABoundClientIT {
  private static final int USERS = 200;
  private static final int TIMEOUT_SECONDS = 120;
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  /** Searches tried, at most, to see a server of a round-robin pair answer. */
  private static final int TRIES = 40;

  @TempDir Path dir;

  @Test
  void serversAddedAndRemovedWhileABoundClientKeepsItsConnection() throws Exception {
    try (SlapdGroup slapds =
            SlapdGroup.start(List.of(slapdWith("only-a"), slapdWith("only-b")));
        BalancerProcess lb =
            BalancerProcess.builder(dir)
                .servers(slapds.server(0).url())
                .timeoutSeconds(TIMEOUT_SECONDS)
                .start();
        LDAPConnection client = new LDAPConnection("127.0.0.1", lb.port())) {
      SlapdServer a = slapds.server(0);
      SlapdServer b = slapds.server(1);
      client.bind(userDn(1), USER_PASSWORD);
      assertBoundAsUser(client);
      assertThat(BalancerProcess.connectionsTo(b.port())).isZero();

      // Added: b gets connections and a share of the client's operations.
      reload(lb, 1, a, b);
      await("connections to the added server").atMost(DEADLINE)
          .until(() -> BalancerProcess.connectionsTo(b.port()) > 0);
      assertThat(answeredBy(client, "only-b")).as("a search answered by the added server").isTrue();
      assertBoundAsUser(client);

      // Removed while a search is in flight on it: new operations go to b at once, the search
      // finishes whole, then a's connections close.
      a.pause();
      CompletableFuture<SearchResult> inFlight = searchStuckAt(a, client);
      reload(lb, 2, b);
      assertThat(answeredBy(client, "only-a")).as("the removed server chosen").isFalse();
      assertBoundAsUser(client);
      assertThat(inFlight).as("the search on the removed server, still running").isNotDone();
      assertThat(BalancerProcess.connectionsTo(a.port()))
          .as("connections to the removed server while a search runs on one")
          .isPositive();
      a.resume();
      SearchResult whole = inFlight.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertThat(whole.getResultCode()).isEqualTo(ResultCode.SUCCESS);
      assertThat(whole.getEntryCount()).isEqualTo(USERS);
      await("connections to the removed server closed").atMost(DEADLINE)
          .until(() -> BalancerProcess.connectionsTo(a.port()) == 0);

      // A file that fails the check changes nothing.
      Files.writeString(lb.configFile(), "backend-server uri=ldap://127.0.0.1:1 numconns=zero\n");
      lb.signal("HUP");
      await("the refusal logged").atMost(DEADLINE)
          .until(() -> lb.log().contains("refused, the running configuration stays"));
      assertThat(lb.log()).contains("numconns");
      assertThat(answeredBy(client, "only-b")).isTrue();
      assertThat(BalancerProcess.connectionsTo(a.port())).isZero();

      // And a back, beside b.
      reload(lb, 3, a, b);
      await("connections to the server added again").atMost(DEADLINE)
          .until(() -> BalancerProcess.connectionsTo(a.port()) > 0);
      assertThat(answeredBy(client, "only-a")).isTrue();
      assertBoundAsUser(client);
      assertThat(client.isConnected()).isTrue();
      assertThat(lb.log()).doesNotContain("closing client");
    }
  }

  private static SlapdServer.Builder slapdWith(String cn) {
    return SlapdServer.builder()
        .users(USERS)
        .extraLdif("dn: cn=" + cn + "," + DirectoryData.SUFFIX + "\n"
            + "objectClass: organizationalRole\ncn: " + cn + "\n");
  }

  /** Writes a configuration with these servers, signals, and waits for reload number {@code n}. */
  private static void reload(BalancerProcess lb, int n, SlapdServer... servers) throws Exception {
    List<String> urls = java.util.Arrays.stream(servers).map(SlapdServer::url).toList();
    Files.writeString(lb.configFile(), BalancerProcess.configFor(TIMEOUT_SECONDS, urls));
    lb.signal("HUP");
    await("reload " + n).atMost(DEADLINE).until(() -> occurrences(lb.log(), "reloaded ") == n);
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      count++;
    }
    return count;
  }

  /** Whether one of a bounded number of searches for {@code cn} finds it. */
  private static boolean answeredBy(LDAPConnection client, String cn) throws LDAPException {
    for (int i = 0; i < TRIES; i++) {
      SearchResult r =
          client.search(DirectoryData.SUFFIX, SearchScope.SUB, "(cn=" + cn + ")", "1.1");
      if (r.getEntryCount() == 1) {
        return true;
      }
    }
    return false;
  }

  /**
   * A search of every user that the balancer sent to {@code paused}: round robin sends them to
   * each server in turn, and those that go to the other one finish at once.
   */
  private static CompletableFuture<SearchResult> searchStuckAt(
      SlapdServer paused, LDAPConnection client) throws Exception {
    for (int i = 0; i < TRIES; i++) {
      CompletableFuture<SearchResult> search = Background.supply(() -> searchAll(client));
      await("the search finished or waiting at the paused server").atMost(DEADLINE)
          .until(() -> search.isDone() || SocketQueues.unreadBytes(paused.port()) > 0);
      if (!search.isDone()) {
        return search;
      }
      assertThat(search.get().getEntryCount()).isEqualTo(USERS);
    }
    throw new AssertionError("no search went to " + paused.url() + " in " + TRIES + " tries");
  }

  private static SearchResult searchAll(LDAPConnection client) {
    try {
      return client.search(DirectoryData.PEOPLE_DN, SearchScope.ONE, "(uid=*)", "uid");
    } catch (LDAPException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertBoundAsUser(LDAPConnection client) throws LDAPException {
    WhoAmIExtendedResult who =
        (WhoAmIExtendedResult) client.processExtendedOperation(new WhoAmIExtendedRequest());
    assertThat(who.getAuthorizationID().toLowerCase(Locale.ROOT))
        .isEqualTo(("dn:" + userDn(1)).toLowerCase(Locale.ROOT));
  }
}
