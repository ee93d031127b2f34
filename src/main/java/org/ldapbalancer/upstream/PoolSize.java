package org.ldapbalancer.upstream;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ldapbalancer.balancing.PoolGrowth;

/**
 * How many regular connections one event loop keeps to one server: its share of {@code numconns},
 * growing by one connection at a time while every connection is loaded ({@link PoolGrowth}) up to
 * its share of {@code max-conns}, and shrinking back, one connection at a time, by closing a
 * connection beyond the share of {@code numconns} that has had nothing in flight for {@link
 * #SHRINK_AFTER_NANOS}.
 *
 * <p>Every field belongs to the pool's event loop.
 */
final class PoolSize {
  /** How long a connection above {@code numconns} may sit idle before it is closed. */
  static final long SHRINK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final int target;
  private final int max;
  /** Regular connection attempts under way (connecting, TLS, bindconf bind). */
  private int attempts;

  PoolSize(int target, int max) {
    this.target = target;
    this.max = Math.max(target, max);
  }

  /** This loop's share of {@code max-conns}: the same proportion as its share of numconns. */
  static int loopShare(int loopTarget, int numconns, int maxConns) {
    long share = ((long) maxConns * loopTarget + numconns - 1) / Math.max(1, numconns);
    return (int) Math.max(loopTarget, Math.min(share, Integer.MAX_VALUE));
  }

  int max() {
    return max;
  }

  void attemptStarted() {
    attempts++;
  }

  void attemptEnded() {
    if (attempts > 0) {
      attempts--;
    }
  }

  /** Whether to open one more connection now: none being opened, room left, all loaded. */
  boolean shouldGrow(List<UpstreamConnection> regular, int connMaxPending) {
    return attempts == 0 && regular.size() < max && PoolGrowth.allLoaded(regular, connMaxPending);
  }

  /**
   * Notes which connections are idle and returns one beyond {@code numconns} that has been idle
   * long enough to close, or null.
   */
  UpstreamConnection idleSurplus(long nowNanos, List<UpstreamConnection> regular) {
    UpstreamConnection surplus = null;
    for (int i = 0, n = regular.size(); i < n; i++) {
      UpstreamConnection c = regular.get(i);
      if (!c.isReady() || !c.isQuiet(nowNanos)) {
        c.idleSinceNanos = 0;
      } else if (c.idleSinceNanos == 0) {
        c.idleSinceNanos = nowNanos;
      } else if (surplus == null
          && n > target
          && nowNanos - c.idleSinceNanos >= SHRINK_AFTER_NANOS) {
        surplus = c;
      }
    }
    return surplus;
  }
}
