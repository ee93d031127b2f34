package org.ldapbalancer.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.ldapbalancer.bench.BenchResult;
import org.ldapbalancer.testing.Background;
import org.ldapbalancer.testing.BenchLoad;
import org.ldapbalancer.testing.PduMutator;
import org.ldapbalancer.testing.RunningBalancer;
import org.ldapbalancer.testing.SlapdGroup;

/**
 * Thousands of mutated requests, each alone on a connection of its own, while another client
 * keeps searching. Each mutated connection ends (the client stops sending, and the balancer
 * closes its side, with or without a Notice of Disconnection); the balancer keeps serving; the
 * other client's requests are each answered once.
 *
 * <p>What the other client must not see at all is an error; that waits for requests to be
 * checked before they reach a shared upstream connection (see {@link #theOtherClientSeesNoError}).
 * {@code bench/faults mutated} sends 10^5 of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class MutatedRequestsBesideAnotherClientIT {
  private static final int USERS = 100;
  private static final int MUTANTS = 2000;
  private static final int SENDERS = 16;
  private static final int CLOSE_DEADLINE_MILLIS = 5000;
  private static final long UNDER_WAY_BYTES = 8 * 1024;

  private SlapdGroup slapds;
  private RunningBalancer lb;
  private BenchLoad load;
  private BenchResult result;
  private final AtomicInteger leftOpen = new AtomicInteger();
  private final AtomicInteger notConnected = new AtomicInteger();

  @BeforeAll
  void sendMutantsBesideTheLoad() throws Exception {
    slapds = SlapdGroup.start(2, USERS);
    lb = slapds.balancer(Duration.ofSeconds(5)).start();
    lb.awaitReady(slapds.urls());
    long read = slapds.server(0).bytesRead();
    load = BenchLoad.start(BenchLoad.searches(lb.url(), USERS).durationSeconds(8));
    await("load reaching a server").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> slapds.server(0).bytesRead() > read + UNDER_WAY_BYTES);
    List<CompletableFuture<Void>> senders = new ArrayList<>();
    for (int s = 0; s < SENDERS; s++) {
      PduMutator mutator = new PduMutator(s);
      senders.add(Background.supply(() -> {
        for (int i = 0; i < MUTANTS / SENDERS; i++) {
          sendAlone(mutator.next());
        }
        return null;
      }));
    }
    CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();
    result = load.result();
  }

  /**
   * Connects, sends one PDU, stops sending, and reads until the balancer closes its side; a
   * connection still open after that is counted.
   */
  private void sendAlone(byte[] pdu) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), lb.port()), 5000);
      s.setSoTimeout(CLOSE_DEADLINE_MILLIS);
      s.getOutputStream().write(pdu);
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      byte[] sink = new byte[8192];
      while (in.read(sink) >= 0) {
        // answers, a notice, or nothing: only the end matters here
      }
    } catch (SocketTimeoutException e) {
      leftOpen.incrementAndGet();
    } catch (SocketException closedWithAReset) {
      // the balancer closed with unread input: ended all the same
    } catch (IOException e) {
      notConnected.incrementAndGet();
    }
  }

  @AfterAll
  void stop() {
    if (lb != null) {
      lb.close();
    }
    if (slapds != null) {
      slapds.close();
    }
  }

  @Test
  void everyMutatedConnectionEndsAndTheBalancerServesOn() {
    assertThat(notConnected).as("connections refused").hasValue(0);
    assertThat(leftOpen).as("connections the balancer left open after the client's end")
        .hasValue(0);
    await("upstream connections to both servers").atMost(Duration.ofSeconds(10))
        .until(() -> lb.balancer().readyConnections().size() == 2
            && lb.balancer().readyConnections().values().stream().allMatch(n -> n > 0));
  }

  @Test
  void everyRequestOfTheOtherClientIsAnsweredOnce() {
    BenchResult.Answers a = result.answers();
    String context = a + "\n" + load.progress();
    assertThat(a.unanswered()).as(context).isZero();
    assertThat(a.unexpected()).as(context).isZero();
    assertThat(a.lostWithConnection()).as(context).isZero();
  }

  @Test
  void theOtherClientSeesNoError() throws Exception {
    LedgerAssert.everyRequestAnsweredOnce(load, result, 0);
  }
}
