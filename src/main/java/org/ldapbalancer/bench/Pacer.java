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
  private long nextDue;
  private boolean started;

  /** @param opsPerSecond this pacer's share of the target rate; 0 for no pacing */
  Pacer(double opsPerSecond) {
    this.intervalNanos = opsPerSecond <= 0 ? 0 : Math.max(1, Math.round(1e9 / opsPerSecond));
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
      nextDue = nowNanos;
    }
    long wait = nextDue - nowNanos;
    if (wait > 0) {
      return wait;
    }
    nextDue += intervalNanos;
    return 0;
  }
}
