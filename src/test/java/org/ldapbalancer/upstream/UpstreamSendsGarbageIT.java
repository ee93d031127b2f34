package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.asn1.ASN1StreamReader;
import com.unboundid.ldap.protocol.BindResponseProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.protocol.SearchResultDoneProtocolOp;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * An upstream that answers a request with bytes that are not LDAP loses its connection; the
 * operations on it get {@code other (80)}, the balancer connects again, and clients keep being
 * served.
 */
@Timeout(60)
class UpstreamSendsGarbageIT {

  /** Accepts connections, answers binds with success and anything else with {@code answer}. */
  private static final class GarbageServer implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger connections = new AtomicInteger();
    final Function<LDAPMessage, byte[]> answer;

    GarbageServer() throws IOException {
      this(m -> new byte[] {0x04, 0x05, 'h', 'e', 'l', 'l', 'o', 0x30});
    }

    GarbageServer(Function<LDAPMessage, byte[]> answer) throws IOException {
      this.answer = answer;
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::accept, "garbage-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          connections.incrementAndGet();
          Background.supply(() -> serve(s));
        } catch (IOException e) {
          return;
        }
      }
    }

    private Void serve(Socket s) {
      try (s;
          InputStream in = s.getInputStream();
          OutputStream out = s.getOutputStream()) {
        ASN1StreamReader reader = new ASN1StreamReader(in);
        while (true) {
          LDAPMessage m = LDAPMessage.readFrom(reader, true);
          if (m == null) {
            return null;
          }
          if (m.getProtocolOpType() == LDAPMessage.PROTOCOL_OP_TYPE_BIND_REQUEST) {
            out.write(new LDAPMessage(m.getMessageID(),
                new BindResponseProtocolOp(0, null, null, null, null)).encode().encode());
          } else {
            out.write(answer.apply(m));
          }
          out.flush();
        }
      } catch (IOException | LDAPException e) {
        return null; // the balancer hung up on us, as it should
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void garbageFromAnUpstreamFailsItsOperationsWithOtherAndOnlyCostsThatConnection()
      throws Exception {
    try (GarbageServer garbage = new GarbageServer();
        var good = new AutoCloseableDirectory(SampleDirectory.start("good", 5, 0));
        RunningBalancer lb =
            RunningBalancer.builder()
                .ioThreads(1)
                .server("ldap://127.0.0.1:" + garbage.port(), 1, 1)
                .server(good.url(), 1, 1)
                .start()
                .awaitReady("ldap://127.0.0.1:" + garbage.port(), good.url());
        LDAPConnection client = new LDAPConnection("127.0.0.1", lb.port())) {
      int before = garbage.connections.get();
      int severed = 0;
      int succeeded = 0;
      for (int i = 0; i < 6; i++) {
        try {
          client.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.1)");
          succeeded++;
        } catch (LDAPException e) {
          assertThat(e.getResultCode()).as(e.toString()).isEqualTo(ResultCode.OTHER);
          assertThat(e.getDiagnosticMessage())
              .isEqualTo("connection to the remote server has been severed");
          severed++;
        }
      }
      assertThat(severed).as("answers from the garbage server").isPositive();
      assertThat(succeeded).as("answers from the good server").isPositive();
      // The client's own connection survived all of it, and the balancer reconnected.
      assertThat(client.isConnected()).isTrue();
      await().atMost(Duration.ofSeconds(20)).until(() -> garbage.connections.get() > before);
    }
  }

  /**
   * A response under a negative message ID is never an answer to anything the balancer sent (its
   * IDs are 1 .. 2^31-1): a protocol error of that server, which costs that connection only.
   */
  @Test
  void aNegativeMessageIdFromAnUpstreamClosesThatConnectionCleanly() throws Exception {
    try (LogCapture logged = LogCapture.of(UpstreamConnection.class);
        GarbageServer negative =
            new GarbageServer(
                m -> new LDAPMessage(-1, new SearchResultDoneProtocolOp(0, null, null, null))
                    .encode()
                    .encode());
        RunningBalancer lb =
            RunningBalancer.builder()
                .ioThreads(1)
                .server("ldap://127.0.0.1:" + negative.port(), 1, 1)
                .start()
                .awaitReady("ldap://127.0.0.1:" + negative.port());
        LDAPConnection client = new LDAPConnection("127.0.0.1", lb.port())) {
      int before = negative.connections.get();
      LDAPException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              LDAPException.class,
              () -> client.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.1)"));
      assertThat(e.getResultCode()).isEqualTo(ResultCode.OTHER);
      assertThat(client.isConnected()).isTrue();
      await().atMost(Duration.ofSeconds(20)).until(() -> negative.connections.get() > before);
      assertThat(logged.contains("invalid message ID -1")).isTrue();
      assertThat(logged.contains("Exception")).isFalse();
    }
  }

  private record AutoCloseableDirectory(
      com.unboundid.ldap.listener.InMemoryDirectoryServer server) implements AutoCloseable {
    String url() {
      return "ldap://127.0.0.1:" + server.getListenPort();
    }

    @Override
    public void close() {
      server.shutDown(true);
    }
  }
}
