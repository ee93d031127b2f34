package org.ldapbalancer.upstream;

/**
 * A server's recent response time in one event loop, for a {@code bestof} tier: a moving average
 * of the times to each operation's first response (the newest sample weighted 1/8), aged on the
 * loop's periodic sweep so that it stays true of a server that stops answering or gets nothing.
 *
 * <p>Not thread-safe: it belongs to one {@link ServerPool}, on its event loop.
 */
final class ResponseTime {
  private long averageNanos;
  private long lastAnswerNanos;
  private boolean answeredSinceSweep;

  /** An operation got its first response {@code nanos} after its request was written. */
  void sample(long nanos, long nowNanos) {
    if (nanos < 0) {
      return;
    }
    averageNanos = averageNanos == 0 ? nanos : averageNanos + ((nanos - averageNanos) >> 3);
    lastAnswerNanos = nowNanos;
    answeredSinceSweep = true;
  }

  /**
   * The periodic sweep: a server with operations outstanding and no answer for longer than its
   * average is at least that slow (a hung server gives no samples at all); one with nothing
   * outstanding and no answer drifts back down (halving every sweep), so that it is tried again.
   */
  void age(long nowNanos, int pendingOps) {
    if (pendingOps > 0 && lastAnswerNanos != 0 && nowNanos - lastAnswerNanos > averageNanos) {
      averageNanos = nowNanos - lastAnswerNanos;
    } else if (!answeredSinceSweep && pendingOps == 0) {
      averageNanos >>= 1;
    }
    answeredSinceSweep = false;
  }

  /** The average in nanoseconds; 0 before any sample. */
  long nanos() {
    return averageNanos;
  }
}
