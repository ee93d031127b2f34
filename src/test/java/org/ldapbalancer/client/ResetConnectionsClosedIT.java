package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ldapbalancer.testing.BalancerProcess;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;

/**
 * Connections that send their first bytes and reset at once, often before the balancer has
 * accepted them: HAProxy's health checks on a {@code pldap://} listener (a LOCAL header, or one
 * naming an address, then a reset), and plain clients that send a request needing no answer and
 * go. Each is closed on the balancer's side too. At one check every two seconds, a descriptor
 * left open each time would use up the balancer's open-file limit within a day.
 *
 * <p>A separate process, started as an admin starts it (its own JVM and transport, io_uring where
 * the kernel allows it): in the test's own JVM the balancer accepts too fast for the reset to
 * arrive first.
 */
@Timeout(120)
final class ResetConnectionsClosedIT {
  private static final byte[] ABANDON = {0x30, 0x06, 0x02, 0x01, 0x01, 0x50, 0x01, 0x05};

  @TempDir Path dir;

  @Test
  void connectionsResetRightAfterTheirFirstBytesLeaveNoDescriptorOpen() throws Exception {
    try (RecordingDirectory server = RecordingDirectory.start("reset", 2);
        BalancerProcess lb =
            BalancerProcess.builder(dir).servers(server.url()).proxyProtocolListener().start()) {
      // One ordinary client first, so that everything opened lazily is open.
      try (MessageClient warm = MessageClient.connect(lb.port())) {
        warm.send(MessageClient.search(1, "(description=warm)"));
        warm.readThrough(1);
      }
      await("the first client's descriptor closed").atMost(Duration.ofSeconds(10))
          .until(() -> lb.clients() == 0);
      int files = lb.openFiles();

      for (int i = 0; i < 120; i++) {
        switch (i % 4) {
          case 0 -> resetAfter(lb.proxyProtocolPort(), v2Local()); // send-proxy-v2 check
          case 1 -> resetAfter(lb.proxyProtocolPort(), "PROXY TCP4 192.0.2.1 127.0.0.1 4000 389\r\n"
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // send-proxy check
          case 2 -> resetAfter(lb.port(), ABANDON);
          default -> resetAfter(lb.proxyProtocolPort(), new byte[0]); // a bare TCP check
        }
      }

      await("the balancer's open files back to " + files).atMost(Duration.ofSeconds(15))
          .untilAsserted(() -> assertThat(lb.openFiles()).isLessThanOrEqualTo(files));
      try (MessageClient after = MessageClient.connect(lb.port())) {
        after.send(MessageClient.search(1, "(description=after)"));
        after.readThrough(1);
      }
    }
  }

  /** Connects, sends {@code bytes} and closes with a reset (SO_LINGER 0), as fast as it can. */
  private static void resetAfter(int port, byte[] bytes) throws IOException {
    try (Socket socket = new Socket()) {
      socket.setSoLinger(true, 0);
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      if (bytes.length > 0) {
        socket.getOutputStream().write(bytes);
      }
    }
  }

  /** The header of HAProxy's {@code send-proxy-v2} health checks: LOCAL, no addresses. */
  private static byte[] v2Local() {
    byte[] header = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
        0x20, 0x00, 0x00, 0x00};
    return header;
  }
}
