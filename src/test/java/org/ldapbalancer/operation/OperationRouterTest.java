package org.ldapbalancer.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.unboundid.ldap.protocol.BindRequestProtocolOp;
import com.unboundid.ldap.protocol.SearchRequestProtocolOp;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.SearchScope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.ldapbalancer.balancing.Selector;
import org.ldapbalancer.balancing.ServerEndpoints;
import org.ldapbalancer.balancing.Tier;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ProtocolOp;
import org.ldapbalancer.protocol.ResultCode;
import org.ldapbalancer.testing.Pdus;
import org.ldapbalancer.testing.RecordingClient.Answer;
import org.ldapbalancer.testing.RecordingClient;

/**
 * Where the router sends an operation: to a connection, into one of its two first-come queues
 * (binds waiting for a free bind connection, requests waiting for a backlog to drain), or back
 * with busy or unavailable; and how a queued operation leaves its queue (sent, expired,
 * cancelled, failed at shutdown), its retained request released each time.
 */
class OperationRouterTest {
  private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);
  private static final ByteBuf CONTROL = Unpooled.wrappedBuffer(new byte[] {0x30, 0}).asReadOnly();

  private final EmbeddedChannel turn = new EmbeddedChannel();
  private final FakeServer regular = new FakeServer(0);
  private final FakeServer binds = new FakeServer(1);
  private final RecordingClient client = new RecordingClient("client");
  /** Requests handed to the router, each also held by the test until it checks its release. */
  private final List<ByteBuf> frames = new ArrayList<>();

  private final OperationRouter router = router(4);

  private OperationRouter router(int capacity) {
    return new OperationRouter(
        new Selector<>(List.of(Tier.roundRobin(List.of(regular)))),
        new Selector<>(List.of(Tier.roundRobin(List.of(binds)))),
        new FlushBatch(turn.eventLoop()),
        capacity,
        TIMEOUT);
  }

  @Test
  void anOperationGoesToTheLeastBusyReadyConnectionWithItsControl() {
    FakeLink busier = regular.add(new FakeLink());
    busier.pending = 1;
    FakeLink idle = regular.add(new FakeLink());
    Operation op = search(1);

    assertThat(forward(router, op)).isEqualTo(ResultCode.SUCCESS);

    assertThat(idle.forwarded).containsExactly(op);
    assertThat(idle.controls).containsExactly(CONTROL);
    assertThat(busier.forwarded).isEmpty();
    assertThat(router.waitingOperations()).isZero();
  }

  @Test
  void whenEveryUsableConnectionIsBackloggedTheOperationWaitsWithACopyOfItsRequest() {
    FakeLink link = regular.add(new FakeLink());
    link.writable = false;
    Operation op = search(1);

    assertThat(forward(router, op)).isEqualTo(OperationRouter.WAITING);

    assertThat(op.isWaiting()).isTrue();
    assertThat(router.waitingOperations()).isEqualTo(1);
    // A copy: a retained slice would keep the client's whole read buffer alive while it waits.
    assertThat(frames.get(0).refCnt()).as("the client's frame, not held by the queue").isEqualTo(1);
    assertThat(link.forwarded).isEmpty();
  }

  @Test
  void connectionsAtTheirLimitMakeItBusyAndNoReadyConnectionMakesItUnavailable() {
    FakeServer limited = new FakeServer(1);
    OperationRouter limitedRouter =
        new OperationRouter(
            new Selector<>(List.of(Tier.roundRobin(List.of(limited)))),
            new Selector<>(List.of(Tier.roundRobin(List.of(binds)))),
            new FlushBatch(turn.eventLoop()),
            4,
            TIMEOUT);
    FakeLink full = limited.add(new FakeLink());
    full.pending = 1;
    assertThat(forward(limitedRouter, search(1))).isEqualTo(ResultCode.BUSY);

    full.ready = false;
    assertThat(forward(limitedRouter, search(2))).isEqualTo(ResultCode.UNAVAILABLE);
    assertThat(forward(router, search(3))).as("no connection at all")
        .isEqualTo(ResultCode.UNAVAILABLE);
    assertThat(limitedRouter.waitingOperations()).isZero();
    assertThat(client.answers()).as("the caller answers").isEmpty();
  }

  @Test
  void aFullQueueAnswersBusy() {
    OperationRouter small = router(2);
    regular.add(new FakeLink()).writable = false;

    assertThat(forward(small, search(1))).isEqualTo(OperationRouter.WAITING);
    assertThat(forward(small, search(2))).isEqualTo(OperationRouter.WAITING);
    assertThat(forward(small, search(3))).isEqualTo(ResultCode.BUSY);
    assertThat(frames.get(2).refCnt()).as("not retained").isEqualTo(1);
  }

  @Test
  void waitingRequestsGoOutFirstComeFirstServedAndANewOneQueuesBehindThem() {
    FakeLink link = regular.add(new FakeLink());
    link.writable = false;
    Operation first = search(1);
    Operation second = search(2);
    forward(router, first);
    forward(router, second);
    link.writable = true; // drained, not yet announced

    Operation third = search(3);
    assertThat(forward(router, third)).as("behind those already waiting").isEqualTo(
        OperationRouter.WAITING);
    router.connectionsChanged();

    assertThat(link.forwarded).containsExactly(first, second, third);
    assertThat(link.requestIds).as("each with its own request").containsExactly(1, 2, 3);
    assertThat(link.controls).containsOnly(CONTROL);
    assertThat(router.waitingOperations()).isZero();
    assertThat(first.isWaiting()).isFalse();
    releasedByRouter(0, 1, 2);
  }

  @Test
  void drainingStopsWhereTheConnectionIsBackloggedAgainAndResumesWhenItDrains() {
    FakeLink link = regular.add(new FakeLink());
    link.writable = false;
    Operation first = search(1);
    Operation second = search(2);
    forward(router, first);
    forward(router, second);
    link.backlogAfterEachForward = true;

    link.writable = true;
    router.connectionsChanged();
    assertThat(link.forwarded).containsExactly(first);
    assertThat(second.isWaiting()).isTrue();

    link.writable = true;
    router.connectionsChanged();
    assertThat(link.forwarded).containsExactly(first, second);
    assertThat(client.answers()).isEmpty();
  }

  @Test
  void waitingRequestsAreAnsweredUnavailableOnceNoConnectionIsLeft() {
    FakeLink link = regular.add(new FakeLink());
    link.writable = false;
    Operation first = search(1);
    Operation second = search(2);
    forward(router, first);
    forward(router, second);

    link.ready = false;
    router.connectionsChanged();

    assertThat(client.answers())
        .extracting(Answer::op, Answer::resultCode, Answer::text)
        .containsExactly(
            tuple(first, ResultCode.UNAVAILABLE,
                Diagnostics.NO_CONNECTIONS),
            tuple(second, ResultCode.UNAVAILABLE,
                Diagnostics.NO_CONNECTIONS));
    assertThat(router.waitingOperations()).isZero();
    releasedByRouter(0, 1);
  }

  @Test
  void aWaitingRequestThatWaitedItsTimeIsAnsweredBusy() {
    regular.add(new FakeLink()).writable = false;
    long before = System.nanoTime();
    Operation op = search(1);
    forward(router, op);

    router.expireWaiting(before + TIMEOUT - 1);
    assertThat(client.answers()).isEmpty();

    router.expireWaiting(System.nanoTime() + TIMEOUT);

    Answer answer = client.finalAnswerTo(op);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.BUSY);
    assertThat(answer.text()).isEqualTo("every connection to the servers is backlogged");
    assertThat(router.waitingOperations()).isZero();
    releasedByRouter(0);
  }

  @Test
  void aBindGoesToAFreeBindConnectionAndWaitsWhenEveryOneIsOccupied() {
    FakeLink link = binds.add(new FakeLink());
    Operation first = bind(1);
    Operation second = bind(2);

    forwardBind(router, first, null);
    link.pending = 1;
    forwardBind(router, second, null);

    assertThat(link.forwarded).containsExactly(first);
    assertThat(link.controls).as("binds carry no identity control").containsOnlyNulls();
    assertThat(second.isWaiting()).isTrue();
    assertThat(client.answers()).isEmpty();
  }

  @Test
  void withVerifyCredentialsASimpleBindGoesToARegularConnectionWithoutControl() {
    FakeLink shared = regular.add(new FakeLink());
    shared.verifiesCredentials = true;
    FakeLink bindLink = binds.add(new FakeLink());
    Operation simple = bind(1);

    forwardBind(router, simple, null);

    assertThat(shared.forwarded).containsExactly(simple);
    assertThat(shared.controls).containsOnlyNulls();
    assertThat(bindLink.forwarded).isEmpty();
    releasedByRouter(0);
  }

  @Test
  void withVerifyCredentialsASaslBindGoesToARegularConnectionToo() {
    FakeLink shared = regular.add(new FakeLink());
    shared.verifiesCredentials = true;
    FakeLink bindLink = binds.add(new FakeLink());
    Operation sasl = new BindOperation(client, 1, "PLAIN", "", false);

    forwardBind(router, sasl, null);

    assertThat(shared.forwarded).containsExactly(sasl);
    assertThat(shared.controls).containsOnlyNulls();
    assertThat(bindLink.forwarded).isEmpty();
  }

  @Test
  void aServerWithoutVerifyCredentialsKeepsTheBindConnections() {
    FakeLink shared = regular.add(new FakeLink());
    FakeLink bindLink = binds.add(new FakeLink());
    Operation sasl = new BindOperation(client, 1, "PLAIN", "", false);

    forwardBind(router, sasl, null);
    bindLink.pending = 0;
    Operation simple = bind(2);
    forwardBind(router, simple, null);

    assertThat(shared.forwarded).isEmpty();
    assertThat(bindLink.forwarded).containsExactly(sasl, simple);
  }

  @Test
  void aBindWithNoBindConnectionUpIsAnsweredUnavailableAndTooManyWaitingBusy() {
    Operation nowhere = bind(1);
    forwardBind(router, nowhere, null);
    assertThat(client.finalAnswerTo(nowhere).resultCode()).isEqualTo(ResultCode.UNAVAILABLE);

    OperationRouter small = router(1);
    binds.add(new FakeLink()).pending = 1;
    Operation waits = bind(2);
    Operation refused = bind(3);
    forwardBind(small, waits, null);
    forwardBind(small, refused, null);

    assertThat(waits.isWaiting()).isTrue();
    Answer answer = client.finalAnswerTo(refused);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.BUSY);
    assertThat(answer.text()).isEqualTo("too many binds waiting for a connection");
  }

  @Test
  void anIdleBindConnectionTakesTheLongestWaitingBindAndALaterBindQueuesBehind() {
    FakeLink busy = binds.add(new FakeLink());
    busy.pending = 1;
    Operation first = bind(1);
    Operation second = bind(2);
    forwardBind(router, first, null);
    forwardBind(router, second, null);
    FakeLink idle = binds.add(new FakeLink());

    Operation third = bind(3);
    forwardBind(router, third, null);
    assertThat(third.isWaiting()).as("behind the binds already waiting").isTrue();

    router.bindConnectionIdle();
    assertThat(idle.forwarded).containsExactly(first);
    assertThat(idle.requestIds).containsExactly(1);
    router.bindConnectionIdle();
    assertThat(idle.forwarded).as("one bind at a time on a connection").hasSize(1);
    for (int i = 0; i < 3; i++) {
      idle.pending = 0; // its bind answered
      router.bindConnectionIdle(); // the last time, nothing is left: nothing happens
    }
    assertThat(idle.forwarded).containsExactly(first, second, third);
    assertThat(router.waitingOperations()).isZero();
    assertThat(client.answers()).isEmpty();
  }

  /**
   * Binds queued while the first tier's bind connections are busy wait for them: a connection of
   * the second tier becoming idle (it reconnected, a reload added it) does not take them.
   */
  @Test
  void queuedBindsWaitForTheirTierNotForAnIdleConnectionOfALaterOne() {
    FakeServer firstTier = new FakeServer(1);
    FakeServer backupTier = new FakeServer(1);
    FakeLink first = firstTier.add(new FakeLink());
    first.pending = 1;
    FakeLink backup = backupTier.add(new FakeLink());
    OperationRouter tiered = new OperationRouter(
        new Selector<>(List.of(Tier.roundRobin(List.of(regular)))),
        new Selector<>(List.of(Tier.roundRobin(List.of(firstTier)),
            Tier.roundRobin(List.of(backupTier)))),
        new FlushBatch(turn.eventLoop()), 8, TIMEOUT);
    Operation waiting = bind(1);
    forwardBind(tiered, waiting, null);
    assertThat(waiting.isWaiting()).isTrue();

    tiered.bindConnectionIdle(); // the backup's connection came up idle
    assertThat(backup.forwarded).isEmpty();
    assertThat(waiting.isWaiting()).isTrue();

    first.pending = 0;
    tiered.bindConnectionIdle();
    assertThat(first.forwarded).containsExactly(waiting);
  }

  @Test
  void anExpiredBindIsSentIfABindConnectionCameUpUnannouncedAndElseAnsweredBusy() {
    FakeLink link = binds.add(new FakeLink());
    link.pending = 1;
    long before = System.nanoTime();
    Operation sent = bind(1);
    Operation failed = bind(2);
    forwardBind(router, sent, null);

    router.expireWaiting(before + TIMEOUT - 1);
    assertThat(sent.isWaiting()).isTrue();
    link.pending = 0;
    router.expireWaiting(System.nanoTime() + TIMEOUT);
    assertThat(link.forwarded).containsExactly(sent);
    assertThat(client.answers()).isEmpty();

    forwardBind(router, failed, null);
    router.expireWaiting(System.nanoTime() + TIMEOUT);

    Answer answer = client.finalAnswerTo(failed);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.BUSY);
    assertThat(answer.text()).isEqualTo("no connection became free in time");
    releasedByRouter(0, 1);
  }

  @Test
  void aSaslContinuationGoesToItsPinnedConnectionAndNoOtherClientsCan() {
    FakeLink pinned = binds.add(new FakeLink());
    pinned.pending = 1; // held between steps
    pinned.saslOwner = client;
    Operation next = bind(2);

    forwardBind(router, next, pinned);

    assertThat(pinned.forwarded).containsExactly(next);
    RecordingClient other = new RecordingClient("other");
    Operation intruder = new BindOperation(other, 1, "SCRAM-SHA-256", "", false);
    forwardBind(router, intruder, pinned);
    assertThat(pinned.forwarded).containsExactly(next);
    Answer answer = other.finalAnswerTo(intruder);
    assertThat(answer.resultCode()).isEqualTo(ResultCode.OTHER);
    assertThat(answer.text()).isEqualTo(Diagnostics.SEVERED);
  }

  @Test
  void aCancelledOperationLeavesEitherQueueAndIsNeverSent() {
    FakeLink link = regular.add(new FakeLink());
    link.writable = false;
    FakeLink bindLink = binds.add(new FakeLink());
    bindLink.pending = 1;
    Operation request = search(1);
    forward(router, request);
    Operation bind = bind(2);
    forwardBind(router, bind, null);

    router.cancel(request);
    router.cancel(bind);
    router.cancel(search(3)); // never queued: nothing to do

    assertThat(router.waitingOperations()).isZero();
    assertThat(request.isWaiting()).isFalse();
    releasedByRouter(0, 1);
    link.writable = true;
    router.connectionsChanged();
    bindLink.pending = 0;
    router.bindConnectionIdle();
    assertThat(link.forwarded).isEmpty();
    assertThat(bindLink.forwarded).isEmpty();
    assertThat(client.answers()).isEmpty();
  }

  @Test
  void failWaitingAnswersEveryQueuedOperationOnce() {
    regular.add(new FakeLink()).writable = false;
    binds.add(new FakeLink()).pending = 1;
    Operation request = search(1);
    forward(router, request);
    Operation bind = bind(2);
    forwardBind(router, bind, null);

    router.failWaiting(ResultCode.UNAVAILABLE, "shutting down");

    assertThat(client.finalAnswerTo(request).text()).isEqualTo("shutting down");
    assertThat(client.finalAnswerTo(bind).resultCode()).isEqualTo(ResultCode.UNAVAILABLE);
    assertThat(router.waitingOperations()).isZero();
    releasedByRouter(0, 1);
  }

  // --- helpers ---

  private Operation search(int clientId) {
    return new Operation(client, clientId, ProtocolOp.SEARCH_REQUEST);
  }

  private Operation bind(int clientId) {
    return new BindOperation(client, clientId, null, "cn=u" + clientId, false);
  }

  /** Forwards {@code op} with the identity control, then lets go of the request as a read does. */
  private int forward(OperationRouter r, Operation op) {
    LdapMessage view = view(op);
    try {
      return r.forward(op, view, CONTROL);
    } finally {
      view.frame().release();
    }
  }

  /** Hands a bind to the router, then lets go of the request as a read does. */
  private void forwardBind(OperationRouter r, Operation op, UpstreamLink pinned) {
    LdapMessage view = view(op);
    try {
      r.forwardBind(op, view, pinned);
    } finally {
      view.frame().release();
    }
  }

  /**
   * A parsed request for {@code op}, its frame listed in {@link #frames} and retained once more
   * so that the test can see the router release its own reference.
   */
  private LdapMessage view(Operation op) {
    ByteBuf frame =
        op.isBind()
            ? Pdus.frame(op.clientMessageId(), new BindRequestProtocolOp("cn=x", "pw"))
            : Pdus.frame(op.clientMessageId(), new SearchRequestProtocolOp("dc=example,dc=com",
                SearchScope.BASE, DereferencePolicy.NEVER, 0, 0, false,
                Filter.createPresenceFilter("objectClass"), List.of()));
    frames.add(frame.retain());
    try {
      return new LdapMessage().parse(frame);
    } catch (MalformedPduException e) {
      throw new AssertionError(e);
    }
  }

  /** Asserts that the router holds none of these requests any more. */
  private void releasedByRouter(int... indexes) {
    for (int i : indexes) {
      assertThat(frames.get(i).refCnt()).as("request %d held by nobody but the test", i)
          .isEqualTo(1);
    }
  }

  /** One server's connections of one kind, as the pool shows them to selection. */
  private static final class FakeServer implements ServerEndpoints<UpstreamLink> {
    private final List<UpstreamLink> links = new ArrayList<>();
    private final int connMaxPending;

    FakeServer(int connMaxPending) {
      this.connMaxPending = connMaxPending;
    }

    FakeLink add(FakeLink link) {
      links.add(link);
      return link;
    }

    @Override
    public List<UpstreamLink> endpoints() {
      return links;
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
      return connMaxPending;
    }
  }

  /** A connection whose state the test sets, recording what it is given. */
  private static final class FakeLink implements UpstreamLink {
    boolean ready = true;
    boolean writable = true;
    boolean backlogAfterEachForward;
    int pending;
    boolean verifiesCredentials;
    ClientLink saslOwner;
    final List<Operation> forwarded = new ArrayList<>();
    final List<Integer> requestIds = new ArrayList<>();
    final List<ByteBuf> controls = new ArrayList<>();

    @Override
    public void forward(Operation op, LdapMessage request, ByteBuf control) {
      forwarded.add(op);
      requestIds.add(request.messageId());
      controls.add(control);
      op.forwardedTo(this, forwarded.size(), 0L);
      pending++;
      if (backlogAfterEachForward) {
        writable = false;
      }
    }

    @Override
    public void abandon(Operation op) {
      throw new AssertionError("the router never abandons");
    }

    @Override
    public boolean holdsSaslExchangeOf(ClientLink client) {
      return saslOwner == client;
    }

    @Override
    public void releaseSaslPin(ClientLink client) {
      if (saslOwner == client) {
        saslOwner = null;
      }
    }

    @Override
    public boolean verifiesCredentials() {
      return verifiesCredentials;
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
  }
}
