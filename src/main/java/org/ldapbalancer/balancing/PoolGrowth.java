package org.ldapbalancer.balancing;

import java.util.List;

/**
 * When a server's pool of regular connections (on one event loop) grows: the design note's rule,
 * "when the connections are over 75 % of their pending limit or backlogged, open another, up to a
 * limit". Pure, so that the rule is tested apart from any channel.
 */
public final class PoolGrowth {
  private PoolGrowth() {}

  /**
   * Whether every ready connection is loaded: at least three quarters of {@code connMaxPending}
   * in flight (never, when {@code connMaxPending} is 0, no limit), or its outbound buffer over the
   * high-water mark. False when none is ready: a pool with nothing ready is reconnecting, not
   * growing.
   */
  public static boolean allLoaded(List<? extends Endpoint> connections, int connMaxPending) {
    boolean anyReady = false;
    for (int i = 0, n = connections.size(); i < n; i++) {
      Endpoint e = connections.get(i);
      if (!e.isReady()) {
        continue;
      }
      anyReady = true;
      boolean nearLimit = connMaxPending > 0 && 4L * e.pendingOps() >= 3L * connMaxPending;
      if (!nearLimit && e.isWritable()) {
        return false;
      }
    }
    return anyReady;
  }
}
