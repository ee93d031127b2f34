package org.ldapbalancer.balancing;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code tier bestof}: for each operation two different servers are drawn at random and the one
 * with the lower recent latency (times its {@code weight=}, when set above 1) is tried first,
 * then the other; when neither can take the operation, the rest are tried in turn. The latency
 * is each server's moving average of response times in this event loop
 * ({@link ServerEndpoints#latencyNanos()}), which drifts back down while a server gets nothing,
 * so a server that was slow gets operations back once it recovers.
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

  /** Latency, scaled by the weight when one above 1 is set (lloadd's "fitness"). */
  private static long score(ServerEndpoints<?> server) {
    long latency = server.latencyNanos();
    int weight = server.weight();
    return weight > 1 ? latency * weight : latency;
  }
}
