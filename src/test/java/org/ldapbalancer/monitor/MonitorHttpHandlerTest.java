package org.ldapbalancer.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.monitor.Samples.loop;
import static org.ldapbalancer.monitor.Samples.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MonitorHttpHandlerTest {
  private final List<CompletableFuture<MonitorSnapshot>> asked = new ArrayList<>();
  private final EmbeddedChannel channel =
      new EmbeddedChannel(new MonitorChannelInitializer(() -> {
        CompletableFuture<MonitorSnapshot> f = new CompletableFuture<>();
        asked.add(f);
        return f;
      }));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static MonitorSnapshot snapshot(ServerState state, int ready) {
    return MonitorSnapshot.merge(0, 0, List.of(loop(new OperationCounters(),
        server("ldap://a:389", 0, state, 0, state == ServerState.DOWN ? "refused" : null, ready))));
  }

  private void send(String request) {
    channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
    channel.runPendingTasks();
  }

  private String responses() {
    channel.runPendingTasks();
    StringBuilder all = new StringBuilder();
    ByteBuf b;
    while ((b = channel.readOutbound()) != null) {
      all.append(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    return all.toString();
  }

  /** As if the client read its answers (or stopped reading them). */
  private void writable(boolean writable) {
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    channel.runPendingTasks();
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  }

  @Test
  void healthzAnswersWithoutASnapshot() {
    send(get("/healthz"));
    String r = responses();
    assertThat(r).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nok\n");
    assertThat(asked).isEmpty();
    assertThat(channel.isOpen()).isTrue(); // keep-alive
  }

  @Test
  void headHasTheLengthButNoBody() {
    send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    String r = responses();
    assertThat(r).startsWith("HTTP/1.1 200 OK").contains("content-length: 3").endsWith("\r\n\r\n");
  }

  @Test
  void otherMethodsAndPathsAreRefused() {
    send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertThat(responses())
        .startsWith("HTTP/1.1 405 Method Not Allowed")
        .contains("allow: GET, HEAD");
    send(get("/admin"));
    assertThat(responses()).startsWith("HTTP/1.1 404 Not Found");
  }

  /**
   * A client that sends requests and reads no answer: once its answers fill the channel's
   * buffer, further requests are held unanswered and reading stops; more than MAX_PIPELINED
   * held closes it. Answering resumes, in order, when the client reads.
   */
  @Test
  void requestsFromAClientThatDoesNotReadAreHeldThenAnsweredInOrder() {
    writable(false);
    assertThat(channel.config().isAutoRead()).as("reading stops").isFalse();
    send(get("/healthz") + get("/nowhere"));
    assertThat(responses()).isEmpty();

    writable(true);
    assertThat(channel.config().isAutoRead()).isTrue();
    String r = responses();
    assertThat(r).startsWith("HTTP/1.1 200 OK");
    assertThat(r.indexOf("404 Not Found")).isGreaterThan(r.indexOf("200 OK"));
  }

  @Test
  void aClientThatNeverReadsIsClosedOnceTooManyRequestsAreHeld() {
    writable(false);
    send(get("/healthz").repeat(MonitorHttpHandler.MAX_PIPELINED));
    assertThat(channel.isOpen()).isTrue();
    send(get("/healthz"));
    assertThat(channel.isOpen()).isFalse();
    assertThat(responses()).isEmpty();
  }

  @Test
  void aRequestThatTakesTooLongToArriveClosesTheConnection() {
    send(get("/healthz"));
    assertThat(responses()).startsWith("HTTP/1.1 200 OK");
    channel.advanceTimeBy(RequestDeadline.REQUEST_SECONDS + 1, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).as("no request under way: only the idle limit applies").isTrue();

    send("GET /heal");
    channel.advanceTimeBy(RequestDeadline.REQUEST_SECONDS - 1, TimeUnit.SECONDS);
    send("t");
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).isTrue();
    channel.advanceTimeBy(2, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isOpen()).as("a byte at a time is not a request").isFalse();
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAsTheyCome() {
    MonitorChannelInitializer shared =
        new MonitorChannelInitializer(() -> new CompletableFuture<>());
    List<EmbeddedChannel> open = new ArrayList<>();
    try {
      for (int i = 0; i < MonitorChannelInitializer.MAX_CONNECTIONS; i++) {
        open.add(new EmbeddedChannel(shared));
      }
      assertThat(open).allMatch(EmbeddedChannel::isOpen);
      EmbeddedChannel oneTooMany = new EmbeddedChannel(shared);
      assertThat(oneTooMany.isOpen()).isFalse();

      open.get(0).close();
      EmbeddedChannel afterOneLeft = new EmbeddedChannel(shared);
      assertThat(afterOneLeft.isOpen()).isTrue();
      open.add(afterOneLeft);
    } finally {
      open.forEach(EmbeddedChannel::finishAndReleaseAll);
    }
  }

  @Test
  void anOversizedRequestIsRefusedUnread() {
    // Netty's aggregator answers from the header alone, and drops the body as it comes.
    send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
    assertThat(responses()).startsWith("HTTP/1.1 413");
    send("x".repeat(100_000));
    send(get("/healthz"));
    assertThat(responses()).startsWith("HTTP/1.1 200 OK").endsWith("ok\n");
  }

  @Test
  void aRequestLineTooLongIsRefused() {
    send(get("/" + "a".repeat(MonitorChannelInitializer.MAX_INITIAL_LINE + 1)));
    assertThat(responses()).startsWith("HTTP/1.1 400");
  }

  @Test
  void readyzIs503WithTheReasonWhileNoServerIsUp() {
    send(get("/readyz"));
    assertThat(asked).hasSize(1);
    assertThat(responses()).isEmpty(); // waits for the snapshot
    asked.get(0).complete(snapshot(ServerState.DOWN, 0));
    String r = responses();
    assertThat(r).startsWith("HTTP/1.1 503 Service Unavailable");
    assertThat(r).contains("ldap://a:389: down (refused)");

    send(get("/readyz"));
    asked.get(1).complete(snapshot(ServerState.UP, 1));
    assertThat(responses()).startsWith("HTTP/1.1 200 OK").endsWith("ready: 1 of 1 servers up\n");
  }

  @Test
  void aSnapshotThatFailsIs503() {
    send(get("/metrics"));
    asked.get(0).completeExceptionally(new java.util.concurrent.TimeoutException());
    assertThat(responses()).startsWith("HTTP/1.1 503").contains("did not answer in time");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() {
    send(get("/metrics") + get("/healthz") + get("/status.json"));
    assertThat(asked).hasSize(1);
    assertThat(responses()).isEmpty(); // /healthz waits behind /metrics
    asked.get(0).complete(snapshot(ServerState.UP, 1));
    channel.runPendingTasks();
    assertThat(asked).hasSize(2);
    asked.get(1).complete(snapshot(ServerState.UP, 1));
    String r = responses();
    int metrics = r.indexOf("# TYPE ldapbalancer_server_up gauge");
    int healthz = r.indexOf("\r\n\r\nok\n");
    int json = r.indexOf("{\"version\"");
    assertThat(metrics).isPositive();
    assertThat(healthz).isGreaterThan(metrics);
    assertThat(json).isGreaterThan(healthz);
  }

  @Test
  void theStatusPageIsSelfContained() {
    send(get("/"));
    String r = responses();
    assertThat(r).startsWith("HTTP/1.1 200 OK").contains("text/html; charset=utf-8");
    assertThat(r).contains("content-security-policy: default-src 'none'; script-src 'sha256-");
    assertThat(r).doesNotContain("script-src 'unsafe-inline'");
    assertThat(r).contains("fetch(\"status.json\"").contains("name=\"viewport\"");
    assertThat(r).doesNotContain("src=\"http", "href=\"http", "innerHTML");
  }
}
