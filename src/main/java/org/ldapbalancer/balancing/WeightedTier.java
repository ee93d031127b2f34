package org.ldapbalancer.balancing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code tier weighted}: each operation's server is drawn at random with a probability in
 * proportion to its {@code weight=}, as RFC 2782 §"Usage rules" orders SRV records. When the
 * drawn server cannot take the operation, the draw is repeated among the others; servers of
 * weight 0 are tried, in turn, only when no weighted one can take it. (lloadd 2.6 compares an
 * unsigned remainder with zero in its draw, which inverts the proportions.)
 *
 * <p>Not thread-safe: each event loop has its own instance. Allocates nothing per operation.
 */
final class WeightedTier<E extends Endpoint> implements Tier<E> {
  private final List<? extends ServerEndpoints<E>> servers;
  /** Servers already tried in the current selection; one bit each (at most 64 servers drawn). */
  private long tried;

  private int nextUnweighted;

  WeightedTier(List<? extends ServerEndpoints<E>> servers) {
    this.servers = List.copyOf(servers);
  }

  @Override
  public E select(SelectionOutcome outcome) {
    int n = servers.size();
    tried = 0;
    long total = 0;
    for (int i = 0; i < n && i < 64; i++) {
      total += Math.max(0, servers.get(i).weight());
    }
    while (total > 0) {
      long r = ThreadLocalRandom.current().nextLong(total);
      int drawn = -1;
      for (int i = 0; i < n && i < 64; i++) {
        if ((tried & (1L << i)) != 0) {
          continue;
        }
        int w = Math.max(0, servers.get(i).weight());
        if (r < w) {
          drawn = i;
          break;
        }
        r -= w;
      }
      if (drawn < 0) {
        break; // cannot happen while total counts exactly the untried weights
      }
      tried |= 1L << drawn;
      total -= Math.max(0, servers.get(drawn).weight());
      E chosen = ConnectionChoice.leastBusy(servers.get(drawn), outcome);
      if (chosen != null) {
        return chosen;
      }
    }
    // Weight 0 (and any server beyond the 64th): only now, in turn.
    int first = nextUnweighted < n ? nextUnweighted : 0;
    for (int k = 0; k < n; k++) {
      int i = first + k < n ? first + k : first + k - n;
      if (i < 64 && servers.get(i).weight() > 0) {
        continue;
      }
      E chosen = ConnectionChoice.leastBusy(servers.get(i), outcome);
      if (chosen != null) {
        nextUnweighted = i + 1;
        return chosen;
      }
    }
    return null;
  }
}
