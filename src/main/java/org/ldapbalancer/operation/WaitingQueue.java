package org.ldapbalancer.operation;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * Operations waiting, first come first served, for a connection to take them, each with its
 * request retained. Bounded in size and in waiting time: the design note's "use queues and put
 * timeouts in". Owned by one event loop.
 */
final class WaitingQueue {
  private final ArrayDeque<Operation> waiting = new ArrayDeque<>();
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

  /** Queues the operation with its request (retained here) unless the queue is full. */
  boolean offer(Operation op, ByteBuf request, ByteBuf control) {
    if (waiting.size() >= capacity) {
      return false;
    }
    op.queue(request.retain(), control);
    waiting.addLast(op);
    return true;
  }

  Operation peek() {
    return waiting.peekFirst();
  }

  Operation poll() {
    return waiting.pollFirst();
  }

  /** The oldest operation if it has waited its time, else null. */
  Operation pollExpired(long nowNanos) {
    Operation op = waiting.peekFirst();
    if (op != null && nowNanos - op.startNanos() >= timeoutNanos) {
      return waiting.pollFirst();
    }
    return null;
  }

  /** Drops a waiting operation (its client reset or left), releasing its request. */
  boolean remove(Operation op) {
    if (op.isQueued() && waiting.remove(op)) {
      op.takeQueuedRequest().release();
      return true;
    }
    return false;
  }
}
