package org.ldapbalancer.balancing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code tier bestof}: for each operation two different servers are drawn at random and the one
 * with the lower score is tried first, then the other; when neither can take the operation, the
 * rest are tried in turn. The score is the server's recent latency times its operations in flight
 * plus one (times its {@code weight=}, when set above 1): the expected wait for an answer there.
 * The latency is each server's moving average of response times in this event loop
 * ({@link ServerEndpoints#latencyNanos()}), which drifts back down while a server gets nothing,
 * so a server that was slow gets operations back once it recovers.
 *
 * <p>Latency alone would send every operation to whichever server is marginally faster (with two
 * servers, the pair drawn is always both): a 1 % difference would become a 95:5 split, flipping
 * only when the idle one's average decays. Counting what is in flight spreads the load in
 * proportion to speed, as a least-time balancer does.
 *
 * <p>Not thread-safe: each event loop has its own instance. Allocates nothing per operation.
 */
final class BestOfTier<E extends Endpoint> implements Tier<E> {
  private final List<? extends ServerEndpoints<E>> servers;
  private int next;

  BestOfTier(List<? extends ServerEndpoints<E>> servers) {
    this.servers = List.copyOf(servers);
  }

  @Override
  public E select(SelectionOutcome outcome) {
    int n = servers.size();
    if (n == 0) {
      return null;
    }
    int skipA = -1;
    int skipB = -1;
    if (n > 1) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int a = random.nextInt(n);
      int b = random.nextInt(n - 1);
      if (b >= a) {
        b++;
      }
      if (score(servers.get(b)) < score(servers.get(a))) {
        int t = a;
        a = b;
        b = t;
      }
      E chosen = ConnectionChoice.leastBusy(servers.get(a), outcome);
      if (chosen == null) {
        chosen = ConnectionChoice.leastBusy(servers.get(b), outcome);
      }
      if (chosen != null) {
        return chosen;
      }
      skipA = a;
      skipB = b;
    }
    int first = next < n ? next : 0;
    for (int k = 0; k < n; k++) {
      int i = first + k < n ? first + k : first + k - n;
      if (i == skipA || i == skipB) {
        continue;
      }
      E chosen = ConnectionChoice.leastBusy(servers.get(i), outcome);
      if (chosen != null) {
        next = i + 1;
        return chosen;
      }
    }
    return null;
  }

  /**
   * Latency times operations in flight plus one, scaled by the weight when one above 1 is set
   * (lloadd's "fitness"). A server not yet measured counts 1 ns, so it is tried and measured; a
   * double, so that no product overflows.
   */
  private static double score(ServerEndpoints<?> server) {
    double score = (double) Math.max(1, server.latencyNanos()) * (server.pendingOps() + 1);
    int weight = server.weight();
    return weight > 1 ? score * weight : score;
  }
}
