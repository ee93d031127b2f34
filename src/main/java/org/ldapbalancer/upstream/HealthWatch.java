package org.ldapbalancer.upstream;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's watch on one server, for {@link ServerHealth}: passive (operations outstanding
 * and nothing at all read from the server for longer than {@code health-check-timeout}) and
 * active (a probe every {@code health-check-interval}, and at once whenever the server is out of
 * selection, which has to answer within the same time).
 *
 * <p>Silence alone is not enough: a server may legitimately work on one long operation without
 * sending anything. So the passive check only makes the server suspect and probes it at once; it
 * is taken out when that probe is not answered within a fifth of the time-out (at least 100 ms).
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
  /** When the outstanding probe counts as unanswered. */
  private long probeDeadlineNanos;
  /** Whether the server was in selection at this loop's last check. */
  private boolean sawUsable = true;
  /** Whether this loop made the server suspect and its probe has not decided yet. */
  private boolean suspecting;

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
    boolean usable = health.isUsable();
    if (usable && !sawUsable) {
      // Back in selection, maybe through another loop's probe: what this loop saw while the
      // server was out is void. Its silence is old, and its own probe, sent before the server
      // resumed, may be answered behind the backlog the server is working through; judged by
      // its old deadline, it would take a server that answers straight back out.
      lastProgressNanos = nowNanos;
      expiredSinceRead = 0;
      probeDeadlineNanos = nowNanos + timeoutNanos;
    }
    sawUsable = usable;
    boolean stalled = false;
    if (reads != readsSeen) {
      readsSeen = reads;
      lastProgressNanos = nowNanos;
      expiredSinceRead = 0;
    } else if (pendingOps == 0 && expiredSinceRead == 0) {
      lastProgressNanos = nowNanos;
    } else {
      stalled = nowNanos - lastProgressNanos >= timeoutNanos;
    }
    if (probing != null && !probing.probeOutstanding()) {
      probing = null; // answered, or its connection was lost
    }
    if (stalled && usable) {
      // Silence alone may be a long operation: a server that still answers a probe at once is
      // back straight away. One that does not, within a fifth of the time-out, is hung. Until
      // the probe decides, nothing new goes to it (suspect).
      long confirmBy = nowNanos + confirmNanos();
      if (probing == null && !probe(nowNanos, regular)) {
        health.unresponsive(silence(pendingOps, nowNanos)); // nothing to probe on
        return;
      }
      probeDeadlineNanos = Math.min(probeDeadlineNanos, confirmBy);
      health.suspect();
      suspecting = true;
    } else if (probing == null && (!usable || health.claimPeriodicProbe(nowNanos))) {
      probe(nowNanos, regular);
    }
    if (probing != null && (usable || suspecting) && nowNanos - probeDeadlineNanos >= 0) {
      suspecting = false;
      health.unresponsive(
          stalled
              ? silence(pendingOps, nowNanos) + ", nor to a probe"
              : "no answer to a probe for "
                  + TimeUnit.NANOSECONDS.toMillis(nowNanos - probeSentNanos)
                  + " ms");
    }
    // An outstanding probe stays so: its late answer brings the server back.
  }

  private long confirmNanos() {
    return Math.max(TimeUnit.MILLISECONDS.toNanos(100), timeoutNanos / 5);
  }

  private String silence(int pendingOps, long nowNanos) {
    return (pendingOps + expiredSinceRead)
        + " operations without a response for "
        + TimeUnit.NANOSECONDS.toMillis(nowNanos - lastProgressNanos)
        + " ms";
  }

  /** Sends a probe on the least busy ready connection; false when there is none. */
  private boolean probe(long nowNanos, List<UpstreamConnection> regular) {
    UpstreamConnection best = null;
    for (int i = 0, n = regular.size(); i < n; i++) {
      UpstreamConnection c = regular.get(i);
      if (c.isReady() && (best == null || c.pendingOps() < best.pendingOps())) {
        best = c;
      }
    }
    if (best == null) {
      return false;
    }
    best.sendProbe();
    probing = best;
    probeSentNanos = nowNanos;
    probeDeadlineNanos = nowNanos + timeoutNanos;
    return true;
  }

  /** The probe on {@code connection} was answered: the server works. */
  void probeAnswered(UpstreamConnection connection) {
    if (probing == connection) {
      probing = null;
    }
    suspecting = false;
    health.answered();
  }
}
