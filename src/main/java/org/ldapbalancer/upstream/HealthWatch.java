package org.ldapbalancer.upstream;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's watch on one server, for {@link ServerHealth}: passive (operations outstanding
 * and nothing at all read from the server for longer than {@code health-check-timeout}) and
 * active (a probe every {@code health-check-interval}, and at once whenever the server is out of
 * selection, which has to answer within the same time).
 *
 * <p>Why both: a stopped server (SIGSTOP, a frozen VM) still accepts connections and takes the
 * small requests into its socket buffer, so neither a lost connection nor a write backlog shows
 * it; only silence does. The passive check sees it under load within the time-out; the probe
 * sees it without load, and is the only way back in, since operations already sent may have
 * timed out and been abandoned (an Abandon has no response).
 *
 * <p>Cost on the response path: one counter increment per PDU read ({@link #frameRead()}); the
 * rest runs in the loop's periodic sweep. Every field belongs to the pool's event loop.
 */
final class HealthWatch {
  private final ServerHealth health;
  private final long timeoutNanos;
  /** PDUs read from the server on this loop; compared at each sweep. */
  private long reads;

  private long readsSeen;
  /** The last sweep at which the server was seen working: it sent something, or owed nothing. */
  private long lastProgressNanos;
  /** Operations that timed out since the server last sent anything: they count as unanswered. */
  private int expiredSinceRead;
  /** The connection carrying this loop's probe, or null. */
  private UpstreamConnection probing;

  private long probeSentNanos;

  HealthWatch(ServerHealth health) {
    this.health = health;
    this.timeoutNanos = health.settings().timeout().toNanos();
    this.lastProgressNanos = System.nanoTime();
  }

  ServerHealth health() {
    return health;
  }

  void frameRead() {
    reads++;
  }

  void operationsExpired(int count) {
    expiredSinceRead += count;
  }

  /** The loop's periodic check. */
  void check(long nowNanos, int pendingOps, List<UpstreamConnection> regular) {
    if (timeoutNanos <= 0) {
      return;
    }
    if (reads != readsSeen) {
      readsSeen = reads;
      lastProgressNanos = nowNanos;
      expiredSinceRead = 0;
    } else if (pendingOps == 0 && expiredSinceRead == 0) {
      lastProgressNanos = nowNanos;
    } else if (nowNanos - lastProgressNanos >= timeoutNanos && health.isUsable()) {
      health.unresponsive(
          (pendingOps + expiredSinceRead)
              + " operations without a response for "
              + TimeUnit.NANOSECONDS.toMillis(nowNanos - lastProgressNanos)
              + " ms");
    }
    if (probing != null && !probing.probeOutstanding()) {
      probing = null; // answered, or its connection was lost
    }
    if (probing != null) {
      if (nowNanos - probeSentNanos >= timeoutNanos && health.isUsable()) {
        health.unresponsive(
            "no answer to a probe for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
      }
      return; // it stays outstanding: its late answer brings the server back
    }
    if (!health.isUsable() || health.claimPeriodicProbe(nowNanos)) {
      probe(nowNanos, regular);
    }
  }

  private void probe(long nowNanos, List<UpstreamConnection> regular) {
    UpstreamConnection best = null;
    for (int i = 0, n = regular.size(); i < n; i++) {
      UpstreamConnection c = regular.get(i);
      if (c.isReady() && (best == null || c.pendingOps() < best.pendingOps())) {
        best = c;
      }
    }
    if (best != null) {
      best.sendProbe();
      probing = best;
      probeSentNanos = nowNanos;
    }
  }

  /** The probe on {@code connection} was answered: the server works. */
  void probeAnswered(UpstreamConnection connection) {
    if (probing == connection) {
      probing = null;
    }
    health.answered();
  }
}
