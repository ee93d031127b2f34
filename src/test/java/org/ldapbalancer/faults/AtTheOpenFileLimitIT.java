package org.ldapbalancer.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.DirectoryData;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * The balancer at its open-file limit ({@code ulimit -n}), filled with clients: it stops
 * accepting (a new client waits in the kernel's backlog, unanswered), keeps serving the clients
 * it has, and accepts again, the waiting client first, as soon as descriptors free up.
 *
 * <p>{@code bench/faults fd-limit} runs the same under load.
 */
final class AtTheOpenFileLimitIT {
  private static final int USERS = 20;
  private static final int LIMIT = 128;
  private static final byte[] SEARCH = new LDAPMessage(1, new SearchRequestProtocolOp(
      DirectoryData.userDn(1), SearchScope.BASE, DereferencePolicy.NEVER, 0, 0, false,
      Filter.createPresenceFilter("objectClass"), List.of("1.1"))).encode().encode();

  @TempDir Path dir;
  private final List<Socket> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(AtTheOpenFileLimitIT::closeQuietly);
  }

  @Test
  void acceptingStopsTheOthersAreServedAndAcceptingResumes() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, USERS);
        BalancerProcess lb = BalancerProcess.builder(dir).servers(slapds.urls())
            .openFileLimit(LIMIT).start();
        LDAPConnection existing = new LDAPConnection("127.0.0.1", lb.port())) {
      existing.bind(DirectoryData.userDn(1), DirectoryData.USER_PASSWORD);
      Socket waiting = fillToTheLimit(lb);
      // Accepting stopped short of the limit: a reserve is kept for connections to the servers.
      assertThat(lb.openFiles()).as("descriptors in use when accepting stopped")
          .isGreaterThan(LIMIT / 2).isLessThan(LIMIT - 16);

      for (int i = 0; i < 20; i++) {
        assertThat(existing.search(DirectoryData.userDn(i), SearchScope.BASE, "(objectClass=*)")
            .getEntryCount()).as("a search of the client that was there first").isEqualTo(1);
      }

      clients.remove(waiting);
      clients.forEach(AtTheOpenFileLimitIT::closeQuietly);
      clients.clear();
      clients.add(waiting);
      await("the client that waited in the backlog answered").atMost(Duration.ofSeconds(10))
          .until(() -> answered(waiting, 200));
      assertThat(lb.answers()).as("a new client served").isTrue();
      assertThat(lb.isRunning()).isTrue();
    }
  }

  @Test
  void aServerRestartedAtTheLimitGetsItsConnectionsBack() throws Exception {
    try (SlapdGroup slapds = SlapdGroup.start(2, USERS);
        BalancerProcess lb = BalancerProcess.builder(dir).servers(slapds.urls())
            .openFileLimit(LIMIT).start()) {
      fillToTheLimit(lb);
      // More clients waiting in the backlog than the server's loss frees descriptors.
      List<Socket> waiting = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Socket s = new Socket();
        clients.add(s);
        waiting.add(s);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), lb.port()), 5000);
        s.getOutputStream().write(SEARCH);
      }
      slapds.server(0).kill();
      slapds.server(0).restart();
      // The descriptors its connections freed were not handed to waiting clients: the server
      // gets its connections back from the reserve while accepting stays paused.
      await("connections to the restarted server").atMost(Duration.ofSeconds(10))
          .until(() -> BalancerProcess.connectionsTo(slapds.server(0).port()) >= 3);
      // Clients leave: the waiting ones are taken in and answered.
      for (int i = 0; i < 30; i++) {
        closeQuietly(clients.remove(0));
      }
      await("waiting clients accepted once others left").atMost(Duration.ofSeconds(10))
          .until(() -> countAnswered(waiting) >= 3);
    }
  }

  private static int countAnswered(List<Socket> sockets) throws IOException {
    int n = 0;
    for (Socket s : sockets) {
      if (s.isClosed() || s.getInputStream().available() > 0) {
        n++;
      }
    }
    return n;
  }

  /**
   * Opens clients that each send a search, until one is not answered within a second: the
   * balancer has no descriptor left to accept it. Returns that one; the others stay open.
   */
  private Socket fillToTheLimit(BalancerProcess lb) throws IOException {
    for (int i = 0; i < LIMIT + 64; i++) {
      Socket s = new Socket();
      clients.add(s);
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), lb.port()), 5000);
      s.getOutputStream().write(SEARCH);
      if (!answered(s, 1000)) {
        return s;
      }
    }
    throw new AssertionError("every one of " + clients.size() + " clients was served with an"
        + " open-file limit of " + LIMIT + " (" + lb.openFiles() + " open)");
  }

  /** Whether the client has received anything (its search's answer) within the time. */
  private static boolean answered(Socket s, int millis) throws IOException {
    s.setSoTimeout(millis);
    try {
      return s.getInputStream().read() >= 0;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing is all that is wanted
    }
  }
}
