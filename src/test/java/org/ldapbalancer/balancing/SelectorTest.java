package org.ldapbalancer.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectorTest {
  static final class Conn implements Endpoint {
    final String name;
    boolean ready = true;
    boolean writable = true;
    boolean unflushed;
    int pending;

    Conn(String name) {
      this.name = name;
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public boolean isWritable() {
      return writable;
    }

    @Override
    public int pendingOps() {
      return pending;
    }

    @Override
    public boolean hasUnflushedWrites() {
      return unflushed;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final class Server implements ServerEndpoints<Conn> {
    final List<Conn> conns = new ArrayList<>();
    int maxPending;
    int connMax;
    boolean outOfOrder;
    boolean starting;

    Server(String name, int n) {
      for (int i = 0; i < n; i++) {
        conns.add(new Conn(name + i));
      }
    }

    @Override
    public List<Conn> endpoints() {
      return conns;
    }

    @Override
    public int pendingOps() {
      return conns.stream().mapToInt(c -> c.pending).sum();
    }

    @Override
    public int maxPendingOps() {
      return maxPending;
    }

    @Override
    public int connMaxPending() {
      return connMax;
    }

    @Override
    public boolean answersOutOfOrder() {
      return outOfOrder;
    }

    @Override
    public boolean isStarting() {
      return starting;
    }
  }

  private static Selector<Conn> selector(List<List<Server>> tiers) {
    List<Tier<Conn>> list = new ArrayList<>();
    for (List<Server> t : tiers) {
      list.add(Tier.roundRobin(t));
    }
    return new Selector<>(list);
  }

  @Test
  void roundRobinRotatesOverTheServersOfATier() {
    Server a = new Server("a", 1);
    Server b = new Server("b", 1);
    Server c = new Server("c", 1);
    Selector<Conn> s = selector(List.of(List.of(a, b, c)));
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(s.select().name);
    }
    assertThat(picks).containsExactly("a0", "b0", "c0", "a0", "b0", "c0");
  }

  @Test
  void withinAServerTheLeastBusyReadyConnectionIsChosen() {
    Server a = new Server("a", 3);
    a.conns.get(0).pending = 5;
    a.conns.get(1).pending = 2;
    a.conns.get(2).pending = 1;
    a.conns.get(2).ready = false;
    assertThat(selector(List.of(List.of(a))).select().name).isEqualTo("a1");
  }

  @Test
  void aBackloggedConnectionIsPassedOverAndReportedAsWorthWaitingFor() {
    Server a = new Server("a", 2);
    a.conns.get(0).writable = false;
    Selector<Conn> s = selector(List.of(List.of(a)));
    assertThat(s.select().name).isEqualTo("a1");
    a.conns.get(1).writable = false;
    assertThat(s.select()).isNull();
    assertThat(s.refusal()).isEqualTo(Refusal.BACKLOGGED);
  }

  @Test
  void limitsMakeAServerBusyAndTheNextOneIsTried() {
    Server a = new Server("a", 1);
    Server b = new Server("b", 1);
    a.connMax = 1;
    a.conns.get(0).pending = 1;
    Selector<Conn> s = selector(List.of(List.of(a, b)));
    assertThat(s.select().name).isEqualTo("b0");
    assertThat(s.select().name).isEqualTo("b0");
    b.maxPending = 3;
    b.conns.get(0).pending = 3;
    assertThat(s.select()).isNull();
    assertThat(s.refusal()).isEqualTo(Refusal.BUSY);
  }

  @Test
  void nothingReadyAnywhereIsUnavailable() {
    Server a = new Server("a", 2);
    a.conns.forEach(c -> c.ready = false);
    Selector<Conn> s = selector(List.of(List.of(a), List.of()));
    assertThat(s.select()).isNull();
    assertThat(s.refusal()).isEqualTo(Refusal.UNAVAILABLE);
  }

  @Test
  void aLaterTierIsUsedOnlyWhenTheEarlierCannotTakeTheOperation() {
    Server a = new Server("a", 1);
    Server b = new Server("b", 1);
    Selector<Conn> s = selector(List.of(List.of(a), List.of(b)));
    assertThat(s.select().name).isEqualTo("a0");
    assertThat(s.select().name).isEqualTo("a0");
    assertThat(s.choseFromFirstTier()).isTrue();
    a.conns.get(0).ready = false;
    assertThat(s.select().name).isEqualTo("b0");
    assertThat(s.choseFromFirstTier()).isFalse();
    a.conns.get(0).ready = true;
    a.conns.get(0).writable = false;
    // Up but backlogged: the operation waits for its own tier rather than spill into the next.
    assertThat(s.select()).isNull();
    assertThat(s.refusal()).isEqualTo(Refusal.BACKLOGGED);
    a.conns.get(0).writable = true;
    a.connMax = 1;
    a.conns.get(0).pending = 1;
    // Up but busy: busy, as lloadd, not a spill into a (disaster-recovery) later tier.
    assertThat(s.select()).isNull();
    assertThat(s.refusal()).isEqualTo(Refusal.BUSY);
    assertThat(b.conns.get(0).pending).isZero();
  }

  @Test
  void roundRobinAdvancesOnlyPastTheServerThatTookTheOperation() {
    Server a = new Server("a", 1);
    Server b = new Server("b", 1);
    Server c = new Server("c", 1);
    Selector<Conn> s = selector(List.of(List.of(a, b, c)));
    assertThat(s.select().name).isEqualTo("a0");
    b.conns.get(0).ready = false;
    assertThat(s.select().name).isEqualTo("c0"); // b passed over
    b.conns.get(0).ready = true;
    a.conns.get(0).ready = false;
    b.conns.get(0).ready = false;
    c.conns.get(0).ready = false;
    assertThat(s.select()).isNull(); // a refusal does not move the rotation
    a.conns.get(0).ready = true;
    b.conns.get(0).ready = true;
    c.conns.get(0).ready = true;
    assertThat(s.select().name).isEqualTo("a0");
    assertThat(s.select().name).isEqualTo("b0");
  }

  @Test
  void busyOutranksUnavailableAndBacklogOutranksBusy() {
    Server down = new Server("d", 1);
    down.conns.get(0).ready = false;
    Server full = new Server("f", 1);
    full.connMax = 1;
    full.conns.get(0).pending = 1;
    Server slow = new Server("s", 1);
    slow.conns.get(0).writable = false;
    Selector<Conn> s = selector(List.of(List.of(down, full)));
    assertThat(s.select()).isNull();
    assertThat(s.refusal()).isEqualTo(Refusal.BUSY);
    Selector<Conn> t = selector(List.of(List.of(down, slow, full)));
    assertThat(t.select()).isNull();
    assertThat(t.refusal()).isEqualTo(Refusal.BACKLOGGED);
  }

  @Test
  void aConnectionWrittenInThisTurnTakesMoreRequestsUntilItHasABatch() {
    Server a = new Server("a", 3);
    a.conns.get(0).pending = 0;
    a.conns.get(1).pending = 2;
    a.conns.get(2).pending = 5;
    a.conns.get(1).unflushed = true;
    Selector<Conn> s = selector(List.of(List.of(a)));

    assertThat(s.select()).isSameAs(a.conns.get(0)); // an idle connection first

    a.conns.get(0).pending = 3;
    assertThat(s.select()).isSameAs(a.conns.get(1)); // none idle: joins the pending write

    a.conns.get(1).pending = ConnectionChoice.BATCH_PENDING;
    assertThat(s.select()).isSameAs(a.conns.get(0)); // a full batch: the least busy again
    a.conns.get(0).pending = 0;
    a.conns.get(1).pending = 2;

    a.conns.get(1).pending = 2;
    a.conns.get(1).writable = false;
    assertThat(s.select()).isSameAs(a.conns.get(0)); // never one over its high-water mark

    a.conns.get(1).writable = true;
    a.connMax = 2;
    assertThat(s.select()).isSameAs(a.conns.get(0)); // nor one at conn-max-pending
  }

  @Test
  void whereTheServerAnswersOutOfOrderThisTurnsWriteIsJoinedBeforeAnIdleConnection() {
    Server a = new Server("a", 3);
    a.outOfOrder = true;
    a.conns.get(1).pending = 2;
    a.conns.get(1).unflushed = true;
    Selector<Conn> s = selector(List.of(List.of(a)));

    assertThat(s.select()).isSameAs(a.conns.get(1)); // joins the write though a0 is idle

    a.conns.get(1).pending = ConnectionChoice.BATCH_PENDING;
    assertThat(s.select()).isSameAs(a.conns.get(0)); // a full batch: an idle one again

    a.conns.get(1).pending = 2;
    a.conns.get(1).writable = false;
    assertThat(s.select()).isSameAs(a.conns.get(0)); // never one over its high-water mark

    a.conns.get(1).writable = true;
    a.conns.get(1).unflushed = false;
    assertThat(s.select()).isSameAs(a.conns.get(0)); // written in an earlier turn: idle first

    a.conns.get(1).unflushed = true;
    a.connMax = 2;
    assertThat(s.select()).isSameAs(a.conns.get(0)); // nor one at conn-max-pending
  }

  @Test
  void aServerWhoseFirstConnectionsAreOnTheirWayIsWaitedForUnlessAnotherTierIsReady() {
    Server first = new Server("a", 1);
    first.conns.get(0).ready = false;
    first.starting = true;
    Server backup = new Server("b", 1);
    backup.conns.get(0).ready = false;
    Selector<Conn> s = selector(List.of(List.of(first), List.of(backup)));

    assertThat(s.select()).isNull();
    assertThat(s.refusal()).isEqualTo(Refusal.STARTING); // worth waiting for

    backup.conns.get(0).ready = true;
    assertThat(s.select()).isSameAs(backup.conns.get(0)); // the next tier serves meanwhile

    backup.conns.get(0).ready = false;
    first.starting = false; // its first attempt failed
    assertThat(s.select()).isNull();
    assertThat(s.refusal()).isEqualTo(Refusal.UNAVAILABLE);
  }
}
