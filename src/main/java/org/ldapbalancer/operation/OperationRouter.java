package org.ldapbalancer.operation;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import org.ldapbalancer.balancing.Refusal;
import org.ldapbalancer.balancing.Selector;
import org.ldapbalancer.protocol.LdapMessage;
import org.ldapbalancer.protocol.MalformedPduException;
import org.ldapbalancer.protocol.ResultCode;

/**
 * Sends operations on their way: regular operations to the connection selection picks, binds
 * to an idle bind connection or, when every bind connection is occupied, into a bounded
 * first-come queue with a deadline (the design note: "use queues and put timeouts in"), where
 * lloadd answers busy at once.
 *
 * <p>One per event loop, used only from that loop.
 */
public final class OperationRouter {
  private final Selector<UpstreamLink> regular;
  private final Selector<UpstreamLink> binds;
  private final FlushBatch flushes;
  private final ArrayDeque<Operation> bindQueue = new ArrayDeque<>();
  private final int bindQueueCapacity;
  private final long bindQueueTimeoutNanos;
  private final LdapMessage queuedView = new LdapMessage();

  public OperationRouter(
      Selector<UpstreamLink> regular,
      Selector<UpstreamLink> binds,
      FlushBatch flushes,
      int bindQueueCapacity,
      long bindQueueTimeoutNanos) {
    this.regular = regular;
    this.binds = binds;
    this.flushes = flushes;
    this.bindQueueCapacity = bindQueueCapacity;
    this.bindQueueTimeoutNanos = bindQueueTimeoutNanos;
  }

  public FlushBatch flushes() {
    return flushes;
  }

  /**
   * Forwards a regular operation.
   *
   * @return {@link ResultCode#SUCCESS} when forwarded, otherwise the result code to fail it with
   *     ({@code busy} or {@code unavailable})
   */
  public int forward(Operation op, LdapMessage request, ByteBuf control) {
    UpstreamLink link = regular.select();
    if (link == null) {
      return refusalCode(regular.refusal());
    }
    link.forward(op, request, control);
    return ResultCode.SUCCESS;
  }

  /**
   * Forwards a bind: on {@code pinned} when it continues a multi-step SASL exchange, else on an
   * idle bind connection, else through the queue. A bind that can go nowhere is failed here.
   */
  public void forwardBind(Operation op, LdapMessage request, UpstreamLink pinned) {
    if (pinned != null) {
      if (pinned.isReady() && pinned.isIdleBindConnection()) {
        pinned.forward(op, request, null);
      } else {
        op.client().fail(op, ResultCode.OTHER, "connection to the remote server has been severed");
      }
      return;
    }
    UpstreamLink link = bindQueue.isEmpty() ? binds.select() : null;
    if (link != null) {
      link.forward(op, request, null);
      return;
    }
    if (bindQueue.isEmpty() && binds.refusal() == Refusal.UNAVAILABLE) {
      op.client().fail(op, ResultCode.UNAVAILABLE, "no connections available");
    } else if (bindQueue.size() >= bindQueueCapacity) {
      op.client().fail(op, ResultCode.BUSY, "too many binds waiting for a connection");
    } else {
      op.queue(request.frame().retain());
      bindQueue.addLast(op);
    }
  }

  /** A bind connection has become idle: give it the longest-waiting bind. */
  public void bindConnectionIdle(UpstreamLink link) {
    Operation op = bindQueue.pollFirst();
    if (op == null) {
      return;
    }
    ByteBuf request = op.takeQueuedRequest();
    try {
      link.forward(op, queuedView.parse(request), null);
    } catch (MalformedPduException e) {
      throw new IllegalStateException("a queued bind was parsed before it was queued", e);
    } finally {
      request.release();
    }
  }

  /** Drops a queued bind whose client went away or reset. */
  public void cancel(Operation op) {
    if (op.isQueued() && bindQueue.remove(op)) {
      op.takeQueuedRequest().release();
    }
  }

  /** Fails queued binds that have waited too long; called periodically on the loop. */
  public void expireQueuedBinds(long nowNanos) {
    Operation op;
    while ((op = bindQueue.peekFirst()) != null
        && nowNanos - op.startNanos() >= bindQueueTimeoutNanos) {
      UpstreamLink link = binds.select();
      if (link != null) { // a connection came up without announcing itself idle
        bindConnectionIdle(link);
        continue;
      }
      bindQueue.pollFirst();
      op.takeQueuedRequest().release();
      if (binds.refusal() == Refusal.UNAVAILABLE) {
        op.client().fail(op, ResultCode.UNAVAILABLE, "no connections available");
      } else {
        op.client().fail(op, ResultCode.BUSY, "no bind connection became free in time");
      }
    }
  }

  /** Fails every queued bind, at shutdown. */
  public void failQueuedBinds(int resultCode, String diagnostic) {
    Operation op;
    while ((op = bindQueue.pollFirst()) != null) {
      op.takeQueuedRequest().release();
      op.client().fail(op, resultCode, diagnostic);
    }
  }

  private static int refusalCode(Refusal refusal) {
    return refusal == Refusal.BUSY ? ResultCode.BUSY : ResultCode.UNAVAILABLE;
  }
}
