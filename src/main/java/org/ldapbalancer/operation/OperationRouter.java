package org.ldapbalancer.operation;

import java.util.Collections;

import java.util.Collection;

import java.util.LinkedHashSet;

import java.util.Set;

import io.netty.buffer.ByteBuf;
import org.ldapbalancer.balancing.Affinity;
import org.ldapbalancer.balancing.Refusal;
import org.ldapbalancer.balancing.Selector;
import org.ldapbalancer.balancing.ServerEndpoints;
import org.ldapbalancer.monitor.OperationCounters;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ResultCode;

/**
 * Sends operations on their way: regular operations to the connection selection picks, binds
 * to an idle bind connection. Where lloadd answers busy at once, two bounded first-come queues
 * with deadlines (the design note: "use queues and put timeouts in") hold what can wait: binds
 * while every bind connection is occupied, and requests while every usable connection has a
 * write backlog, until the first one drains.
 *
 * <p>One per event loop, used only from that loop.
 */
public final class OperationRouter {
  /** {@link #forward} result: the operation waits for a backlog to drain. */
  public static final int WAITING = -1;

  /** Replaced, never changed, by a reload ({@link #replaceSelectors}); both owned by the loop. */
  private Selector<UpstreamLink> regular;

  private Selector<UpstreamLink> binds;
  private final FlushBatch flushes;
  private final WaitingQueue bindQueue;
  private final WaitingQueue drainQueue;
  private final LdapMessage queuedView = new LdapMessage();
  private final Backlogs backlogs = new Backlogs();
  private final OperationCounters counters = new OperationCounters();
  /** This loop's client connections, for cn=Monitor; only this loop touches it. */
  private final Set<ClientLink> clients = new LinkedHashSet<>();

  /**
   * @param queueCapacity how many binds, and how many other requests, may wait at most
   * @param queueTimeoutNanos how long either may wait before it is answered busy
   */
  public OperationRouter(
      Selector<UpstreamLink> regular,
      Selector<UpstreamLink> binds,
      FlushBatch flushes,
      int queueCapacity,
      long queueTimeoutNanos) {
    this.regular = regular;
    this.binds = binds;
    this.flushes = flushes;
    this.bindQueue = new WaitingQueue(queueCapacity, queueTimeoutNanos);
    this.drainQueue = new WaitingQueue(queueCapacity, queueTimeoutNanos);
  }

  /**
   * A reload's new tiers: later operations, and those still waiting in either queue, are sent by
   * these. Operations already forwarded stay where they are.
   */
  public void replaceSelectors(Selector<UpstreamLink> regular, Selector<UpstreamLink> binds) {
    this.regular = regular;
    this.binds = binds;
  }

  public FlushBatch flushes() {
    return flushes;
  }

  /** What this loop's operations and clients did, for the monitor. */
  /** Lists a client connection on this loop for cn=Monitor, until {@link #clientGone}. */
  public void clientOpened(ClientLink client) {
    clients.add(client);
  }

  public void clientGone(ClientLink client) {
    clients.remove(client);
  }

  /** This loop's client connections. */
  public Collection<ClientLink> clients() {
    return Collections.unmodifiableSet(clients);
  }

  public OperationCounters counters() {
    return counters;
  }

  /** This loop's clients whose responses pile up. */
  public Backlogs backlogs() {
    return backlogs;
  }

  /**
   * Forwards a regular operation, or queues it when every usable connection is backlogged.
   *
   * @return {@link ResultCode#SUCCESS} when forwarded, {@link #WAITING} when queued, otherwise
   *     the result code to fail it with ({@code busy} or {@code unavailable})
   */
  public int forward(Operation op, LdapMessage request, ByteBuf control) {
    return forwardFree(op, request, control, null);
  }

  /**
   * {@link #forward(Operation, LdapMessage, ByteBuf)} for an operation without affinity of a
   * client with {@code affinity} (or none): tried first on the server the client's other
   * operations in flight went to, where there are some (Affinity#serverInFlight).
   */
  private int forwardFree(
      Operation op, LdapMessage request, ByteBuf control, Affinity<UpstreamLink> affinity) {
    UpstreamLink link = null;
    if (drainQueue.isEmpty()) {
      ServerEndpoints<UpstreamLink> tied =
          affinity != null ? affinity.serverInFlight(op.client().operationsInFlight() > 1) : null;
      if (tied != null) {
        link = regular.selectIn(tied, false, 0);
      }
      if (link != null) {
        affinity.sentInFlight(tied, true);
      } else {
        link = regular.select();
        if (link != null && affinity != null) {
          // A fallback tier's server is not followed: the next operation asks the first tier.
          affinity.sentInFlight(regular.choseFromFirstTier() ? link.server() : null, false);
        }
      }
    }
    if (link != null) {
      send(link, op, request, control);
      return ResultCode.SUCCESS;
    }
    Refusal refusal = drainQueue.isEmpty() ? regular.refusal() : Refusal.BACKLOGGED;
    if (refusal.mayWait()) {
      return drainQueue.offer(op, request.frame(), control, affinity) ? WAITING : ResultCode.BUSY;
    }
    return refusal == Refusal.BUSY ? ResultCode.BUSY : ResultCode.UNAVAILABLE;
  }

  /** Affinity-aware {@code forward} result: the connection the client is pinned to is lost. */
  public static final int PIN_LOST = -2;

  /** Affinity-aware {@code forward} result: no paged state is left for the page's cookie. */
  public static final int PAGED_STATE_LOST = -3;

  /**
   * Forwards an operation of a client with {@code affinity}: when neither the client nor the
   * operation is pinned, as {@link #forward(Operation, LdapMessage, ByteBuf)}, first trying the
   * server of the client's other operations in flight; otherwise to where the pin says. A
   * pinned operation is not queued behind a backlog (it is answered busy): it must go where the
   * pin says, now. At start ({@link Refusal#STARTING}), while nothing ties the client yet, it
   * waits for the first connections like any other and leaves the queue through the client's
   * affinity, as do the client's operations queued after it.
   *
   * @return as {@link #forward(Operation, LdapMessage, ByteBuf)}, or {@link #PIN_LOST} or {@link
   *     #PAGED_STATE_LOST}
   */
  public int forward(
      Operation op, LdapMessage request, ByteBuf control, Affinity<UpstreamLink> affinity) {
    if (affinity.isFree() && !op.hasAffinity()) {
      return forwardFree(op, request, control, affinity);
    }
    UpstreamLink link =
        affinity.select(regular, op.pin(), op.paging(), System.nanoTime());
    if (link == null && regular.refusal() == Refusal.STARTING && affinity.isFree()) {
      // At start a pinned operation (a write under write_coherence, a restrict_* one, a first
      // page) waits like any other. It leaves through the client's affinity, which records
      // where it went, and so do the client's operations queued after it (connectionsChanged).
      return drainQueue.offer(op, request.frame(), control, affinity) ? WAITING : ResultCode.BUSY;
    }
    if (link == null) {
      return switch (regular.refusal()) {
        case PIN_LOST -> PIN_LOST;
        case PAGED_STATE_LOST -> PAGED_STATE_LOST;
        case UNAVAILABLE, STARTING -> ResultCode.UNAVAILABLE;
        default -> ResultCode.BUSY;
      };
    }
    send(link, op, request, control);
    op.client().sentWithAffinity(op, link);
    return ResultCode.SUCCESS;
  }

  /**
   * Forwards a bind: on {@code pinned} when it continues a multi-step SASL exchange (the bind
   * connection it runs on, or the regular connection whose server holds its Verify Credentials
   * state); as Verify Credentials on a regular connection when selection picks one whose server
   * announces it ({@code feature vc}); else on an idle bind connection, else through the queue. A
   * bind that can go nowhere is failed here.
   */
  public void forwardBind(Operation op, LdapMessage request, UpstreamLink pinned) {
    if (pinned != null) {
      if (pinned.holdsSaslExchangeOf(op.client())) {
        send(pinned, op, request, null);
      } else {
        op.client().fail(op, ResultCode.OTHER, Diagnostics.SEVERED);
      }
      return;
    }
    // Without feature vc no server is ever marked as announcing it: one field read per pick.
    UpstreamLink shared = regular.select();
    if (shared != null && shared.verifiesCredentials()) {
      send(shared, op, request, null);
      return;
    }
    UpstreamLink link = bindQueue.isEmpty() ? binds.select() : null;
    if (link != null) {
      send(link, op, request, null);
    } else if (bindQueue.isEmpty() && binds.refusal() == Refusal.UNAVAILABLE) {
      op.client().fail(op, ResultCode.UNAVAILABLE, Diagnostics.NO_CONNECTIONS);
    } else if (!bindQueue.offer(op, request.frame(), null, null)) {
      op.client().fail(op, ResultCode.BUSY, "too many binds waiting for a connection");
    }
  }

  /**
   * A bind connection has become idle: the longest-waiting binds go where selection sends them
   * (tier order, servers taken out of selection, weights), which is that connection unless it
   * belongs to a later tier, or to a server selection passes over, while an earlier one has
   * room. Handing it the queue's head directly sent binds to a backup tier for as long as the
   * first was busy.
   */
  public void bindConnectionIdle() {
    UpstreamLink link;
    while (!bindQueue.isEmpty() && (link = binds.select()) != null) {
      send(bindQueue.poll(), link);
    }
  }

  /**
   * A regular connection drained its backlog (or one was lost or came up): send waiting
   * requests while selection finds room for them.
   */
  public void connectionsChanged() {
    while (!drainQueue.isEmpty()) {
      WaitingQueue.Entry head = drainQueue.peek();
      UpstreamLink link =
          head.isTied()
              ? head.affinity.select(regular, head.op.pin(), head.op.paging(), System.nanoTime())
              : regular.select();
      if (link != null) {
        send(drainQueue.poll(), link);
      } else if (regular.refusal().mayWait()) {
        return;
      } else {
        WaitingQueue.Entry e = drainQueue.poll();
        e.request.release();
        fail(e.op, regular.refusal());
      }
    }
  }

  /**
   * Sends {@code op} on {@code link} whatever selection would choose: a Cancel, which must go
   * where the operation it names runs.
   */
  public void forwardOn(UpstreamLink link, Operation op, LdapMessage request) {
    send(link, op, request, null);
  }

  /** Every forwarded operation leaves through here: the one place it is counted as forwarded. */
  private void send(UpstreamLink link, Operation op, LdapMessage request, ByteBuf control) {
    link.forward(op, request, control);
    counters.forwarded(op.requestTag());
  }

  private void send(WaitingQueue.Entry e, UpstreamLink link) {
    try {
      boolean tied = e.isTied(); // before sending: the affinity may change with it
      send(link, e.op, queuedView.parse(e.request), e.control);
      if (tied) {
        e.op.client().sentWithAffinity(e.op, link); // where its pin and its next pages go
      }
    } catch (MalformedPduException ex) {
      throw new IllegalStateException("a queued request was parsed before it was queued", ex);
    } finally {
      e.request.release();
    }
  }

  /** Drops a queued operation whose client went away or reset. */
  public void cancel(Operation op) {
    if (!bindQueue.remove(op)) {
      drainQueue.remove(op);
    }
  }

  /** Fails queued operations that have waited too long; called periodically on the loop. */
  public void expireWaiting(long nowNanos) {
    WaitingQueue.Entry e;
    while ((e = bindQueue.pollExpired(nowNanos)) != null) {
      UpstreamLink link = binds.select();
      if (link != null) { // a connection came up without announcing itself idle
        send(e, link);
      } else {
        e.request.release();
        fail(e.op, binds.refusal());
      }
    }
    connectionsChanged();
    while ((e = drainQueue.pollExpired(nowNanos)) != null) {
      e.request.release();
      if (regular.refusal() == Refusal.STARTING) {
        e.op.client().fail(e.op, ResultCode.UNAVAILABLE, Diagnostics.NO_CONNECTIONS);
      } else {
        e.op.client().fail(e.op, ResultCode.BUSY, "every connection to the servers is backlogged");
      }
    }
  }

  /** Binds now waiting for a bind connection. */
  public int queuedBinds() {
    return bindQueue.size();
  }

  /** Requests now waiting for a backlogged connection to drain. */
  public int queuedRequests() {
    return drainQueue.size();
  }

  /** Operations now waiting in either queue. */
  public int waitingOperations() {
    return bindQueue.size() + drainQueue.size();
  }

  /** Fails every queued operation, at shutdown. */
  public void failWaiting(int resultCode, String diagnostic) {
    for (WaitingQueue queue : new WaitingQueue[] {bindQueue, drainQueue}) {
      WaitingQueue.Entry e;
      while ((e = queue.poll()) != null) {
        e.request.release();
        e.op.client().fail(e.op, resultCode, diagnostic);
      }
    }
  }

  private static void fail(Operation op, Refusal refusal) {
    switch (refusal) {
      case PIN_LOST -> op.client().fail(op, ResultCode.OTHER, Diagnostics.PIN_LOST);
      case PAGED_STATE_LOST ->
          op.client().fail(op, ResultCode.PROTOCOL_ERROR, Diagnostics.PAGED_STATE_LOST);
      case UNAVAILABLE, STARTING ->
          op.client().fail(op, ResultCode.UNAVAILABLE, Diagnostics.NO_CONNECTIONS);
      default -> op.client().fail(op, ResultCode.BUSY, "no connection became free in time");
    }
  }
}
