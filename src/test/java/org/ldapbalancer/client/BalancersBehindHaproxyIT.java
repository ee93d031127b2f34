package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.HaproxyProcess;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.SessionTracking;

/**
 * Scale-out as docs/operations.md ("Behind HAProxy") describes it: two balancer processes behind
 * HAProxy in TCP mode with {@code send-proxy-v2}, each on a {@code pldap://} listener with {@code
 * feature session-tracking}. Clients connect to HAProxy from chosen loopback addresses
 * (127.0.0.5 to 127.0.0.8); each balancer has a recording server of its own, so the server that
 * saw a client's search tells which balancer served it, and the Session Tracking control on that
 * search tells which address that balancer believed the client had: it must be the client's own,
 * not HAProxy's.
 */
final class BalancersBehindHaproxyIT {
  private static final List<String> CLIENT_ADDRESSES =
      List.of("127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8");

  @TempDir Path dir;

  @Test
  void eachBalancerKnowsTheRealAddressOfEveryClientItServed() throws Exception {
    clientsThroughHaproxy("send-proxy-v2");
  }

  /** The text header (version 1) of {@code send-proxy} works the same way. */
  @Test
  void theVersion1HeaderToo() throws Exception {
    clientsThroughHaproxy("send-proxy");
  }

  private void clientsThroughHaproxy(String sendProxy) throws Exception {
    try (RecordingDirectory behindFirst = RecordingDirectory.start("first", 5);
        RecordingDirectory behindSecond = RecordingDirectory.start("second", 5);
        BalancerProcess first = balancer("lb1-" + sendProxy, behindFirst);
        BalancerProcess second = balancer("lb2-" + sendProxy, behindSecond);
        HaproxyProcess haproxy =
            HaproxyProcess.start(
                Files.createDirectories(dir.resolve(sendProxy)),
                List.of(first.proxyProtocolPort(), second.proxyProtocolPort()),
                sendProxy)) {
      for (String address : CLIENT_ADDRESSES) {
        try (LDAPConnection c = connectFrom(address, haproxy.port())) {
          SearchResult result =
              c.search(SampleDirectory.BASE_DN, SearchScope.SUB, marker(address), "1.1");
          assertThat(result.getEntryCount()).isZero();
        }
      }

      List<RecordingDirectory.Request> seen = new ArrayList<>();
      for (RecordingDirectory server : List.of(behindFirst, behindSecond)) {
        List<RecordingDirectory.Request> marked =
            server.requests(r -> r.filter().startsWith("(description=from-"));
        assertThat(marked)
            .as("round robin gives each balancer clients; haproxy log:%n%s", haproxy.log())
            .isNotEmpty();
        seen.addAll(marked);
      }
      assertThat(seen).hasSize(CLIENT_ADDRESSES.size());
      for (RecordingDirectory.Request request : seen) {
        SessionTracking tracking = SessionTracking.in(request.controls());
        assertThat(tracking).as("session tracking on %s", request).isNotNull();
        assertThat(request.filter())
            .as("the address the balancer saw for this client")
            .isEqualTo(marker(tracking.sourceIp()));
        assertThat(tracking.identifier()).isEqualTo("dn:");
      }
    }
  }

  private BalancerProcess balancer(String name, RecordingDirectory server) throws IOException {
    Path own = Files.createDirectories(dir.resolve(name));
    return BalancerProcess.builder(own)
        .servers(server.url())
        .proxyProtocolListener()
        .configLine("feature session-tracking")
        .start();
  }

  /** A search filter naming the address the client connects from. */
  private static String marker(String address) {
    return "(description=from-" + address + ")";
  }

  /** An LDAP connection to HAProxy whose socket is bound to {@code address} on this machine. */
  private static LDAPConnection connectFrom(String address, int port) throws Exception {
    InetAddress local = InetAddress.getByName(address);
    SocketFactory boundTo =
        new SocketFactory() {
          @Override
          public Socket createSocket() {
            return new BoundSocket(local);
          }

          @Override
          public Socket createSocket(String host, int p) throws IOException {
            return new Socket(host, p, local, 0);
          }

          @Override
          public Socket createSocket(String host, int p, InetAddress l, int lp)
              throws IOException {
            return new Socket(host, p, local, 0);
          }

          @Override
          public Socket createSocket(InetAddress host, int p) throws IOException {
            return new Socket(host, p, local, 0);
          }

          @Override
          public Socket createSocket(InetAddress host, int p, InetAddress l, int lp)
              throws IOException {
            return new Socket(host, p, local, 0);
          }
        };
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis(10_000);
    options.setResponseTimeoutMillis(20_000);
    LDAPConnection connection = new LDAPConnection(boundTo, options, "127.0.0.1", port);
    assertThat(connection.getConnectedAddress()).isEqualTo("127.0.0.1");
    return connection;
  }

  /** A socket bound to a chosen local address before it connects. */
  private static final class BoundSocket extends Socket {
    BoundSocket(InetAddress local) {
      try {
        bind(new InetSocketAddress(local, 0));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot bind to " + local, e);
      }
    }
  }
}
