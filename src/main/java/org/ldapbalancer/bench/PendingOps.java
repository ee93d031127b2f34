package org.ldapbalancer.bench;

/**
 * The requests one connection has in flight, keyed by message ID without maps or boxing.
 *
 * <p>Each request takes a free slot; its message ID encodes the slot in its low bits ({@code
 * (id - 1) & mask}) and a per-slot generation above them, so a response finds its slot in one
 * step and an ID is never reused while its request is outstanding (RFC 4511 §4.1.1.1), even
 * when responses arrive out of order.
 *
 * <p>Not thread-safe: owned by the connection's event loop.
 */
final class PendingOps {
  private final int mask;
  private final int shift;
  /** Generations wrap here so that message IDs stay within 1 .. 2^31 - 1. */
  private final int generations;
  private final int[] ids;
  private final long[] startNanos;
  private final OpKind[] kinds;
  private final boolean[] measured;
  private final int[] generation;
  private final int[] free;
  private int freeCount;

  PendingOps(int capacity) {
    if (capacity < 1 || capacity > (1 << 20)) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    int size = Integer.highestOneBit(capacity);
    if (size < capacity) {
      size <<= 1;
    }
    this.mask = size - 1;
    this.shift = Integer.numberOfTrailingZeros(size);
    this.generations = (Integer.MAX_VALUE >>> shift);
    this.ids = new int[size];
    this.startNanos = new long[size];
    this.kinds = new OpKind[size];
    this.measured = new boolean[size];
    this.generation = new int[size];
    this.free = new int[size];
    for (int i = 0; i < size; i++) {
      free[i] = size - 1 - i; // slot 0 first: message IDs start at 1
    }
    this.freeCount = size;
  }

  int size() {
    return ids.length - freeCount;
  }

  boolean isEmpty() {
    return freeCount == ids.length;
  }

  /**
   * Records a request about to be written and returns its message ID.
   *
   * @throws IllegalStateException when every slot is taken (the caller limits requests in flight)
   */
  int begin(OpKind kind, boolean measured, long nanos) {
    if (freeCount == 0) {
      throw new IllegalStateException("no free slot");
    }
    int slot = free[--freeCount];
    int gen = generation[slot];
    generation[slot] = gen + 1 == generations ? 0 : gen + 1;
    int id = ((gen << shift) | slot) + 1;
    ids[slot] = id;
    startNanos[slot] = nanos;
    kinds[slot] = kind;
    this.measured[slot] = measured;
    return id;
  }

  /** The slot of the outstanding request with this message ID, or -1 when there is none. */
  int slotOf(int messageId) {
    if (messageId <= 0) {
      return -1;
    }
    int slot = (messageId - 1) & mask;
    return ids[slot] == messageId ? slot : -1;
  }

  long startNanos(int slot) {
    return startNanos[slot];
  }

  OpKind kind(int slot) {
    return kinds[slot];
  }

  boolean measured(int slot) {
    return measured[slot];
  }

  /** Frees the slot of a request whose final response has arrived. */
  void end(int slot) {
    ids[slot] = 0;
    kinds[slot] = null;
    free[freeCount++] = slot;
  }
}
