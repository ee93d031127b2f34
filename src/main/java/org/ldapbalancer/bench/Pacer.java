package org.ldapbalancer.bench;

/**
 * A token schedule for a target rate: the k-th request is due at {@code start + k * interval}.
 * A request that is late goes at once, so a stall is followed by catching up (within the limit
 * of requests in flight) instead of silently lowering the offered load; a request that is early
 * waits on a timer, never on a spinning thread.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
final class Pacer {
  private final long intervalNanos;
  private final long offsetNanos;
  private long nextDue;
  private boolean started;

  /** @param opsPerSecond this pacer's share of the target rate; 0 for no pacing */
  Pacer(double opsPerSecond) {
    this(opsPerSecond, 0, 1);
  }

  /**
   * The {@code index}-th of {@code count} pacers sharing a rate. Their schedules are staggered
   * by a fraction of the interval each, so that N connections at a low rate do not all send at
   * the same instant (a burst every interval instead of an even load).
   */
  Pacer(double opsPerSecond, int index, int count) {
    this.intervalNanos = opsPerSecond <= 0 ? 0 : Math.max(1, Math.round(1e9 / opsPerSecond));
    this.offsetNanos = count <= 1 ? 0 : intervalNanos / count * index;
  }

  static Pacer unpaced() {
    return new Pacer(0);
  }

  /**
   * Takes the next token if it is due and returns 0, or returns how many nanoseconds remain
   * until it is due (and takes nothing).
   */
  long take(long nowNanos) {
    if (intervalNanos == 0) {
      return 0;
    }
    if (!started) {
      started = true;
      nextDue = nowNanos + offsetNanos;
    }
    long wait = nextDue - nowNanos;
    if (wait > 0) {
      return wait;
    }
    nextDue += intervalNanos;
    return 0;
  }
}
