package org.ldapbalancer.operation;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.ldapbalancer.balancing.Affinity;

/**
 * Operations waiting, first come first served, for a connection to take them, each with its
 * request retained. Bounded in size and in waiting time: the design note's "use queues and put
 * timeouts in". Owned by one event loop.
 */
final class WaitingQueue {
  /** One waiting operation with what it needs to be sent later. */
  static final class Entry {
    final Operation op;
    /**
     * A copy of the request, released by whoever takes the entry: a copy, because a slice would
     * keep the client's whole read buffer alive while it waits.
     */
    final ByteBuf request;
    /** The control to add when it is sent (shared, not reference-counted). */
    final ByteBuf control;
    final long sinceNanos;
    /**
     * The client's ties, when it has them (regular operations): where the entry goes once a
     * connection can take it, if by then the client is pinned or the operation is.
     */
    final Affinity<UpstreamLink> affinity;

    private Entry(Operation op, ByteBuf request, ByteBuf control, long sinceNanos,
        Affinity<UpstreamLink> affinity) {
      this.op = op;
      this.request = request;
      this.control = control;
      this.sinceNanos = sinceNanos;
      this.affinity = affinity;
    }

    /** Whether the client's or the operation's affinity decides where it goes. */
    boolean isTied() {
      return affinity != null && (!affinity.isFree() || op.hasAffinity());
    }
  }

  private final ArrayDeque<Entry> waiting = new ArrayDeque<>();
  private final int capacity;
  private final long timeoutNanos;

  WaitingQueue(int capacity, long timeoutNanos) {
    this.capacity = capacity;
    this.timeoutNanos = timeoutNanos;
  }

  int size() {
    return waiting.size();
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /**
   * Queues the operation with a copy of its request unless the queue is full.
   *
   * @param affinity the client's ties (see {@link Entry#affinity}), or null (binds)
   */
  boolean offer(
      Operation op, ByteBuf request, ByteBuf control, Affinity<UpstreamLink> affinity) {
    if (waiting.size() >= capacity) {
      return false;
    }
    waiting.addLast(new Entry(op, request.copy(), control, System.nanoTime(), affinity));
    op.waiting = true;
    return true;
  }

  Entry peek() {
    return waiting.peekFirst();
  }

  Entry poll() {
    Entry e = waiting.pollFirst();
    if (e != null) {
      e.op.waiting = false;
    }
    return e;
  }

  /** The oldest entry if it has waited its time, else null. */
  Entry pollExpired(long nowNanos) {
    Entry e = waiting.peekFirst();
    if (e != null && nowNanos - e.sinceNanos >= timeoutNanos) {
      return poll();
    }
    return null;
  }

  /** Drops a waiting operation (its client reset or left), releasing its request. */
  boolean remove(Operation op) {
    if (!op.waiting) {
      return false;
    }
    for (Iterator<Entry> it = waiting.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.op == op) {
        it.remove();
        op.waiting = false;
        e.request.release();
        return true;
      }
    }
    return false;
  }
}
