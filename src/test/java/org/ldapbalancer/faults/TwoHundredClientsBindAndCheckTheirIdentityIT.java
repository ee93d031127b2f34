package org.ldapbalancer.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedRequest;
import com.unboundid.ldap.sdk.extensions.WhoAmIExtendedResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * 200 clients bind at the same moment, each as its own user, and ask the servers who they are
 * (RFC 4532 Who Am I?, forwarded with the client's proxied identity): every one is told its own
 * DN, never another client's. The binds far outnumber the bind connections (two servers, one bind
 * connection per server and event loop), so most of them wait in the queue.
 *
 * <p>{@code BindsQueueForBusyBindConnectionsIT} proves the queue with 40 clients on in-memory
 * servers; this is the crowd against real slapd, as {@code bench/faults binds-200} runs it too.
 */
final class TwoHundredClientsBindAndCheckTheirIdentityIT {
  private static final int CLIENTS = 200;
  private static final int ROUNDS = 2;
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @Test
  void everyClientIsToldItsOwnIdentity() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, CLIENTS);
        RunningBalancer lb = slapds.balancer(Duration.ZERO).start()) {
      lb.awaitReady(slapds.urls());
      for (int round = 0; round < ROUNDS; round++) {
        CyclicBarrier together = new CyclicBarrier(CLIENTS);
        List<CompletableFuture<String>> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          int user = i;
          clients.add(Background.supply(() -> bindAndAsk(lb.port(), user, together)));
        }
        for (int i = 0; i < CLIENTS; i++) {
          String told = clients.get(i).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
          assertThat(told).as("round %d, client %d", round, i)
              .isEqualToIgnoringCase("dn:" + DirectoryData.userDn(i));
        }
      }
    }
  }

  /** Binds as user {@code i} once every client is connected; what Who Am I? says, or why not. */
  private static String bindAndAsk(int port, int i, CyclicBarrier together) {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setResponseTimeoutMillis(DEADLINE.toMillis());
    try (LDAPConnection c = new LDAPConnection(options, "127.0.0.1", port)) {
      together.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      c.bind(DirectoryData.userDn(i), DirectoryData.USER_PASSWORD);
      WhoAmIExtendedResult who = (WhoAmIExtendedResult) c.processExtendedOperation(
          new WhoAmIExtendedRequest());
      return who.getResultCode() == ResultCode.SUCCESS
          ? who.getAuthorizationID() : "failed: " + who;
    } catch (Exception e) {
      return "failed: " + e;
    }
  }
}
