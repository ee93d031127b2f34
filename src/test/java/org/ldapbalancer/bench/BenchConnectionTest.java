package org.ldapbalancer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.Responses;

/** One connection driven through an {@link EmbeddedChannel} that plays the server. */
class BenchConnectionTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  private final RunControl control = new RunControl(0);
  private BenchStats stats;

  private BenchConnection connection(BenchSettings s) {
    stats = new BenchStats(Bench.kinds(s));
    return new BenchConnection(new BenchRequests(s), s.mix(), s.inFlight(), control, stats,
        Pacer.unpaced());
  }

  /** The requests written since the last call: message ID to protocolOp tag. */
  private static Map<Integer, Integer> written(EmbeddedChannel ch) throws Exception {
    Map<Integer, Integer> out = new HashMap<>();
    LdapMessage view = new LdapMessage();
    for (ByteBuf buf = ch.readOutbound(); buf != null; buf = ch.readOutbound()) {
      try {
        view.parse(buf);
        out.put(view.messageId(), view.opTag());
      } finally {
        buf.release();
      }
    }
    return out;
  }

  @Test
  void aBindIsAloneOnTheConnectionWhileOthersOverlap() throws Exception {
    BenchSettings s = BenchSettings.builder().mode("mixed").mix("2:1:1").inFlight(4)
        .dnTemplate("uid=user.{0-9},dc=example,dc=com").build();
    BenchConnection c = connection(s);
    EmbeddedChannel ch = new EmbeddedChannel(c);
    assertThat(c.ready()).isCompleted();
    control.startMeasuring(System.nanoTime());
    c.start();
    ch.runPendingTasks();
    Map<Integer, Integer> outstanding = new HashMap<>();
    SplittableRandom random = new SplittableRandom(3);
    int maxOverlap = 0;
    for (int answered = 0; answered < 3000; answered++) {
      for (Map.Entry<Integer, Integer> e : written(ch).entrySet()) {
        boolean bindOutstanding = outstanding.containsValue(ProtocolOp.BIND_REQUEST);
        assertThat(bindOutstanding).as("a request went out during a bind").isFalse();
        if (e.getValue() == ProtocolOp.BIND_REQUEST) {
          assertThat(outstanding).as("a bind went out beside other requests").isEmpty();
        }
        assertThat(outstanding.put(e.getKey(), e.getValue())).as("message ID reused").isNull();
      }
      assertThat(outstanding.size()).isBetween(1, 4);
      maxOverlap = Math.max(maxOverlap, outstanding.size());
      List<Integer> ids = new ArrayList<>(outstanding.keySet());
      int id = ids.get(random.nextInt(ids.size()));
      int tag = outstanding.remove(id);
      if (tag == ProtocolOp.SEARCH_REQUEST) { // an entry first: it must not end the operation
        ch.writeInbound(Responses.result(ALLOC, id, ProtocolOp.SEARCH_RESULT_ENTRY, 0, ""));
      }
      ch.writeInbound(Responses.result(ALLOC, id, ProtocolOp.responseTagFor(tag), 0, ""));
    }
    assertThat(maxOverlap).isEqualTo(4);
    stats.takeInterval(); // as the clock does each second: fold the interval into the totals
    long total = stats.total().getTotalCount();
    assertThat(total).isEqualTo(3000);
    assertThat(control.completedMeasured()).isEqualTo(3000);
    for (OpKind kind : List.of(OpKind.SEARCH, OpKind.BIND, OpKind.MODIFY)) {
      assertThat(stats.total(kind).getTotalCount()).as(kind.label()).isPositive();
    }
    ch.finishAndReleaseAll();
  }

  @Test
  void errorsAreCountedByResultCodeAndOperationsGoOn() throws Exception {
    BenchSettings s = BenchSettings.builder().mode("search").inFlight(2).build();
    BenchConnection c = connection(s);
    EmbeddedChannel ch = new EmbeddedChannel(c);
    control.startMeasuring(System.nanoTime());
    c.start();
    ch.runPendingTasks();
    for (int i = 0; i < 10; i++) {
      int id = written(ch).keySet().iterator().next();
      ch.writeInbound(Responses.result(ALLOC, id, ProtocolOp.SEARCH_RESULT_DONE, 32, "gone"));
    }
    assertThat(stats.errorsByCode()).containsEntry(32, 10L);
    stats.takeInterval();
    assertThat(stats.total().getTotalCount()).isEqualTo(10);
    assertThat(ch.isActive()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void aRefusedSessionBindFailsReadiness() throws Exception {
    BenchSettings s = BenchSettings.builder().bindDn("cn=admin").bindPassword("bad").build();
    BenchConnection c = connection(s);
    EmbeddedChannel ch = new EmbeddedChannel(c);
    assertThat(written(ch)).containsExactly(Map.entry(1, ProtocolOp.BIND_REQUEST));
    ch.writeInbound(Responses.result(ALLOC, 1, ProtocolOp.BIND_RESPONSE, 49, ""));
    assertThat(c.ready()).failsWithin(java.time.Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOf(BenchException.class)
        .withMessageContaining("invalidCredentials (49)");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void aNoticeOfDisconnectionEndsTheConnectionAsAnError() throws Exception {
    BenchSettings s = BenchSettings.builder().build();
    BenchConnection c = connection(s);
    EmbeddedChannel ch = new EmbeddedChannel(c);
    control.expectConnections(1);
    control.startMeasuring(System.nanoTime());
    c.start();
    ch.runPendingTasks();
    ch.writeInbound(Responses.noticeOfDisconnection(ALLOC, 52, "shutting down"));
    assertThat(stats.connectionErrors()).isEqualTo(1);
    assertThat(stats.firstConnectionError()).contains("notice of disconnection");
    assertThat(control.stopReason()).isEqualTo("connections lost");
    assertThat(ch.isOpen()).isFalse();
  }
}
