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
  private final AnswerLedger ledger = new AnswerLedger();
  private BenchStats stats;

  private BenchConnection connection(BenchSettings s) {
    stats = new BenchStats(Bench.kinds(s));
    return new BenchConnection(new BenchRequests(s), s.mix(), s.inFlight(), control, stats,
        Pacer.unpaced(), ledger);
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
    ledger.close();
    BenchResult.Answers a = ledger.snapshot(0, 0);
    assertThat(a.noticesOfDisconnection()).isEqualTo(1);
    assertThat(a.lostWithConnection()).isEqualTo(1); // the search it had outstanding
    assertThat(a.unanswered()).isZero();
  }

  @Test
  void theLedgerCountsAnsweredLostUnexpectedAndUnanswered() throws Exception {
    BenchSettings s = BenchSettings.builder().mode("search").inFlight(4).build();
    BenchConnection c = connection(s);
    EmbeddedChannel ch = new EmbeddedChannel(c);
    control.expectConnections(1);
    control.startMeasuring(System.nanoTime());
    c.start();
    ch.runPendingTasks();
    List<Integer> ids = new ArrayList<>(written(ch).keySet());
    assertThat(ids).hasSize(4);
    int first = ids.get(0);
    ch.writeInbound(Responses.result(ALLOC, first, ProtocolOp.SEARCH_RESULT_DONE, 0, ""));
    ch.writeInbound(Responses.result(ALLOC, ids.get(1), ProtocolOp.SEARCH_RESULT_DONE, 80, ""));
    // the same answer again: a second final response for one request
    ch.writeInbound(Responses.result(ALLOC, first, ProtocolOp.SEARCH_RESULT_DONE, 0, ""));
    assertThat(ledger.outstanding()).isEqualTo(4); // two answered, two more sent in their place
    control.finish("duration");
    ch.writeInbound(Responses.result(ALLOC, ids.get(2), ProtocolOp.SEARCH_RESULT_DONE, 0, ""));
    c.close(); // three still outstanding: never answered
    ch.runPendingTasks();
    ledger.close();
    BenchResult.Answers a = ledger.snapshot(5, 0.5);
    assertThat(a.sent()).isEqualTo(6);
    assertThat(a.answered()).isEqualTo(3);
    assertThat(a.byResultCode()).containsExactly(Map.entry(0, 2L), Map.entry(80, 1L));
    assertThat(a.unexpected()).isEqualTo(1);
    assertThat(a.lostWithConnection()).isZero();
    assertThat(a.unanswered()).isEqualTo(3);
    assertThat(a.sent()).isEqualTo(a.answered() + a.lostWithConnection() + a.unanswered());
    assertThat(a.everyRequestAnsweredOnce()).isFalse();
    ch.finishAndReleaseAll();
  }

  @Test
  void requestsOutstandingWhenTheServerClosesAreLostWithTheConnection() throws Exception {
    BenchSettings s = BenchSettings.builder().mode("search").inFlight(3).build();
    BenchConnection c = connection(s);
    EmbeddedChannel ch = new EmbeddedChannel(c);
    control.expectConnections(1);
    control.startMeasuring(System.nanoTime());
    c.start();
    ch.runPendingTasks();
    int id = written(ch).keySet().iterator().next();
    ch.writeInbound(Responses.result(ALLOC, id, ProtocolOp.SEARCH_RESULT_DONE, 0, ""));
    ch.close();
    ledger.close();
    BenchResult.Answers a = ledger.snapshot(0, 0);
    assertThat(a.sent()).isEqualTo(4);
    assertThat(a.answered()).isEqualTo(1);
    assertThat(a.lostWithConnection()).isEqualTo(3);
    assertThat(a.unanswered()).isZero();
    assertThat(a.noticesOfDisconnection()).isZero();
  }
}
