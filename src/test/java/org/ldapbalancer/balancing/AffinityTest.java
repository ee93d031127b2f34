package org.ldapbalancer.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pins of restrict_*, write_coherence and paged results, as pure selection logic. */
class AffinityTest {
  static final long SECOND = 1_000_000_000L;

  static final class Conn implements Endpoint {
    final String name;
    boolean ready = true;
    int pending;
    Object holder;
    long holdUntil;

    Conn(String name) {
      this.name = name;
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public int pendingOps() {
      return pending;
    }

    @Override
    public Object pagedHolder() {
      return holder;
    }

    @Override
    public long pagedHoldUntilNanos() {
      return holdUntil;
    }

    @Override
    public void holdForPaging(Object holder, long untilNanos) {
      this.holder = holder;
      this.holdUntil = untilNanos;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final class Server implements ServerEndpoints<Conn> {
    final List<Conn> conns = new ArrayList<>();

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
      return 0;
    }

    @Override
    public int maxPendingOps() {
      return 0;
    }

    @Override
    public int connMaxPending() {
      return 0;
    }
  }

  private final Server a = new Server("a", 2);
  private final Server b = new Server("b", 2);
  private final Selector<Conn> selector = new Selector<>(List.of(Tier.roundRobin(List.of(a, b))));

  private Server serverOf(Conn c) {
    return a.conns.contains(c) ? a : b;
  }

  /** Selects and records like the router does; returns the chosen connection. */
  private Conn send(Affinity<Conn> affinity, Pin own, Paging paging, long now, Pin[] sentUnder) {
    Conn c = affinity.select(selector, own, paging, now);
    if (c != null) {
      sentUnder[0] = affinity.forwarded(own, paging, c, serverOf(c));
    }
    return c;
  }

  private Conn send(Affinity<Conn> affinity, Pin own, long now) {
    return send(affinity, own, Paging.NONE, now, new Pin[1]);
  }

  @Test
  void withoutPinsSelectionRotatesAndTheAffinityStaysFree() {
    Affinity<Conn> affinity = new Affinity<>(0);
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      servers.add(serverOf(send(affinity, Pin.NONE, 0)));
    }
    assertThat(servers).containsExactly(a, b, a, b);
    assertThat(affinity.isFree()).isTrue();
  }

  @Test
  void afterAWriteEveryOperationGoesToThatServerUntilTheWindowAfterTheLastWriteEnds() {
    Affinity<Conn> affinity = new Affinity<>(5);
    Pin[] sent = new Pin[1];
    Conn write = send(affinity, Pin.WRITE, Paging.NONE, 0, sent);
    assertThat(sent[0]).isEqualTo(Pin.WRITE);
    Server pinned = serverOf(write);
    // While the write is in flight, and long after it started, reads follow it.
    for (int i = 0; i < 3; i++) {
      assertThat(serverOf(send(affinity, Pin.NONE, 100 * SECOND))).isSameAs(pinned);
    }
    affinity.ended(Pin.WRITE, Paging.NONE, false, 200 * SECOND);
    assertThat(serverOf(send(affinity, Pin.NONE, 204 * SECOND))).isSameAs(pinned);
    // The window counts from the last operation sent under the pin (lloadd), here 204 s.
    affinity.ended(Pin.WRITE, Paging.NONE, false, 204 * SECOND);
    affinity.ended(Pin.WRITE, Paging.NONE, false, 204 * SECOND);
    affinity.ended(Pin.WRITE, Paging.NONE, false, 204 * SECOND);
    affinity.ended(Pin.WRITE, Paging.NONE, false, 204 * SECOND);
    assertThat(affinity.pin()).isEqualTo(Pin.WRITE);
    send(affinity, Pin.NONE, 210 * SECOND);
    assertThat(affinity.pin()).isEqualTo(Pin.NONE);
  }

  @Test
  void aNegativeCoherenceHoldsUntilTheNextBind() {
    Affinity<Conn> affinity = new Affinity<>(-1);
    Server pinned = serverOf(send(affinity, Pin.WRITE, 0));
    affinity.ended(Pin.WRITE, Paging.NONE, false, SECOND);
    for (int i = 0; i < 4; i++) {
      assertThat(serverOf(send(affinity, Pin.NONE, 1_000_000 * SECOND))).isSameAs(pinned);
    }
    affinity.reset();
    assertThat(affinity.isFree()).isTrue();
  }

  @Test
  void aConnectionPinSendsEverythingToThatConnectionAndItsLossFailsOnceThenFrees() {
    Affinity<Conn> affinity = new Affinity<>(0);
    send(affinity, Pin.NONE, 0); // rotate once so the pin is not simply the first choice
    Conn pinned = send(affinity, Pin.CONNECTION, 0);
    for (int i = 0; i < 5; i++) {
      assertThat(send(affinity, Pin.NONE, 0)).isSameAs(pinned);
    }
    pinned.ready = false;
    assertThat(affinity.select(selector, Pin.NONE, Paging.NONE, 0)).isNull();
    assertThat(selector.refusal()).isEqualTo(Refusal.PIN_LOST);
    assertThat(affinity.isFree()).isTrue();
    assertThat(send(affinity, Pin.NONE, 0)).isNotNull().isNotSameAs(pinned);
  }

  @Test
  void aStrongerPinReplacesAWeakerOneNeverTheReverse() {
    Affinity<Conn> affinity = new Affinity<>(-1);
    Conn write = send(affinity, Pin.WRITE, 0);
    Conn backend = send(affinity, Pin.BACKEND, 0);
    assertThat(serverOf(backend)).isSameAs(serverOf(write));
    assertThat(affinity.pin()).isEqualTo(Pin.BACKEND);
    send(affinity, Pin.WRITE, 0);
    assertThat(affinity.pin()).isEqualTo(Pin.BACKEND);
  }

  @Test
  void aPinnedServerThatIsDownIsLeftAndTheOperationGoesElsewhere() {
    Affinity<Conn> affinity = new Affinity<>(-1);
    Server pinned = serverOf(send(affinity, Pin.WRITE, 0));
    pinned.conns.forEach(c -> c.ready = false);
    Conn next = send(affinity, Pin.NONE, 0);
    assertThat(next).isNotNull();
    assertThat(serverOf(next)).isNotSameAs(pinned);
  }

  /**
   * A write pin moves to another server while a write sent to the old one is in flight: the
   * client is told, reports that write's end as unpinned, and the new pin's window counts from
   * the end of the write sent under it, not from the old one's.
   */
  @Test
  void aWriteInFlightWhenItsPinMovesNoLongerCountsForTheNewPin() {
    Affinity<Conn> affinity = new Affinity<>(5);
    Server first = serverOf(send(affinity, Pin.WRITE, 0));
    assertThat(affinity.takeOrphanedWrites()).isFalse();
    first.conns.forEach(c -> c.ready = false);

    Pin[] sent = new Pin[1];
    Server second = serverOf(send(affinity, Pin.WRITE, Paging.NONE, SECOND, sent));
    assertThat(second).isNotSameAs(first);
    assertThat(affinity.takeOrphanedWrites()).as("the first write is orphaned").isTrue();
    assertThat(affinity.takeOrphanedWrites()).as("said once").isFalse();

    affinity.ended(Pin.NONE, Paging.NONE, false, 2 * SECOND); // the first write, failed
    first.conns.forEach(c -> c.ready = true);
    Pin[] read = new Pin[1];
    assertThat(serverOf(send(affinity, Pin.NONE, Paging.NONE, 100 * SECOND, read)))
        .as("the second write is still in flight").isSameAs(second);
    affinity.ended(read[0], Paging.NONE, false, 100 * SECOND);
    affinity.ended(sent[0], Paging.NONE, false, 100 * SECOND);
    assertThat(serverOf(send(affinity, Pin.NONE, Paging.NONE, 104 * SECOND, read)))
        .isSameAs(second);
    affinity.ended(read[0], Paging.NONE, false, 104 * SECOND);
    send(affinity, Pin.NONE, 109 * SECOND);
    assertThat(affinity.pin()).as("5 s after the last operation under the pin").isEqualTo(Pin.NONE);
  }

  @Test
  void aResetForgetsOrphanedWrites() {
    Affinity<Conn> affinity = new Affinity<>(5);
    serverOf(send(affinity, Pin.WRITE, 0)).conns.forEach(c -> c.ready = false);
    affinity.reset();
    assertThat(affinity.takeOrphanedWrites()).isFalse();
  }

  @Test
  void pagesFollowTheirConnectionWhichNoOtherClientsFirstPageMayShare() {
    Affinity<Conn> one = new Affinity<>(0);
    Affinity<Conn> two = new Affinity<>(0);
    Pin[] sent = new Pin[1];
    Conn held = send(one, Pin.NONE, Paging.FIRST_PAGE, 0, sent);
    one.ended(sent[0], Paging.FIRST_PAGE, true, 0);
    List<Conn> others = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Conn c = send(two, Pin.NONE, Paging.FIRST_PAGE, 0, sent);
      others.add(c);
      two.ended(sent[0], Paging.FIRST_PAGE, false, 0);
    }
    assertThat(others).doesNotContain(held);
    for (int i = 0; i < 3; i++) {
      assertThat(send(one, Pin.NONE, Paging.NEXT_PAGE, SECOND, sent)).isSameAs(held);
      one.ended(sent[0], Paging.NEXT_PAGE, true, SECOND);
    }
    // Ordinary operations of anyone may still use it.
    assertThat(List.of(send(two, Pin.NONE, 0), send(two, Pin.NONE, 0), send(two, Pin.NONE, 0)))
        .contains(held);
    // The last page (empty cookie) frees it.
    send(one, Pin.NONE, Paging.NEXT_PAGE, SECOND, sent);
    one.ended(sent[0], Paging.NEXT_PAGE, false, SECOND);
    assertThat(held.holder).isNull();
    assertThat(one.isFree()).isTrue();
  }

  @Test
  void whenEveryConnectionIsHeldAFirstPageIsBusy() {
    List<Affinity<Conn>> holders = new ArrayList<>();
    Pin[] sent = new Pin[1];
    for (int i = 0; i < 4; i++) {
      Affinity<Conn> holder = new Affinity<>(0);
      assertThat(send(holder, Pin.NONE, Paging.FIRST_PAGE, 0, sent)).isNotNull();
      holder.ended(sent[0], Paging.FIRST_PAGE, true, 0);
      holders.add(holder);
    }
    Affinity<Conn> late = new Affinity<>(0);
    assertThat(late.select(selector, Pin.NONE, Paging.FIRST_PAGE, SECOND)).isNull();
    assertThat(selector.refusal()).isEqualTo(Refusal.BUSY);
    holders.get(2).reset(); // that client closed
    assertThat(late.select(selector, Pin.NONE, Paging.FIRST_PAGE, SECOND)).isNotNull();
  }

  @Test
  void anIdleHoldExpiresAndItsClientsNextPageFindsNoState() {
    Affinity<Conn> slow = new Affinity<>(0, 10 * SECOND);
    Pin[] sent = new Pin[1];
    Conn held = send(slow, Pin.NONE, Paging.FIRST_PAGE, 0, sent);
    slow.ended(sent[0], Paging.FIRST_PAGE, true, 0);
    // Take every other connection, so that the only free one is the expired hold.
    for (Conn c : List.of(a.conns.get(0), a.conns.get(1), b.conns.get(0), b.conns.get(1))) {
      if (c != held) {
        c.holdForPaging(new Object(), Long.MAX_VALUE);
      }
    }
    Affinity<Conn> other = new Affinity<>(0);
    assertThat(other.select(selector, Pin.NONE, Paging.FIRST_PAGE, 5 * SECOND)).isNull();
    assertThat(send(other, Pin.NONE, Paging.FIRST_PAGE, 11 * SECOND, sent)).isSameAs(held);
    assertThat(slow.select(selector, Pin.NONE, Paging.NEXT_PAGE, 12 * SECOND)).isNull();
    assertThat(selector.refusal()).isEqualTo(Refusal.PAGED_STATE_LOST);
  }

  @Test
  void aNextPageWhoseConnectionWasLostFindsNoState() {
    Affinity<Conn> affinity = new Affinity<>(0);
    Pin[] sent = new Pin[1];
    Conn held = send(affinity, Pin.NONE, Paging.FIRST_PAGE, 0, sent);
    affinity.ended(sent[0], Paging.FIRST_PAGE, true, 0);
    held.ready = false;
    assertThat(affinity.select(selector, Pin.NONE, Paging.NEXT_PAGE, 0)).isNull();
    assertThat(selector.refusal()).isEqualTo(Refusal.PAGED_STATE_LOST);
    assertThat(affinity.isFree()).isTrue();
  }

  /** Sends an operation without affinity as the router does; returns the server it went to. */
  private Server sendFree(Affinity<Conn> affinity, boolean othersInFlight) {
    ServerEndpoints<Conn> tied = affinity.serverInFlight(othersInFlight);
    Conn c = tied != null ? selector.selectIn(tied, false, 0) : null;
    if (c != null) {
      affinity.sentInFlight(tied, true);
    } else {
      c = selector.select();
      affinity.sentInFlight(serverOf(c), false);
    }
    return serverOf(c);
  }

  @Test
  void withNothingElseInFlightEachOperationIsChosenByThePolicy() {
    Affinity<Conn> affinity = new Affinity<>(0);
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      servers.add(sendFree(affinity, false));
    }
    assertThat(servers).containsExactly(a, b, a, b);
  }

  @Test
  void operationsInFlightShareAServerForARunThenThePolicyChoosesAgain() {
    int run = Affinity.MAX_RUN_IN_FLIGHT;
    Affinity<Conn> affinity = new Affinity<>(0);
    List<Server> servers = new ArrayList<>();
    servers.add(sendFree(affinity, false));
    for (int i = 1; i < 2 * run + 1; i++) {
      servers.add(sendFree(affinity, true));
    }
    assertThat(servers.subList(0, run)).containsOnly(a);
    assertThat(servers.subList(run, 2 * run)).containsOnly(b);
    assertThat(servers.get(2 * run)).isEqualTo(a);
    assertThat(affinity.isFree()).as("a soft tie, not a pin").isTrue();
  }

  @Test
  void aServerThatCannotTakeTheOperationIsLeftAndTheRunStartsWhereThePolicySends() {
    Affinity<Conn> affinity = new Affinity<>(0);
    assertThat(sendFree(affinity, false)).isEqualTo(a);
    a.conns.forEach(c -> c.ready = false);
    assertThat(sendFree(affinity, true)).isEqualTo(b);
    a.conns.forEach(c -> c.ready = true);
    assertThat(sendFree(affinity, true)).as("the run goes on at b").isEqualTo(b);
  }

  @Test
  void aBindEndsTheTie() {
    Affinity<Conn> affinity = new Affinity<>(0);
    assertThat(sendFree(affinity, false)).isEqualTo(a);
    assertThat(sendFree(affinity, true)).isEqualTo(a);
    affinity.reset();
    assertThat(sendFree(affinity, true)).isEqualTo(b);
  }
}
