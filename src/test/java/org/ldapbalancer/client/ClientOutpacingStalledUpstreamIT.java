package org.ldapbalancer.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.unboundid.ldap.protocol.LDAPMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ldapbalancer.testing.MessageClient;
import org.ldapbalancer.testing.RecordingDirectory;
import org.ldapbalancer.testing.RunningBalancer;

/**
 * A client that writes far faster than a stalled upstream reads is stopped being read from
 * (backpressure) rather than buffered without bound, and is read again once the upstream
 * drains: every request is answered exactly once in the end.
 */
@Timeout(240)
class ClientOutpacingStalledUpstreamIT {
  private static final int REQUESTS = 3000;

  @Test
  void floodBehindAStalledUpstreamIsAnsweredOnceItDrains() throws Exception {
    String padding = "p".repeat(3000);
    try (RecordingDirectory dir = RecordingDirectory.start("a", 5);
        RunningBalancer lb = RunningBalancer.builder().ioThreads(1).server(dir.url(), 1, 1)
            .start().awaitReady(dir.url());
        MessageClient raw = MessageClient.connect(lb.port());
        MessageClient bystander = MessageClient.connect(lb.port())) {
      dir.holdRequestsMatching(r -> r.filter().equals("(uid=first)"));
      raw.send(MessageClient.search(1, "(uid=first)"));
      await().atMost(Duration.ofSeconds(20)).until(() -> dir.held().size() == 1);

      AtomicInteger sent = new AtomicInteger();
      CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
        try {
          for (int id = 2; id <= REQUESTS + 1; id++) {
            raw.send(MessageClient.search(id, "(|(uid=user." + (id % 5) + ")(description="
                + padding + "))"));
            sent.incrementAndGet();
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      // Wait until the flood is mostly out or has stopped moving (the balancer pushed back).
      int[] last = {-1};
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
        int now = sent.get();
        boolean settled = now == last[0] || now >= REQUESTS * 3 / 4;
        last[0] = now;
        return settled;
      });

      // Meanwhile the event loop serves other clients where it can (locally made answers).
      bystander.send(new LDAPMessage(1, new com.unboundid.ldap.protocol.ExtendedRequestProtocolOp(
          "1.3.6.1.4.1.1466.20037", null)));
      assertThat(bystander.read().getMessageID()).isEqualTo(1);

      dir.release();
      int[] ids = IntStream.rangeClosed(1, REQUESTS + 1).toArray();
      Map<Integer, LDAPMessage> finals = raw.readFinals(ids);
      sender.get(60, TimeUnit.SECONDS);
      assertThat(finals).hasSize(REQUESTS + 1);
      assertThat(finals.values()).allSatisfy(m ->
          assertThat(m.getSearchResultDoneProtocolOp().getResultCode()).isZero());
      assertThat(dir.requests(RecordingDirectory.Request::isSearch)).hasSize(REQUESTS + 1);
    }
  }
}
