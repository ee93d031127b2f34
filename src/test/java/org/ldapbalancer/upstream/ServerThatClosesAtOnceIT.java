package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.LDAPMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * A server that accepts connections and closes them at once (HAProxy with its backend down, a
 * server at its descriptor limit). Its connections count as ready the moment TCP connects where
 * there is no bind to make (bind connections, always), so replacing each "working connection
 * lost" at once made the balancer open thousands a second, with a log line each, and hand it
 * binds that failed other (80). Each is now a failed attempt, retried after {@code retry}.
 */
@Timeout(60)
class ServerThatClosesAtOnceIT {
  @Test
  void isRetriedAtTheRetryIntervalNotInALoop() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    try (ServerSocket closing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        LogCapture pool = LogCapture.of(ServerPool.class);
        LogCapture connections = LogCapture.of(UpstreamConnection.class);
        RecordingDirectory steady = RecordingDirectory.start("steady", 3)) {
      Thread acceptor = new Thread(() -> {
        while (!closing.isClosed()) {
          try (Socket s = closing.accept()) {
            accepted.incrementAndGet();
          } catch (IOException e) {
            return; // closed: the test is over
          }
        }
      }, "accept-and-close");
      acceptor.setDaemon(true);
      acceptor.start();
      String closingUrl = "ldap://127.0.0.1:" + closing.getLocalPort();
      try (RunningBalancer lb = RunningBalancer.builder().ioThreads(1)
          .server(steady.url(), 1, 1).server(closingUrl, 1, 1).start()
          .awaitReady(steady.url())) {
        await("the closing server tried").atMost(Duration.ofSeconds(10))
            .until(() -> accepted.get() >= 2);
        int before = accepted.get();
        long start = System.nanoTime();
        // Binds meanwhile go to the server that works (200 ms retry here).
        for (int i = 0; i < 20; i++) {
          try (MessageClient c = MessageClient.connect(lb.port())) {
            c.send(new LDAPMessage(1, new BindRequestProtocolOp(SampleDirectory.userDn(1),
                SampleDirectory.USER_PASSWORD)));
            assertThat(Pdus.resultCode(c.read())).as("bind %d", i).isZero();
          }
        }
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
        double seconds = (System.nanoTime() - start) / 1e9;
        int made = accepted.get() - before;
        // Two connections (one regular, one bind) every 200 ms at most: about 10 a second.
        assertThat(made / seconds).as("connections per second to the closing server")
            .isLessThan(40);
        assertThat(pool.count("closed by the server before it answered anything"))
            .as(String.join("\n", pool.lines())).isEqualTo(1L);
        assertThat(connections.count("connection lost")).isZero();
        assertThat(made).as("still retried").isPositive();
      }
    }
  }
}
