package org.ldapbalancer.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ldapbalancer.testing.Messages.entry;
import static org.ldapbalancer.testing.Messages.search;
import static org.ldapbalancer.testing.Messages.searchDone;
import static org.ldapbalancer.upstream.Traffic.forward;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.RecordingClient;
import org.ldapbalancer.upstream.EmbeddedUpstreams.Upstream;

/** The pool grows by one connection while all are loaded, up to max-conns, and shrinks back. */
class PoolSizeTest {
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  private final RecordingClient client = new RecordingClient("client");
  private final EmbeddedUpstreams ups =
      EmbeddedUpstreams.builder().connMaxPending(4).maxConns(2).build();

  @AfterEach
  void releaseBuffers() {
    ups.releaseUnread();
  }

  @Test
  void growsWhenTheConnectionIsAtThreeQuartersOfConnMaxPendingAndShrinksWhenIdle() {
    Upstream first = ups.regular();
    long t = System.nanoTime();
    forward(first.link(), client, 1, search());
    forward(first.link(), client, 2, search());
    ups.pool().expire(t, 0);
    assertThat(ups.connectAttempts()).as("2 of 4 in flight: not loaded").isZero();

    forward(first.link(), client, 3, search());
    ups.pool().expire(t, 0);
    assertThat(ups.connectAttempts()).as("3 of 4: one more connection").isEqualTo(1);
    ups.pool().expire(t, 0);
    assertThat(ups.connectAttempts()).as("one attempt at a time").isEqualTo(1);

    Upstream second = ups.regular(); // the attempt completes
    assertThat(ups.pool().readyConnections()).isEqualTo(2);
    forward(second.link(), client, 4, search());
    forward(second.link(), client, 5, search());
    forward(second.link(), client, 6, search());
    ups.pool().expire(t, 0);
    assertThat(ups.connectAttempts()).as("at max-conns").isEqualTo(1);

    for (int id = 1; id <= 3; id++) {
      first.answer(id, searchDone(ResultCode.SUCCESS));
    }
    for (int id = 1; id <= 3; id++) {
      second.answer(id, searchDone(ResultCode.SUCCESS));
    }
    ups.pool().expire(t + MINUTE / 2, 0);
    ups.pool().expire(t + MINUTE, 0);
    assertThat(ups.pool().readyConnections()).as("idle for 30 s only").isEqualTo(2);
    ups.pool().expire(t + MINUTE + MINUTE / 2 + 1, 0);
    assertThat(ups.pool().readyConnections()).as("back to numconns").isEqualTo(1);
    assertThat(first.isOpen() && second.isOpen()).as("one closed").isFalse();
    assertThat(ups.connectAttempts()).as("not replaced").isEqualTo(1);
    ups.pool().expire(t + 3 * MINUTE, 0);
    assertThat(ups.pool().readyConnections()).as("never below numconns").isEqualTo(1);
  }

  /**
   * A search that streams its entries holds no slot, but the connection carrying it is not idle:
   * shrinking the pool closes the other one (closing it cut the search with {@code other}).
   */
  @Test
  void aConnectionStreamingASearchIsNotTheOneClosedWhenThePoolShrinks() {
    Upstream first = ups.regular();
    long t = System.nanoTime();
    forward(first.link(), client, 1, search());
    forward(first.link(), client, 2, search());
    var streaming = forward(first.link(), client, 3, search());
    ups.pool().expire(t, 0);
    Upstream second = ups.regular();
    first.answer(1, searchDone(ResultCode.SUCCESS));
    first.answer(2, searchDone(ResultCode.SUCCESS));
    first.answer(3, entry("cn=a"));
    assertThat(first.pendingOps()).as("streaming: no slot held").isZero();

    ups.pool().expire(t + 1, 0);
    ups.pool().expire(t + 2 * MINUTE, 0);

    assertThat(ups.pool().readyConnections()).as("back to numconns").isEqualTo(1);
    assertThat(second.isOpen()).as("the idle one closed").isFalse();
    assertThat(first.isOpen()).isTrue();
    first.answer(3, entry("cn=b"));
    first.answer(3, searchDone(ResultCode.SUCCESS));
    assertThat(client.answersTo(streaming)).extracting(RecordingClient.Answer::isFinal)
        .containsExactly(false, false, true);
    assertThat(client.finalAnswerTo(streaming).resultCode()).isEqualTo(ResultCode.SUCCESS);
  }

  /**
   * A reload removed the server: its pool retires, and each connection closes once nothing
   * runs on it — a search streaming its entries runs to its end first.
   */
  @Test
  void aRetiringPoolLetsAStreamingSearchFinishBeforeClosingItsConnection() {
    Upstream first = ups.regular();
    var streaming = forward(first.link(), client, 1, search());
    first.answer(1, entry("cn=a"));

    ups.pool().retire();
    assertThat(ups.pool().closeIdleConnections()).isEqualTo(1);
    assertThat(first.isOpen()).isTrue();

    first.answer(1, searchDone(ResultCode.SUCCESS));
    assertThat(client.finalAnswerTo(streaming).resultCode()).isEqualTo(ResultCode.SUCCESS);
    ups.pool().closeIdleConnections();
    assertThat(first.isOpen()).as("closed once the search ended").isFalse();
  }

  @Test
  void aBackloggedConnectionIsLoadedToo() {
    Upstream first = ups.regular();
    RegularConnectionTest.setWritable(first, false);
    ups.pool().expire(System.nanoTime(), 0);
    assertThat(ups.connectAttempts()).isEqualTo(1);
  }

  @Test
  void theLoopsShareOfMaxConnsFollowsItsShareOfNumconns() {
    assertThat(PoolSize.loopShare(1, 2, 8)).isEqualTo(4); // 2 loops, numconns 2, max-conns 8
    assertThat(PoolSize.loopShare(2, 3, 5)).isEqualTo(4); // ceil(5 * 2 / 3)
    assertThat(PoolSize.loopShare(1, 1, 1)).isEqualTo(1);
    assertThat(PoolSize.loopShare(1, 4, 2)).isEqualTo(1); // never below its share of numconns
  }
}
