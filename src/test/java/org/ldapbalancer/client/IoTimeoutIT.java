package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.LDAPMessage;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.demo.SampleDirectory;
import org.ldapbalancer.testing.LogCapture;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RawLdapClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * {@code iotimeout}: a client that starts a request and does not finish it (slow loris), or that
 * takes none of its waiting responses, is closed after that long; clients that keep up are not.
 */
@Timeout(120)
class IoTimeoutIT {
  private static final Duration IO_TIMEOUT = Duration.ofMillis(700);

  @Test
  void aRequestLeftIncompleteClosesItsConnectionAndOnlyThatOne() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioTimeout(IO_TIMEOUT)
            .server(dir.url(), 1, 1).start().awaitReady(dir.url());
        RawLdapClient loris = RawLdapClient.connect(lb.port());
        RawLdapClient dripping = RawLdapClient.connect(lb.port());
        LDAPConnection good = new LDAPConnection("127.0.0.1", lb.port())) {
      byte[] search = MessageClient.search(1, "(uid=user.1)").encode().encode();
      loris.send(java.util.Arrays.copyOf(search, 3)); // and nothing more
      long start = System.nanoTime();
      List<byte[]> beforeClose = loris.readUntilClosed(Duration.ofSeconds(20));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isGreaterThanOrEqualTo(IO_TIMEOUT.minusMillis(50));
      assertThat(beforeClose).hasSize(1);
      LDAPMessage notice = LDAPMessage.readFrom(
          new com.unboundid.asn1.ASN1StreamReader(
              new java.io.ByteArrayInputStream(beforeClose.get(0))), true);
      assertThat(notice.getExtendedResponseProtocolOp().getDiagnosticMessage())
          .contains("iotimeout");

      // One byte every 200 ms never finishes a request within the limit either: the bytes are
      // sent on a schedule (the attack's pace) while the test waits for the close.
      long dripStart = System.nanoTime();
      ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
      int[] next = {0};
      drip.scheduleAtFixedRate(() -> {
        if (next[0] < search.length) {
          try {
            dripping.send(new byte[] {search[next[0]++]});
          } catch (IOException closedByTheBalancer) {
            next[0] = search.length;
          }
        }
      }, 0, 200, TimeUnit.MILLISECONDS);
      try {
        assertThat(dripping.readUntilClosed(Duration.ofSeconds(10))).hasSizeLessThanOrEqualTo(1);
      } finally {
        drip.shutdownNow();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - dripStart)).isLessThan(Duration.ofSeconds(8));

      // Meanwhile and afterwards the well-behaved client is served.
      assertThat(good.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.2)")
          .getEntryCount()).isEqualTo(1);
      assertThat(dir.requests(r -> r.filter().equals("(uid=user.1)"))).isEmpty();
    }
  }

  @Test
  void aClientThatTakesNoneOfItsResponsesIsClosed() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).ioTimeout(IO_TIMEOUT)
            .server(dir.url(), 1, 1).start().awaitReady(dir.url());
        LDAPConnection good = new LDAPConnection("127.0.0.1", lb.port())) {
      String big = "b".repeat(50_000);
      for (int i = 0; i < 5; i++) {
        good.modify(SampleDirectory.userDn(i),
            new Modification(ModificationType.REPLACE, "description", big));
      }
      try (LogCapture logged = LogCapture.of(ClientConnection.class);
          Socket stalled = new Socket("127.0.0.1", lb.port())) {
        stalled.setReceiveBufferSize(4096);
        LDAPMessage[] flood = new LDAPMessage[100]; // some 25 MB of answers, never read
        for (int i = 0; i < flood.length; i++) {
          flood[i] = MessageClient.search(i + 1, "(objectClass=inetOrgPerson)");
        }
        for (LDAPMessage m : flood) {
          stalled.getOutputStream().write(m.encode().encode());
        }
        stalled.getOutputStream().flush();
        await("the stalled client closed").atMost(Duration.ofSeconds(30))
            .until(() -> logged.contains("took none of its responses"));
        // The balancer has let go of it (reading the socket to its end instead would take
        // minutes: megabytes the kernel already holds, through a 4 KiB window).
        String stalledPeer = "127.0.0.1:" + stalled.getLocalPort();
        await("the balancer no longer lists the stalled client")
            .atMost(Duration.ofSeconds(10))
            .until(() -> lb.balancer().snapshot().toCompletableFuture().get().clients().stream()
                .noneMatch(c -> c.peer().endsWith(stalledPeer)));
        stalled.setSoLinger(true, 0);
      }
      assertThat(good.search(SampleDirectory.PEOPLE_DN, SearchScope.ONE, "(uid=user.3)", "cn")
          .getEntryCount()).isEqualTo(1);
    }
  }

  /**
   * A client that reads slowly but steadily, while the server streams its answers faster than
   * that, is not closed: what the balancer holds for it grows, but the client takes some of it in
   * every period, and that is what counts.
   */
  @Test
  void aClientThatReadsSlowlyButSteadilyIsServedToTheEnd() throws Exception {
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).ioTimeout(IO_TIMEOUT)
            .server(dir.url(), 1, 1).start().awaitReady(dir.url());
        LDAPConnection writer = new LDAPConnection("127.0.0.1", lb.port())) {
      String big = "s".repeat(50_000);
      for (int i = 0; i < 5; i++) {
        writer.modify(SampleDirectory.userDn(i),
            new Modification(ModificationType.REPLACE, "description", big));
      }
      int searches = 40; // some 10 MB of answers
      try (LogCapture logged = LogCapture.of(ClientConnection.class);
          Socket slow = new Socket("127.0.0.1", lb.port())) {
        slow.setReceiveBufferSize(16 * 1024);
        for (int i = 0; i < searches; i++) {
          slow.getOutputStream()
              .write(MessageClient.search(i + 1, "(objectClass=inetOrgPerson)").encode().encode());
        }
        slow.getOutputStream().flush();
        // About 2 MB/s: 16 KiB every 8 ms, paced, far below what the server sends.
        com.unboundid.asn1.ASN1StreamReader reader = new com.unboundid.asn1.ASN1StreamReader(
            new java.io.BufferedInputStream(new java.io.FilterInputStream(slow.getInputStream()) {
              @Override
              public int read(byte[] b, int off, int len) throws java.io.IOException {
                java.util.concurrent.locks.LockSupport.parkNanos(8_000_000);
                return super.read(b, off, Math.min(len, 16 * 1024));
              }
            }, 64 * 1024));
        int done = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (done < searches && System.nanoTime() < deadline) {
          LDAPMessage m = LDAPMessage.readFrom(reader, true);
          assertThat(m).as("closed after %d of %d searches", done, searches).isNotNull();
          if (m.getProtocolOpType() == LDAPMessage.PROTOCOL_OP_TYPE_SEARCH_RESULT_DONE) {
            done++;
          }
        }
        assertThat(done).isEqualTo(searches);
        assertThat(logged.contains("took none of its responses")).isFalse();
      }
    }
  }
}
